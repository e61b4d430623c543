"""The tick's fan-out (issue 16): a firing with more due doses than a probe hands every
one of them to the queues through shard sweeps, each exactly once, in its channel's
lane; a sweep out of time continues itself; the hand-off is paced."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from shared.clock import FixedClock
from shared.fakes.memory_store import MemoryStore
from shared.fakes.memory_tasks import MemoryTaskQueue, QueuedTask
from shared.features.medication.model import DailyAt, Dose
from shared.features.medication.repository import (
    SHARDS,
    MedicationRepository,
    dose_doc,
    shard_of,
)
from shared.features.reminders.tick import ReminderTick, shard_groups
from shared.jobs import Job, job_of, lane_queue

EIGHT = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # 08:00 in Taipei


def seed(store: MemoryStore, n: int, doses_each: int = 1) -> None:
    for i in range(n):
        user = f"line-U{i:04x}" if i % 2 else f"telegram-{i}"
        for d in range(doses_each):
            dose = Dose.first(f"d{i}-{d}", user, None, f"med{d}", "", DailyAt("08:00"),
                              "Asia/Taipei", EIGHT - timedelta(hours=1))
            store.set(f"doses/{dose.id}", dose_doc(dose))


def ticker(store: MemoryStore, tasks: MemoryTaskQueue, clock: FixedClock,
           **kwargs: object) -> ReminderTick:
    return ReminderTick(store, tasks, clock, handoff_per_s=None, probe=10, **kwargs)  # type: ignore[arg-type]


def run_sweeps(tick: ReminderTick, tasks: MemoryTaskQueue) -> tuple[list[QueuedTask], int]:
    """Run sweep tasks (and their continuations) until none is left; the remind tasks."""
    reminds: list[QueuedTask] = []
    sweeps = 0
    while pending := tasks.take():
        for task in pending:
            if job_of(task.queue) is Job.SWEEP:
                sweeps += 1
                tick.sweep(task.payload)
            else:
                reminds.append(task)
    return reminds, sweeps


def items(reminds: list[QueuedTask]) -> Counter[str]:
    return Counter(str(i["dose_id"]) for t in reminds for i in t.payload["items"])


def test_shard_groups_cover_every_shard_once_within_firestores_in_limit() -> None:
    groups = shard_groups()
    assert sorted(s for g in groups for s in g) == list(range(SHARDS))
    assert all(0 < len(g) <= 30 for g in groups) and len(groups) == 3


def test_a_few_due_doses_are_claimed_by_the_tick_itself() -> None:
    store, tasks, clock = MemoryStore(), MemoryTaskQueue(), FixedClock(EIGHT)
    seed(store, 5)
    result = ticker(store, tasks, clock).tick()
    assert result == {"due": 5, "users": 5, "enqueued": 5}
    assert all(job_of(t.queue) is Job.REMIND for t in tasks.tasks)


def test_a_burst_fans_out_to_sweeps_and_every_dose_is_enqueued_once() -> None:
    for page in (500, 7):  # a shard in one page, and in many
        store, tasks = MemoryStore(), MemoryTaskQueue()
        clock = FixedClock(EIGHT + timedelta(seconds=5))
        seed(store, 400, doses_each=2)
        tick = ticker(store, tasks, clock, page=page)
        first = tick.tick()
        assert first["sweeps"] > 0
        # Cloud Scheduler delivers the firing twice: the sweeps' names are taken already.
        assert tick.tick().get("sweeps", 0) == 0
        reminds, _ = run_sweeps(tick, tasks)
        per_dose = items(reminds)
        assert len(per_dose) == 800 and set(per_dose.values()) == {1}
        for task in reminds:  # in the patient's channel's lane
            user = str(task.payload["user"])
            assert task.queue == lane_queue(Job.REMIND, user.split("-", 1)[0], shard_of(user))
        if page == 500:
            # One reminder per patient: their two medicines due together.
            assert len(reminds) == 400
            assert all(len(t.payload["items"]) == 2 for t in reminds)
        else:
            # A page boundary can split a patient's doses due at the same instant into
            # two reminders (each dose still once), as the unsharded tick's could.
            assert 400 <= len(reminds) < 800
        assert tick.tick() == {"due": 0, "users": 0, "enqueued": 0}


@pytest.mark.parametrize("page", [2, 500])  # out of time between pages, or within one
def test_a_sweep_out_of_time_continues_in_a_new_task(page: int) -> None:
    store, tasks, clock = MemoryStore(), MemoryTaskQueue(), FixedClock(EIGHT)
    seed(store, 300)
    ticks = iter(range(10**6))
    tick = ticker(store, tasks, clock, page=page, parallel=2, budget_s=3.0,
                  monotonic=lambda: float(next(ticks)))  # one second per reading
    tick.tick()
    reminds, sweeps = run_sweeps(tick, tasks)
    assert sweeps > SHARDS  # continuations ran
    assert set(items(reminds).values()) == {1} and len(items(reminds)) == 300


def test_sweeps_of_one_shard_at_once_and_the_tick_remind_each_dose_once() -> None:
    store, tasks, clock = MemoryStore(), MemoryTaskQueue(), FixedClock(EIGHT)
    seed(store, 200)
    tick = ticker(store, tasks, clock, page=3)
    shard = shard_of("telegram-0")
    task = {"id": "x", "minute": "m", "shard": shard, "seq": 0}
    threads = [threading.Thread(target=tick.sweep, args=(task,)) for _ in range(4)]
    threads.append(threading.Thread(target=tick.tick))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reminds, _ = run_sweeps(tick, tasks)
    assert set(items(reminds).values()) == {1} and len(items(reminds)) == 200


def test_the_hand_off_is_paced() -> None:
    store, tasks, clock = MemoryStore(), MemoryTaskQueue(), FixedClock(EIGHT)
    seed(store, 400)
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    per_s = 64.0 * 4  # 4 patients a second per shard
    tick = ReminderTick(store, tasks, clock, handoff_per_s=per_s, parallel=2, probe=10,
                        sleep=sleep, monotonic=lambda: now[0])
    tick.tick()
    [sweep] = [t for t in tasks.take() if t.payload.get("shard") == shard_of("telegram-0")]
    tick.sweep(sweep.payload)
    handed = sum(1 for t in tasks.take() if job_of(t.queue) is Job.REMIND)
    # Batches of 2 at 4 a second: the last batch starts (handed - 2) / 4 s in.
    assert handed > 4 and now[0] >= (handed - 2) / 4 - 1e-9 and slept


def test_doses_written_before_sharding_are_found_again_after_the_backfill() -> None:
    store, tasks, clock = MemoryStore(), MemoryTaskQueue(), FixedClock(EIGHT)
    seed(store, 6, doses_each=2)
    for path, doc in store.query("doses"):  # as written before the shard field existed
        store.set(path, {k: v for k, v in doc.items() if k != "shard"})
    tick = ticker(store, tasks, clock)
    assert tick.tick()["due"] == 0  # the sharded query cannot see them
    assert MedicationRepository(store).add_shards() == (6, 12)
    assert MedicationRepository(store).add_shards() == (6, 0)  # idempotent
    assert tick.tick() == {"due": 12, "users": 6, "enqueued": 6}
