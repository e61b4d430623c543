"""The per-minute tick (Cloud Scheduler, at least once, possibly late or skipped).

It reads only the doses that are due (an indexed range query on next_due_at, one page)
and nothing else: per user, one write-only transaction claims each dose at the due
instant it was read with (create() of remind_claims/{dose, next_due_at}), moves it to
its next state (Dose.tick: a new slot, a repeat, or a missed one) and writes an outbox
document holding the reminder. Document reads per tick are therefore the due doses
plus the outbox query (bench/reminder_tick.py). After the commit the reminder is
enqueued under a name derived from the doses' state, and the outbox document deleted;
a tick that crashed in between leaves the outbox document for the next tick to
re-enqueue. A duplicated tick either sees the first one's writes (next_due_at has
moved on) or fails its claim, and reminds once; a skipped minute is caught up
(next_due_at <= now).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from shared.domain.signatures import stable_id
from shared.features.medication.model import Dose
from shared.features.medication.policy import RepeatPolicy
from shared.features.medication.repository import MedicationRepository
from shared.features.reminders.records import CLAIM_TTL, OUTBOX, claim_path, outbox_path
from shared.jobs import Job
from shared.plumbing.work import TaskRef
from shared.ports import Clock, Conflict, Doc, DocumentStore, TaskQueue, Transaction

log = logging.getLogger(__name__)


@dataclass
class ReminderTick:
    store: DocumentStore
    tasks: TaskQueue
    clock: Clock
    repeat_every_s: int = 3600
    page: int = 500
    parallel: int = 16  # concurrent claim transactions in one tick
    policy: RepeatPolicy | None = None  # None: RepeatPolicy's defaults, every repeat_every_s

    def tick(self) -> dict[str, int]:
        now = self.clock.now()
        enqueued = self._flush_outbox()
        due = MedicationRepository(self.store).due(now, self.page)
        by_user: dict[str, list[Dose]] = {}
        for dose in due:
            by_user.setdefault(dose.user_id, []).append(dose)

        # One small write-only transaction per user, several at once (independent users).
        def claim(group: tuple[str, list[Dose]]) -> tuple[str, Doc] | None:
            return self._claim_user(group[0], group[1], now)

        if len(by_user) > 1:
            with ThreadPoolExecutor(max_workers=self.parallel) as pool:
                claims = list(pool.map(claim, by_user.items()))
        else:
            claims = [claim(group) for group in by_user.items()]
        for claimed in claims:
            if claimed is not None:
                enqueued += self._dispatch(*claimed)
        log.info("reminder tick", extra={"due": len(due), "users": len(by_user),
                                         "enqueued": enqueued})
        return {"due": len(due), "users": len(by_user), "enqueued": enqueued}

    def _claim_user(self, user: str, doses: list[Dose], now: datetime) -> tuple[str, Doc] | None:
        try:
            return self.store.transaction(lambda txn: self._claim(txn, user, doses, now))
        except Conflict:
            return None  # another tick claimed these doses first (a duplicated tick)

    def _claim(self, txn: Transaction, user: str, doses: list[Dose],
               now: datetime) -> tuple[str, Doc] | None:
        """Writes only, no reads (reads per tick = due doses + a constant): each dose is
        claimed at the due instant the query saw with create(), so a tick that runs
        twice, or late with a stale page, fails its commit instead of reminding twice.
        (A transaction may run again: each run starts from the doses as read.)"""
        items: list[Doc] = []
        missed = 0
        for read in doses:
            dose = replace(read)  # this run's copy of the dose as read
            txn.create(claim_path(dose.id, read.next_due_at),
                       {"user_id": user, "expires_at": now + CLAIM_TTL})
            step = dose.tick(now, self.policy or RepeatPolicy(
                every=timedelta(seconds=self.repeat_every_s)))
            MedicationRepository.save(txn, dose, step.missed)
            if step.stale is not None:  # a slot its medicine's next one overtook
                MedicationRepository.save(txn, dose, step.stale)
            missed += step.missed is not None
            if step.remind:
                item = _item(dose, due=read.next_due_at)
                if step.closed is not None:
                    item["missed"] = step.closed  # its reminder message is retracted
                if step.last:
                    item["last"] = True  # the reminder says it is the last one
                items.append(item)
        if not items:
            return None
        # Named after the doses' state: a re-run of this step yields the same id.
        rid = stable_id(user, *(f"{i['dose_id']}|{i['slot']}|{i['sent']}" for i in items))
        # Who and where (chat, channel, language) is read by the send worker, not here.
        # queued_at: an erasure after this tick voids the send (plumbing/erasures.py).
        payload = {"id": rid, "user": user, "items": items, "missed": missed,
                   "queued_at": now.isoformat()}
        txn.set(outbox_path(rid), {"payload": payload, "user_id": user, "created_at": now})
        return rid, payload

    def _dispatch(self, rid: str, payload: Doc) -> int:
        added = self.tasks.enqueue(Job.REMIND.value, payload, name=TaskRef(Job.REMIND, rid).name)
        self.store.delete(outbox_path(rid))
        return int(added)

    def _flush_outbox(self) -> int:
        """Re-enqueue reminders a crashed tick committed but did not enqueue."""
        rows = self.store.query(OUTBOX, limit=self.page)
        return sum(self._dispatch(path.split("/", 1)[1], doc["payload"]) for path, doc in rows)


def _item(dose: Dose, due: datetime) -> dict[str, Any]:
    assert dose.pending is not None
    return {"dose_id": dose.id, "slot": dose.pending.slot, "sent": dose.pending.sent,
            "name": dose.name, "dosage": dose.dosage, "time": dose.time,
            "zone": dose.timezone,
            "due": due.isoformat()}  # when the tick should have reminded (lateness)
