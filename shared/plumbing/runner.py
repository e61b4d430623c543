"""Exactly-once effects for at-least-once tasks (Cloud Tasks, Scheduler, redeliveries).

A task moves through a record in `jobs/{id}`:

    (none) --claim--> in_progress (leased) --decide--> decided --apply--> completed

* claim: a lease, so two deliveries running at once do not both work; an expired
  lease (a crashed worker) can be taken over.
* prepare (optional, outside any transaction): the slow part, e.g. a Gemini call.
* decide (inside one transaction): state changes and the decision of what to send
  and enqueue are written together, so a crash never leaves one without the other.
* apply: sends (idempotent by key) and enqueues (idempotent by name). A retry after
  a crash replays the stored decision instead of deciding again, so the user sees
  the same messages once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from shared.domain.signatures import stable_id
from shared.ports import Clock, DocumentStore, Transaction

log = logging.getLogger(__name__)

COLLECTION = "jobs"

D = TypeVar("D", bound=BaseModel)
P = TypeVar("P")


class NotYet(Exception):
    """Raised by decide(): this task must wait (e.g. an earlier event of the same user
    is still pending, plumbing/ordering.py). Nothing is written; the task is BUSY."""


class Deferred(Exception):
    """Raised by prepare(): run this task again at `at` (e.g. the model's retry hint).
    Nothing is written and the claim is released; process() re-raises it so the caller
    can reschedule the task."""

    def __init__(self, at: datetime) -> None:
        super().__init__(at.isoformat())
        self.at = at


class _LostClaim(Exception):
    """Another delivery holds (or has completed) this task's claim."""


class Outcome(StrEnum):
    DONE = "done"
    REPLAYED = "replayed"  # decided earlier, effects re-applied
    DUPLICATE = "duplicate"  # already completed: nothing to do
    BUSY = "busy"  # another delivery holds the lease: retry later
    DEFERRED = "deferred"  # rescheduled as a new task (plumbing/jobkit.py)


@dataclass(frozen=True)
class TaskRunner(Generic[D]):
    store: DocumentStore
    clock: Clock
    decision_type: type[D]
    lease_s: int = 600
    ttl_s: int = 7 * 86_400

    def process(
        self,
        task_id: str,
        decide: Callable[[Transaction, Any], D],
        apply: Callable[[D], object],  # its result is ignored (e.g. sent ids)
        prepare: Callable[[], Any] | None = None,
    ) -> Outcome:
        path = f"{COLLECTION}/{stable_id(task_id)}"
        holder = uuid.uuid4().hex  # this delivery's claim
        state, saved = self._claim(path, holder)
        if state == "completed":
            return Outcome.DUPLICATE
        if state == "busy":
            return Outcome.BUSY
        if saved is not None:
            apply(saved)
            self._complete(path)
            return Outcome.REPLAYED
        try:
            prepared = prepare() if prepare is not None else None
            decision = self.store.transaction(
                lambda txn: self._decide(txn, path, holder, decide, prepared))
        except _LostClaim:
            return Outcome.DUPLICATE  # a later delivery took over and decided
        except NotYet:
            self._release(path, holder)
            return Outcome.BUSY
        except Exception:
            self._release(path, holder)  # let the retry claim it at once
            raise
        apply(decision)
        self._complete(path)
        return Outcome.DONE

    def _claim(self, path: str, holder: str) -> tuple[str, D | None]:
        def claim(txn: Transaction) -> tuple[str, D | None]:
            now = self.clock.now()
            record = txn.get(path)
            if record is not None:
                if record.get("status") == "completed":
                    return "completed", None
                if record.get("status") == "decided":
                    return "decided", self.decision_type.model_validate(record["decision"])
                if record.get("lease_until") and record["lease_until"] > now:
                    return "busy", None
            txn.set(path, {"status": "in_progress", "holder": holder,
                           "lease_until": now + timedelta(seconds=self.lease_s),
                           "expires_at": now + timedelta(seconds=self.ttl_s)})
            return "claimed", None

        return self.store.transaction(claim)

    def _decide(
        self, txn: Transaction, path: str, holder: str,
        decide: Callable[[Transaction, Any], D], prepared: Any,
    ) -> D:
        # A delivery whose lease ran out may have been overtaken by another: only the
        # holder of the claim decides, so two deliveries never both send.
        record = txn.get(path)
        if record is None or record.get("holder") != holder:
            raise _LostClaim
        # decide()'s reads follow; the job record write comes last.
        decision = decide(txn, prepared)
        txn.set(path, {"status": "decided", "decision": decision.model_dump(mode="json"),
                       "expires_at": self.clock.now() + timedelta(seconds=self.ttl_s)})
        return decision

    def _complete(self, path: str) -> None:
        self.store.set(path, {"status": "completed", "decision": None}, merge=True)

    def _release(self, path: str, holder: str) -> None:
        def release(txn: Transaction) -> None:
            record = txn.get(path)
            if record is not None and record.get("status") == "in_progress" \
                    and record.get("holder") == holder:
                txn.delete(path)

        self.store.transaction(release)
