"""The unit of work: one task's claim, decision, state changes and usage counters in
one transaction, and task ids formatted in one place."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.clock import FixedClock
from shared.domain import usage
from shared.domain.channels import Channel
from shared.domain.decision import Decision
from shared.domain.signatures import stable_id
from shared.fakes.memory_store import MemoryStore
from shared.fakes.scripted_llm import ScriptedModel
from shared.jobs import Job
from shared.plumbing.metering import MeteredModel
from shared.plumbing.runner import Outcome
from shared.plumbing.work import TaskRef, UnitOfWork, Work
from shared.ports import LlmText

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
USER = "telegram-1"
ROOT = Path(__file__).resolve().parents[2]


def decision() -> Decision:
    return Decision(channel=Channel.TELEGRAM, chat_id="1", user_key=USER)


def usage_counts(store: MemoryStore) -> dict[str, int]:
    doc = store.get(usage.usage_path(USER, NOW))
    return dict(doc["counts"]) if doc else {}


def test_task_ids_are_formatted_in_one_place():
    ref = TaskRef(Job.DIALOG, "abc")
    assert str(ref) == "dialog:abc" and ref.name == "dialog-abc"
    follow = ref.follow_up(Job.GENERATE, 1)
    assert follow == TaskRef(Job.GENERATE, stable_id("dialog:abc", "1"))
    assert follow == ref.follow_up(Job.GENERATE, 1)  # the same on every retry
    assert follow != ref.follow_up(Job.GENERATE, 0)
    request = follow.request({"user": USER})
    assert request.name == f"generate-{follow.id}" and request.payload == {
        "id": follow.id, "user": USER}
    assert ref.rescheduled(2) == "dialog-abc-deferred-2"


def test_model_calls_and_decided_counters_are_written_with_the_decision():
    store = MemoryStore()
    work = UnitOfWork(store, FixedClock(NOW))
    model = MeteredModel(ScriptedModel().add_text(LlmText(text="x", input_tokens=3,
                                                          output_tokens=5)))

    def decide(w: Work, prepared: str) -> Decision:
        w.set("leaflets/1", {"user_id": USER, "text": prepared})
        w.count({"action.test": 1})
        return decision()

    outcome = work.run(TaskRef(Job.GENERATE, "t1"), decide, lambda d: None,
                       prepare=lambda: model.generate("s", "p").text, user=USER,
                       channel="telegram")
    assert outcome is Outcome.DONE
    assert usage_counts(store) == {"action.test": 1, usage.LLM_CALLS: 1,
                                   usage.LLM_INPUT_TOKENS: 3, usage.LLM_OUTPUT_TOKENS: 5}
    assert (store.get(usage.usage_path(USER, NOW)) or {})["channel"] == "telegram"
    # A redelivery neither decides nor counts again.
    assert work.run(TaskRef(Job.GENERATE, "t1"), decide, lambda d: None, user=USER) \
        is Outcome.DUPLICATE
    assert usage_counts(store)["action.test"] == 1


def test_a_failing_decision_writes_nothing_not_even_its_usage():
    store = MemoryStore()
    work = UnitOfWork(store, FixedClock(NOW))

    def decide(w: Work, _: object) -> Decision:
        w.set("leaflets/1", {"user_id": USER})
        w.count({"action.test": 1})
        raise RuntimeError("crash in decide")

    with pytest.raises(RuntimeError):
        work.run(TaskRef(Job.GENERATE, "t2"), decide, lambda d: None, user=USER)
    assert store.get("leaflets/1") is None and usage_counts(store) == {}


def test_an_erased_user_or_a_task_of_no_one_counts_nothing():
    store = MemoryStore()
    work = UnitOfWork(store, FixedClock(NOW))

    def forget(w: Work, _: object) -> Decision:
        w.count({"action.test": 1})
        w.forget_usage()
        return decision()

    def no_one(w: Work, _: object) -> Decision:
        w.count({"action.test": 1})
        return decision()

    work.run(TaskRef(Job.DIALOG, "t3"), forget, lambda d: None, user=USER)
    work.run(TaskRef(Job.EMAIL, "t4"), no_one, lambda d: None)
    assert usage_counts(store) == {}


def test_each_job_kind_has_its_own_lease():
    work = UnitOfWork(MemoryStore(), FixedClock(NOW), lease_s=lambda job: len(job.value))
    assert work.runner(Job.TTS).lease_s == 3 and work.runner(Job.DIALOG).lease_s == 6


def test_only_the_unit_of_work_runs_tasks():
    """No feature or plumbing module builds its own TaskRunner or calls process():
    every task's usage and state go through UnitOfWork.run."""
    allowed = {ROOT / "shared/plumbing/work.py", ROOT / "shared/plumbing/runner.py"}
    offenders = []
    for path in [*(ROOT / "shared").rglob("*.py"), *(ROOT / "functions").rglob("*.py")]:
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (func.attr if isinstance(func, ast.Attribute)
                    else func.id if isinstance(func, ast.Name) else None)
            if name in ("TaskRunner", "process"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
