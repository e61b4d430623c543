"""One unit of work per task: its claim, its decision, the state it changes and its
usage counters, in one transaction.

Every task runs through UnitOfWork.run, whatever started it: a dialog turn, a job a
feature runs (leaflet, translation, speech, e-mail, Taigi) or a reminder send.

    claim    the task's leased record (plumbing/runner.py), so a duplicated delivery
             does not work at the same time and a finished one is not redone;
    prepare  outside any transaction (a model call), metered: every model call it
             makes is counted (plumbing/metering.py);
    decide   ONE transaction, through `Work`: the task's reads, then its writes, its
             usage counters (the model calls of prepare and whatever decide counts,
             in usage/{day}_{user}) and the decision (what to send and enqueue);
    apply    the sends and enqueues (idempotent), then the record is completed.

A task that acts for a user (`origin`: the user and when the task was queued) does
nothing at all once that user was erased after it was queued (plumbing/erasures.py):
decide reads the erasure marker first, in its transaction, and answers a void decision
(no writes, no counters, nothing sent); prepare and apply look too, so no model call,
no file and no message follows an erasure. Files prepare wrote just before the
erasure raced it are deleted again (`forget_files`).

Task ids are formatted here and nowhere else (TaskRef): the record key, the Cloud
Tasks task name, the ids of follow-up tasks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from shared.domain import usage
from shared.domain.channels import Channel
from shared.domain.decision import Decision, JobRequest
from shared.domain.errors import MessengerError
from shared.domain.signatures import stable_id
from shared.jobs import Job
from shared.plumbing import erasures, reach
from shared.plumbing.collections import user_path
from shared.plumbing.metering import metering
from shared.plumbing.runner import Outcome, TaskRunner
from shared.ports import Clock, Doc, DocumentStore, Transaction
from shared.runtime import job_lease_s

log = logging.getLogger(__name__)

P = TypeVar("P")

@dataclass(frozen=True)
class TaskRef:
    """A task: its job kind and its id (the `id` of its payload)."""

    job: Job
    id: str

    def __str__(self) -> str:
        """The key of its record (jobs/{stable_id(key)}); a dialog turn's and a reminder
        send's messages go out under it too."""
        return f"{self.job.value}:{self.id}"

    @property
    def name(self) -> str:
        """Its Cloud Tasks task name (hashed ids: no sequential names)."""
        return f"{self.job.value}-{self.id}"

    def rescheduled(self, count: int) -> str:
        """The task name of its `count`-th rescheduled copy (a model's retry hint)."""
        return f"{self.name}-deferred-{count}"

    def follow_up(self, job: Job, index: int = 0) -> TaskRef:
        """The `index`-th task this one asks for: the same id on every retry."""
        return TaskRef(job, stable_id(str(self), str(index)))

    def request(self, payload: Doc) -> JobRequest:
        """Enqueue this task with `payload` (its id added)."""
        return JobRequest(job=self.job, name=self.name, payload={"id": self.id, **payload})


@dataclass(frozen=True)
class Origin:
    """Whom a task acts for, and when it was queued (None: unknown, an older task)."""

    user: str
    queued_at: datetime | None

    @classmethod
    def of(cls, task: Doc) -> Origin:
        """A job's origin, from its payload (`user`, `queued_at`)."""
        return cls(str(task["user"]), erasures.queued_at(task))


def job_send_key(task_id: str) -> str:
    """The send key of a job's answer (job task ids are unique across kinds)."""
    return f"job:{task_id}"


class Work:
    """One task's transaction, as its decide step sees it (a Transaction: reads first,
    then writes) plus the usage counters written with it."""

    def __init__(self, txn: Transaction, now: datetime, user: str | None,
                 channel: str | None, counts: Mapping[str, int]) -> None:
        self.txn, self.now, self.user = txn, now, user
        self.channel = channel  # for a new usage document; decide may set it
        self._counts: dict[str, int] = dict(counts)
        self._counted = user is not None
        # Read now, before decide writes anything (Firestore's rule).
        self._usage = txn.get(usage.usage_path(user, now)) if user is not None else None

    def get(self, path: str) -> Doc | None:
        return self.txn.get(path)

    def create(self, path: str, data: Doc) -> None:
        self.txn.create(path, data)

    def set(self, path: str, data: Doc, merge: bool = False) -> None:
        self.txn.set(path, data, merge=merge)

    def delete(self, path: str) -> None:
        self.txn.delete(path)

    def count(self, counts: Mapping[str, int]) -> None:
        """Add usage counters (names and numbers only: shared/domain/usage.py)."""
        for name, value in counts.items():
            self._counts[name] = self._counts.get(name, 0) + int(value)

    def forget_usage(self) -> None:
        """Count nothing (the user is being erased)."""
        self._counted = False

    def finish(self) -> None:
        counts = {k: v for k, v in self._counts.items() if v}
        if self._counted and self.user is not None and counts:
            self.txn.set(usage.usage_path(self.user, self.now), usage.bump(
                self._usage, user_key=self.user, channel=self.channel or "", at=self.now,
                counts=counts))


@dataclass
class UnitOfWork:
    store: DocumentStore
    clock: Clock
    # How long a claim is held before another delivery may take the task over: its
    # worker's timeout (shared/runtime.json), so a timed-out attempt's task is free
    # again by the time Cloud Tasks retries it, and not blocked much longer.
    lease_s: Callable[[Job], int] = job_lease_s
    # Deletes a user's files (the Eraser's storage areas): what a voided task's prepare
    # may have written while the erasure ran. None: nothing to delete (tests).
    forget_files: Callable[[str], object] | None = None
    _runners: dict[Job, TaskRunner[Decision]] = field(default_factory=dict, init=False)

    def runner(self, job: Job) -> TaskRunner[Decision]:
        if job not in self._runners:
            self._runners[job] = TaskRunner(self.store, self.clock, Decision,
                                            lease_s=self.lease_s(job))
        return self._runners[job]

    def run(
        self,
        task: TaskRef,
        decide: Callable[[Work, Any], Decision],
        apply: Callable[[Decision], object],
        *,
        prepare: Callable[[], Any] | None = None,
        user: str | None = None,  # whose usage document counts it (None: nothing counted)
        channel: str | None = None,
        origin: Origin | None = None,  # None: not voided by an erasure (a dialog turn)
    ) -> Outcome:
        counts: dict[str, int] = {}  # the model calls of prepare; empty on a replay
        prepared_any = False

        def metered() -> Any:
            nonlocal prepared_any
            if origin is not None and erasures.voided(self.store, origin.user,
                                                      origin.queued_at):
                return None  # decide drops it; no model call for an erased user
            prepared_any = prepare is not None
            with metering() as meter:
                prepared = prepare() if prepare is not None else None
            counts.update(usage.llm_counts(meter.calls, meter.input_tokens,
                                           meter.output_tokens, failed=meter.failures > 0))
            return prepared

        def in_transaction(txn: Transaction, prepared: Any) -> Decision:
            # The marker is the transaction's first read (Firestore: reads first).
            if origin is not None and erasures.voided(txn, origin.user, origin.queued_at):
                return _void(task, origin.user)
            work = Work(txn, self.clock.now(), user, channel, counts)
            decision = decide(work, prepared)
            work.finish()
            return decision

        def guarded_apply(decision: Decision) -> object:
            if decision.void:
                if prepared_any and origin is not None and self.forget_files is not None:
                    self.forget_files(origin.user)  # written by a prepare the erasure raced
                return None
            if origin is not None and erasures.voided(self.store, origin.user,
                                                      origin.queued_at):
                _log_void(task)  # erased between the decision and now: send nothing
                return None
            try:
                return apply(decision)
            except MessengerError as error:
                if error.retryable:
                    raise  # transient: the task is retried, with the queue's backoff
                self._refused(task, decision, error)
                return None

        return self.runner(task.job).process(str(task), in_transaction, guarded_apply,
                                             metered)


    def _refused(self, task: TaskRef, decision: Decision, error: MessengerError) -> None:
        """A permanent refusal completes the task (the same call would fail again);
        one the platform says is a blocked user marks them unreachable
        (plumbing/reach.py), so their reminders stop."""
        log.warning("send refused", extra={
            "job": task.job.value, "channel": decision.channel.value, "status": error.status,
            "outcome": "unreachable" if error.unreachable else "refused"})
        if not error.unreachable or not decision.user_key:
            return
        user, now = decision.user_key, self.clock.now()

        def mark(txn: Transaction) -> None:
            profile = txn.get(user_path(user))
            stats = txn.get(usage.usage_path(user, now))
            if profile is None or not reach.mark_away(profile, now):
                return
            txn.set(user_path(user), profile)
            txn.set(usage.usage_path(user, now), usage.bump(
                stats, user_key=user, channel=decision.channel.value, at=now,
                counts={usage.UNREACHABLE: 1}))

        self.store.transaction(mark)


def _void(task: TaskRef, user: str) -> Decision:
    _log_void(task)
    prefix = user.split("-", 1)[0]
    channel = Channel(prefix) if prefix in set(Channel) else Channel.LINE  # unused: void
    return Decision(channel=channel, chat_id="-", user_key=user, void=True)


def _log_void(task: TaskRef) -> None:
    log.info("task dropped: its user was erased", extra={"job": task.job.value,
                                                         "outcome": "erased"})
