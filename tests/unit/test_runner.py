"""The exactly-once task runner: claims, leases, crashes between steps, replays."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from shared.clock import FixedClock
from shared.domain.signatures import stable_id
from shared.fakes.memory_store import MemoryStore
from shared.plumbing.runner import Outcome, TaskRunner


class Note(BaseModel):
    text: str


class Crash(Exception):
    pass


@pytest.fixture
def runner():
    return TaskRunner(MemoryStore(), FixedClock(), Note, lease_s=60)


def test_a_task_runs_once_and_its_repeats_are_duplicates(runner):
    applied: list[str] = []

    def decide(txn, _):
        txn.set("counters/c", {"n": (txn.get("counters/c") or {"n": 0})["n"]} | {"n": 1})
        return Note(text="hello")

    assert runner.process("t1", decide, lambda d: applied.append(d.text)) is Outcome.DONE
    for _ in range(3):
        assert runner.process("t1", decide, lambda d: applied.append(d.text)) \
            is Outcome.DUPLICATE
    assert applied == ["hello"]


def test_a_crash_after_deciding_replays_the_same_decision_without_deciding_again(runner):
    decided: list[int] = []
    applied: list[str] = []

    def decide(txn, _):
        decided.append(1)
        return Note(text=f"decision {len(decided)}")

    def crash(_):
        raise Crash

    with pytest.raises(Crash):
        runner.process("t1", decide, crash)
    assert runner.process("t1", decide, lambda d: applied.append(d.text)) is Outcome.REPLAYED
    assert decided == [1]
    assert applied == ["decision 1"]


def test_a_crash_before_deciding_releases_the_claim_and_nothing_is_written(runner):
    def failing_prepare():
        raise Crash

    with pytest.raises(Crash):
        runner.process("t1", lambda txn, p: Note(text="x"), lambda d: None, failing_prepare)
    assert runner.store.query("jobs") == []
    assert runner.process("t1", lambda txn, p: Note(text=p), lambda d: None,
                          lambda: "ok") is Outcome.DONE


def test_a_crash_inside_the_transaction_applies_none_of_its_writes(runner):
    def decide(txn, _):
        txn.set("things/a", {"x": 1})
        raise Crash

    with pytest.raises(Crash):
        runner.process("t1", decide, lambda d: None)
    assert runner.store.get("things/a") is None


def test_a_live_lease_makes_a_concurrent_delivery_busy_and_an_expired_one_is_taken_over():
    clock = FixedClock()
    runner = TaskRunner(MemoryStore(), clock, Note, lease_s=60)
    # A delivery claimed the task and died (no release: killed process).
    runner._claim(f"jobs/{stable_id('t1')}", "a-killed-delivery")
    assert runner.process("t1", lambda txn, _: Note(text="x"), lambda d: None) is Outcome.BUSY
    clock.advance(61)
    assert runner.process("t1", lambda txn, _: Note(text="x"), lambda d: None) is Outcome.DONE


def test_a_delivery_overtaken_after_its_lease_ran_out_does_not_decide_or_send():
    clock = FixedClock()
    runner = TaskRunner(MemoryStore(), clock, Note, lease_s=60)
    sent: list[str] = []

    def slow_prepare():
        # While this delivery is stuck in its model call, its lease runs out and a
        # second delivery of the same task claims it, decides and sends.
        clock.advance(61)
        assert runner.process("t1", lambda txn, _: Note(text="second"),
                              lambda d: sent.append(d.text)) is Outcome.DONE
        return "late"

    outcome = runner.process("t1", lambda txn, p: Note(text=p), lambda d: sent.append(d.text),
                             slow_prepare)
    assert outcome is Outcome.DUPLICATE
    assert sent == ["second"]
