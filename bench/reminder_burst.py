"""The 08:00 burst (issue 16): N doses due in the same minute, handed to the queues.

    .venv/bin/python -m bench.reminder_burst --due 3000 --backend memory
    .venv/bin/python -m bench.reminder_burst --due 10000 --backend firestore

Seeds N patients in Asia/Taipei, one dose each at 08:00, half on LINE and half on
Telegram, and fires the tick as Cloud Scheduler would: once a minute on a simulated
clock (08:00:05, 08:01:05, ...), until every dose is enqueued. The sweep tasks a
firing fans out to run at once, concurrently, as Cloud Tasks dispatches them (up to 64
at a time: the sweep queue's max_concurrent_dispatches). Remind tasks are recorded as
Cloud Tasks takes them: a repeated name is dropped (counted as `repeated_names`: a
tick re-enqueuing the outbox of a claim another one is still enqueuing, say; were one
delivered anyway, the send worker's task record would make it a no-op). `duplicates`
counts doses that travel in more than one accepted task: each would be a second
reminder.

Then the same seed on a fresh store through today's design before issue 16: each
firing claims one page (500) of the due doses, unsharded. The ratio compares when the
last dose was handed to the queues (simulated minutes of the firing it came in, plus
the measured seconds into that firing).

The hand-off is paced at HANDOFF_PER_S patients/s (features/reminders/tick.py);
--pace 0 runs unpaced (as fast as this machine and the store go). What follows the
hand-off (the queues' dispatch at each platform's limit) is modelled in bench.capacity.

The last line: burst: due=N enqueued=N ticks=T duplicates=D first_to_last_s=S
"""

from __future__ import annotations

import argparse
import os
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.clock import FixedClock
from shared.features.medication.model import DailyAt, Dose
from shared.features.medication.repository import DOSES, dose_doc, dose_from_doc
from shared.features.reminders.tick import HANDOFF_PER_S, ReminderTick
from shared.jobs import Job, job_of
from shared.ports import Doc, DocumentStore, Filter

ZONE = "Asia/Taipei"
EIGHT = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # 08:00 in Taipei
FIRING_OFFSET_S = 5  # Cloud Scheduler fires a few seconds into its minute
SWEEP_DISPATCHES = 64  # medbot-sweep: sweep_worker max_instances x concurrency 1
WRITES_PER_TXN = 400  # seeding: Firestore allows 500 writes per commit


# --------------------------------------------------------------------------- seeding
def user_key(i: int) -> str:
    return f"line-U{i:032x}" if i % 2 == 0 else f"telegram-{100_000 + i}"


def seed(store: DocumentStore, n: int) -> None:
    """n patients, one 08:00 dose each, due at 08:00 (created the evening before)."""
    docs: list[tuple[str, Doc]] = []
    evening = EIGHT - timedelta(hours=12)
    for i in range(n):
        key = user_key(i)
        channel = key.split("-", 1)[0]
        docs.append((f"users/{key}", {"channel": channel, "chat_id": key.split("-", 1)[1],
                                      "language": "zh-TW", "timezone": ZONE}))
        dose = Dose.first(f"burst{i}-0800", key, f"burst{i}", "Metformin", "500 mg",
                          DailyAt("08:00"), ZONE, evening)
        assert dose.next_due_at == EIGHT
        docs.append((f"{DOSES}/{dose.id}", dose_doc(dose)))
    for start in range(0, len(docs), WRITES_PER_TXN):
        chunk = docs[start:start + WRITES_PER_TXN]

        def write(txn: Any, chunk: list[tuple[str, Doc]] = chunk) -> None:
            for path, doc in chunk:
                txn.set(path, doc)

        store.transaction(write)


# --------------------------------------------------------------------------- the queue
@dataclass
class BurstQueue:
    """Cloud Tasks as the bench sees it: remind enqueues recorded (every call, with
    when it happened), sweep tasks dispatched at once on up to 64 threads."""

    run_sweep: Callable[[Doc], Any] | None = None
    remind: list[tuple[float, str, Doc]] = field(default_factory=list)  # (t, queue, task)
    remind_names: set[tuple[str, str]] = field(default_factory=set)  # (queue, name)
    repeated_names: int = 0
    sweep_names: set[str] = field(default_factory=set)
    sweeps_run: int = 0
    _pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=SWEEP_DISPATCHES))
    _pending: list[Future[Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def enqueue(self, queue: str, payload: Doc, *, name: str | None = None,
                schedule_at: datetime | None = None) -> bool:
        at = time.perf_counter()
        with self._lock:
            if job_of(queue) is Job.REMIND:
                if (queue, str(name)) in self.remind_names:  # Cloud Tasks drops it
                    self.repeated_names += 1
                    return False
                self.remind_names.add((queue, str(name)))
                self.remind.append((at, queue, payload))
                return True
            if name in self.sweep_names:  # Cloud Tasks drops a repeated name
                return False
            self.sweep_names.add(str(name))
            self.sweeps_run += 1
            assert self.run_sweep is not None
            self._pending.append(self._pool.submit(self.run_sweep, payload))
            return True

    def drain(self) -> None:
        """Wait for every sweep, continuations included."""
        while True:
            with self._lock:
                pending, self._pending = self._pending, []
            if not pending:
                return
            for future in pending:
                future.result()

    def close(self) -> None:
        self._pool.shutdown()


# --------------------------------------------------------------------------- runs
@dataclass
class Run:
    ticks: int = 0
    enqueued: int = 0
    duplicates: int = 0
    first_to_last_s: float = 0.0
    last_after_s: float = 0.0  # simulated seconds from 08:00 to the last hand-off
    sweeps: int = 0
    repeated_names: int = 0
    per_queue: Counter[str] = field(default_factory=Counter)
    firing_s: list[float] = field(default_factory=list)


def fire_until_done(n: int, tick: Callable[[], Any], queue: BurstQueue, clock: FixedClock,
                    max_ticks: int) -> Run:
    run = Run()
    last_firing_start = 0.0
    while run.ticks < max_ticks:
        clock.current = EIGHT + timedelta(minutes=run.ticks, seconds=FIRING_OFFSET_S)
        started = time.perf_counter()
        before = len(queue.remind)
        tick()
        queue.drain()
        run.ticks += 1
        run.firing_s.append(time.perf_counter() - started)
        if len(queue.remind) > before:
            last_firing_start = started
            run.last_after_s = (60 * (run.ticks - 1) + FIRING_OFFSET_S
                                + queue.remind[-1][0] - last_firing_start)
        items = Counter((str(i["dose_id"]), str(i["slot"]), int(i["sent"]))
                        for _, _, task in queue.remind for i in task["items"])
        if len(items) >= n:
            break
    items = Counter((str(i["dose_id"]), str(i["slot"]), int(i["sent"]))
                    for _, _, task in queue.remind for i in task["items"])
    run.enqueued = len(items)
    run.duplicates = sum(c - 1 for c in items.values())
    if queue.remind:
        run.first_to_last_s = queue.remind[-1][0] - queue.remind[0][0]
    run.sweeps = queue.sweeps_run
    run.repeated_names = queue.repeated_names
    run.per_queue = Counter(q for _, q, _ in queue.remind)
    return run


def fan_out(store: DocumentStore, n: int, pace: float | None, twice: bool) -> Run:
    clock = FixedClock(EIGHT)
    queue = BurstQueue()
    ticker = ReminderTick(store, queue, clock, handoff_per_s=pace)
    queue.run_sweep = ticker.sweep

    def firing() -> None:
        ticker.tick()
        if twice:  # Cloud Scheduler delivered this firing twice
            ticker.tick()

    try:
        return fire_until_done(n, firing, queue, clock, max_ticks=30)
    finally:
        queue.close()


def before_issue_16(store: DocumentStore, n: int, page: int = 500) -> Run:
    """Today's design before the fan-out: one unsharded page of due doses per firing,
    claimed with the same step."""
    clock = FixedClock(EIGHT)
    queue = BurstQueue()
    ticker = ReminderTick(store, queue, clock, page=page, handoff_per_s=None)

    def firing() -> None:
        now = clock.now()
        rows = store.query(DOSES, [Filter("next_due_at", "<=", now)],
                           order_by="next_due_at", limit=page)
        due = [dose_from_doc(path.split("/", 1)[1], doc) for path, doc in rows]
        ticker._claim_all(due, now)

    try:
        return fire_until_done(n, firing, queue, clock, max_ticks=n // page + 5)
    finally:
        queue.close()


# --------------------------------------------------------------------------- main
def make_store(backend: str) -> tuple[Callable[[], DocumentStore], Callable[[], None]]:
    if backend == "memory":
        from shared.fakes.memory_store import MemoryStore

        return MemoryStore, lambda: None
    from infra.local.emulators import start_firestore

    emulator = start_firestore()
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.host
    from shared.adapters.firestore_store import FirestoreStore

    return (lambda: FirestoreStore(project=f"burst-{secrets.token_hex(4)}")), emulator.stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--due", type=int, default=3000)
    parser.add_argument("--backend", choices=("memory", "firestore"), default="memory")
    parser.add_argument("--pace", type=float, default=HANDOFF_PER_S,
                        help="patients handed off per second, all sweeps (0: unpaced)")
    parser.add_argument("--twice", action="store_true",
                        help="every firing delivered twice (Cloud Scheduler: at least once)")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    new_store, stop = make_store(args.backend)
    try:
        store = new_store()
        started = time.perf_counter()
        seed(store, args.due)
        print(f"seeded {args.due} patients ({args.backend}) in "
              f"{time.perf_counter() - started:.1f} s")
        run = fan_out(store, args.due, args.pace or None, args.twice)
        lanes = ", ".join(f"{q}={c}" for q, c in sorted(run.per_queue.items()))
        print(f"fan-out: ticks={run.ticks} sweeps={run.sweeps} enqueued={run.enqueued} "
              f"duplicates={run.duplicates} repeated_names={run.repeated_names} "
              f"firing_s={[round(s, 2) for s in run.firing_s]}")
        print(f"  queues: {lanes}")
        print(f"  last hand-off {run.last_after_s:.1f} s after 08:00 "
              f"(pace {args.pace or 'unpaced'} patients/s)")
        if not args.no_baseline:
            base_store = new_store()
            seed(base_store, args.due)
            base = before_issue_16(base_store, args.due)
            print(f"before (one page of 500 a firing): ticks={base.ticks} "
                  f"enqueued={base.enqueued} duplicates={base.duplicates} "
                  f"last hand-off {base.last_after_s:.1f} s after 08:00; ratio "
                  f"{base.last_after_s / max(run.last_after_s, 1e-9):.1f}x")
        print(f"burst: due={args.due} enqueued={run.enqueued} ticks={run.ticks} "
              f"duplicates={run.duplicates} first_to_last_s={run.first_to_last_s:.2f}")
    finally:
        stop()


if __name__ == "__main__":
    main()
