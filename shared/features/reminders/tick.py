"""The per-minute tick (Cloud Scheduler, at least once, possibly late or skipped) and the
shard sweeps it fans out to (docs/reminders-at-scale.md).

Doses are spread over 64 shards (a hash of the patient: MedicationRepository.SHARDS).
The tick probes them in 3 groups of at most 30 (an indexed range query on (shard,
next_due_at), `probe` rows each): a group whose probe came back short holds no more
due doses than that, and the tick claims them itself, as before the fan-out (small
deployments: one hop, reads = due doses + a constant). For a group whose probe came
back full the tick enqueues one sweep task per shard, named after the minute and the
shard (a duplicated firing re-uses the names, which Cloud Tasks drops). A sweep drains
its shard page by page with the same claim, paced so that all sweeps together hand
HANDOFF_PER_S patients a second to the queues, and continues itself in a new task
when its time budget runs out: one firing hands every due dose to the queues,
however many there are.

The claim: per user, one write-only transaction claims each dose at the due instant it
was read with (create() of remind_claims/{dose, next_due_at}), moves it to its next
state (Dose.tick: a new slot, a repeat, or a missed one) and writes an outbox document
holding the reminder. After the commit the reminder is enqueued under a name derived
from the doses' state, in its channel's lane (shared/jobs.py LANES), and the outbox
document deleted; a tick that crashed in between leaves the outbox document for the
next tick to re-enqueue. A duplicated tick or sweep, two sweeps of one shard, or the
tick and a sweep on the same doses either see the first one's writes (next_due_at has
moved on) or fail their claim, and remind once; a skipped minute is caught up
(next_due_at <= now).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Final

from shared.domain.channels import Channel
from shared.domain.decision import Decision
from shared.domain.signatures import stable_id
from shared.features.medication.model import Dose
from shared.features.medication.policy import RepeatPolicy
from shared.features.medication.repository import SHARDS, MedicationRepository, shard_of
from shared.features.reminders.records import CLAIM_TTL, OUTBOX, claim_path, outbox_path
from shared.jobs import Job, lane_queue
from shared.plumbing.runner import Outcome
from shared.plumbing.work import TaskRef, UnitOfWork
from shared.ports import MAX_IN_VALUES, Clock, Conflict, Doc, DocumentStore, TaskQueue, Transaction

log = logging.getLogger(__name__)

# Patients handed to the remind queues per second, all sweeps together: LINE's push
# ceiling (2,000 requests/s per channel). Claiming faster only lengthens the queues, as
# no reminder reaches LINE faster; and it keeps task creation per remind lane (4 per
# channel) and the claims' Firestore writes at the 500/s a cold queue or key range
# starts at (the 500/50/5 rule). 100,000 patients: 40 s; 1,000,000: 6.7 min.
HANDOFF_PER_S: Final = 2000.0
PROBE: Final = 50  # rows per probe of a shard group: fewer means the tick claims them
SWEEP_BUDGET_S: Final = 45.0  # then a sweep continues in a new task (timeout 60 s)


@dataclass(frozen=True)
class _Pace:
    """A sweep's pace: per_s users a second since `started` (None: unpaced), `before`
    of them handed already; no new batch after `deadline` (monotonic seconds)."""

    per_s: float | None
    started: float
    before: int
    deadline: float


def shard_groups() -> list[list[int]]:
    """The shards in groups an "in" filter can take (3 groups of 21-22)."""
    count = -(-SHARDS // MAX_IN_VALUES)
    return [list(range(SHARDS))[i::count] for i in range(count)]


@dataclass
class ReminderTick:
    store: DocumentStore
    tasks: TaskQueue
    clock: Clock
    repeat_every_s: int = 3600
    page: int = 500
    parallel: int = 16  # concurrent claim transactions in one tick or sweep
    probe: int = PROBE
    handoff_per_s: float | None = HANDOFF_PER_S  # None: unpaced
    budget_s: float = SWEEP_BUDGET_S
    work: UnitOfWork | None = None  # sweeps run under their task's lease
    sleep: Callable[[float], None] = field(default=time.sleep)
    monotonic: Callable[[], float] = field(default=time.monotonic)
    policy: RepeatPolicy | None = None  # None: RepeatPolicy's defaults, every repeat_every_s

    def tick(self) -> dict[str, int]:
        now = self.clock.now()
        enqueued = self._flush_outbox()
        repo = MedicationRepository(self.store)
        due: list[Dose] = []
        sweeps = 0
        for group in shard_groups():
            found = repo.due(group, now, self.probe)
            if len(found) < self.probe:
                due += found  # all this group's due doses: claimed here
                continue
            minute = now.replace(second=0, microsecond=0).isoformat()
            for shard in group:
                sweeps += self._enqueue_sweep(sweep_task(minute, shard, 0))
        users, claimed, _ = self._claim_all(due, now)
        enqueued += claimed
        log.info("reminder tick", extra={"due": len(due), "users": users,
                                         "enqueued": enqueued, "sweeps": sweeps})
        result = {"due": len(due), "users": users, "enqueued": enqueued}
        # Sweeps only when there were any: the answer small deployments always had.
        return {**result, "sweeps": sweeps} if sweeps else result

    def sweep(self, task: dict[str, Any]) -> Outcome:
        """One sweep task, under its task lease (shared/plumbing/work.py): a second
        delivery while it runs answers busy instead of contending for the same doses,
        one after it has finished does nothing. Nothing is decided in the lease's
        transaction; the drain is the effect, safe to repeat (a crashed sweep's retry
        drains again and finds only what is left)."""
        if self.work is None:
            self._drain(task)
            return Outcome.DONE
        nothing = Decision(channel=Channel.LINE, chat_id="-", user_key="-")
        return self.work.run(TaskRef(Job.SWEEP, str(task["id"])), lambda _w, _p: nothing,
                             lambda _: self._drain(task))

    def _drain(self, task: dict[str, Any]) -> None:
        """Drain one shard: page after page of its due doses, claimed and enqueued,
        until a page comes back short, a page claims nothing new (its doses are
        someone else's, or contended: the next tick retries them), or the time budget
        runs out (then the same shard continues in a new task)."""
        shard, seq = int(task["shard"]), int(task.get("seq") or 0)
        started = self.monotonic()
        per_s = self.handoff_per_s / SHARDS if self.handoff_per_s else None
        repo = MedicationRepository(self.store)
        handed = enqueued = 0
        while True:
            now = self.clock.now()
            page = repo.due([shard], now, self.page)
            pace = _Pace(per_s, started, handed, deadline=started + self.budget_s)
            users, claimed, finished = self._claim_all(page, now, pace)
            handed, enqueued = handed + users, enqueued + claimed
            if finished and (len(page) < self.page or claimed == 0):
                break  # drained, or nothing of a full page was ours: the next tick looks
            if not finished or self.monotonic() >= pace.deadline:
                # Out of time (Cloud Run ends the attempt at 60 s): the rest in a new
                # task, unless this one claimed nothing at all (the next tick retries).
                if enqueued:
                    self._enqueue_sweep(sweep_task(str(task["minute"]), shard, seq + 1))
                break
        log.info("reminder sweep", extra={"shard": shard, "seq": seq, "users": handed})

    def _enqueue_sweep(self, task: dict[str, Any]) -> int:
        return int(self.tasks.enqueue(Job.SWEEP.value, task,
                                      name=TaskRef(Job.SWEEP, str(task["id"])).name))

    def _claim_all(self, due: Sequence[Dose], now: datetime,
                   pace: _Pace | None = None) -> tuple[int, int, bool]:
        """Claim and enqueue due doses, one write-only transaction per user, `parallel`
        users at a time (independent users); paced: at most pace.per_s users a second
        since pace.started, and no batch started after pace.deadline.
        -> (users tried, reminders enqueued, whether every user was tried)."""
        by_user: dict[str, list[Dose]] = {}
        for dose in due:
            by_user.setdefault(dose.user_id, []).append(dose)
        groups = list(by_user.items())

        def claim(group: tuple[str, list[Dose]]) -> int:
            claimed = self._claim_user(group[0], group[1], now)
            return self._dispatch(*claimed) if claimed is not None else 0

        if len(groups) <= 1 and pace is None:
            return len(groups), sum(claim(g) for g in groups), True
        enqueued = tried = 0
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            for i in range(0, len(groups), self.parallel):
                if pace is not None:
                    if self.monotonic() >= pace.deadline:
                        return tried, enqueued, False
                    if pace.per_s:  # this batch may start once the ones before it are due
                        wait = (pace.before + i) / pace.per_s - (self.monotonic() - pace.started)
                        if wait > 0:
                            self.sleep(wait)
                batch = groups[i:i + self.parallel]
                enqueued += sum(pool.map(claim, batch))
                tried += len(batch)
        return tried, enqueued, True

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
            assert read.next_due_at is not None  # found by the due query
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
                if dose.final and dose.pending is not None and dose.pending.sent == 1:
                    # The course's last slot: its first reminder says the course is
                    # finished after it (once); the dose is then never due again.
                    item["course_end"] = True
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
        # The patient's channel's lanes (its user key starts with it), a patient always
        # in the same lane: a re-enqueued reminder meets its name there (deduplicated).
        user = str(payload["user"])
        queue = lane_queue(Job.REMIND, user.split("-", 1)[0], shard_of(user))
        added = self.tasks.enqueue(queue, payload, name=TaskRef(Job.REMIND, rid).name)
        self.store.delete(outbox_path(rid))
        return int(added)

    def _flush_outbox(self) -> int:
        """Re-enqueue reminders a crashed tick committed but did not enqueue."""
        rows = self.store.query(OUTBOX, limit=self.page)
        return sum(self._dispatch(path.split("/", 1)[1], doc["payload"]) for path, doc in rows)


def sweep_task(minute: str, shard: int, seq: int) -> dict[str, Any]:
    return {"id": f"{minute}-{shard}-{seq}", "minute": minute, "shard": shard, "seq": seq}


def _item(dose: Dose, due: datetime) -> dict[str, Any]:
    assert dose.pending is not None
    return {"dose_id": dose.id, "slot": dose.pending.slot, "sent": dose.pending.sent,
            "name": dose.name, "dosage": dose.dosage, "time": dose.time,
            "zone": dose.timezone,
            "due": due.isoformat()}  # when the tick should have reminded (lateness)
