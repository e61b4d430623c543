"""The one table of per-function runtime settings (shared/runtime.json): its invariants,
and that Terraform and the code both use exactly its numbers (issue 20, item 2).

- threads >= concurrency: functions-framework runs THREADS gunicorn threads (default
  CPU count x 4); fewer than Cloud Run's concurrency and requests queue in the instance.
- timeout <= lease <= timeout + margin: a task's claim outlives every attempt Cloud Run
  lets run, and a timed-out attempt does not block its retries for minutes.
- dispatch deadline >= timeout: Cloud Tasks / Scheduler wait for Cloud Run's own 504
  instead of giving up on (and retrying) an attempt that still runs.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import pytest

import main
from shared import runtime
from shared.domain.messages import Text
from shared.jobs import WORKERS, Job
from shared.plumbing.runner import Outcome
from tests.deployment import function, only, plan
from tests.support import fake_container

TABLE = runtime.functions()
LEASED = sorted(name for name, fn in TABLE.items() if fn.lease_s is not None)


def seconds(duration: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)s", duration)
    assert match, duration
    return float(match[1])


# ------------------------------------------------------------------ the table itself


def test_the_table_has_one_row_per_entry_point() -> None:
    assert set(TABLE) == set(main.__all__)


def test_who_calls_each_function() -> None:
    assert {n for n, fn in TABLE.items() if fn.caller == "platform"} == {
        "line_webhook", "telegram_webhook"}
    assert {n for n, fn in TABLE.items() if fn.caller == "scheduler"} == {"reminder_tick"}
    assert {n for n, fn in TABLE.items() if fn.caller == "tasks"} == set(WORKERS.values())


@pytest.mark.parametrize("name", sorted(TABLE))
def test_threads_cover_the_concurrency(name: str) -> None:
    fn = TABLE[name]
    assert fn.concurrency >= 1
    assert fn.threads >= fn.concurrency


@pytest.mark.parametrize("name", sorted(TABLE))
def test_a_lease_spans_the_timeout_and_at_most_a_margin_more(name: str) -> None:
    fn = TABLE[name]
    if fn.caller != "tasks":  # webhooks and the tick run no TaskRunner
        assert fn.lease_s is None
        return
    assert fn.lease_s is not None
    assert fn.timeout_s <= fn.lease_s <= fn.timeout_s + runtime.lease_margin_s()


@pytest.mark.parametrize("name", sorted(TABLE))
def test_the_callers_deadline_outlasts_the_timeout(name: str) -> None:
    fn = TABLE[name]
    if fn.public:
        assert fn.dispatch_deadline_s is None  # LINE and Telegram set their own
        return
    assert fn.dispatch_deadline_s is not None
    assert fn.dispatch_deadline_s >= fn.timeout_s
    # Cloud Tasks' dispatch_deadline and Scheduler's attempt_deadline: 15 s to 30 min.
    assert 15 <= fn.dispatch_deadline_s <= 1800


def test_cloud_run_limits() -> None:
    for name, fn in TABLE.items():
        assert 1 <= fn.timeout_s <= 3600, name  # HTTP functions: up to 60 min
        assert fn.concurrency == 1 or float(fn.cpu) >= 1, name  # concurrency needs 1 vCPU


# ------------------------------------------------------------------ Terraform uses it


def test_terraform_reads_this_very_table() -> None:
    with runtime.TABLE_PATH.open(encoding="utf-8") as handle:
        assert plan().local("runtime") == json.load(handle)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_each_function_is_deployed_with_its_row(name: str) -> None:
    fn, deployed = TABLE[name], function(name)
    assert deployed.service["available_memory"] == fn.memory
    assert deployed.service["available_cpu"] == fn.cpu
    assert deployed.service["timeout_seconds"] == fn.timeout_s
    assert deployed.service["max_instance_request_concurrency"] == fn.concurrency
    assert deployed.env["THREADS"] == str(fn.threads)


def test_the_scheduler_waits_the_ticks_deadline() -> None:
    [job] = plan().of_type("google_cloud_scheduler_job")
    assert job.config["attempt_deadline"] == f"{TABLE['reminder_tick'].dispatch_deadline_s}s"


def min_backoff_s(worker: str) -> float:
    """The shortest first backoff of the queues feeding the worker (remind: its lanes)."""
    queues = [q for q in plan().of_type("google_cloud_tasks_queue")
              if q.each_value["worker"] == worker]
    assert queues, worker
    return min(seconds(only(q.config["retry_config"])["min_backoff"]) for q in queues)


@pytest.mark.parametrize("name", LEASED)
def test_the_first_retry_after_a_timeout_finds_the_task_free(name: str) -> None:
    # Cloud Tasks retries a timed-out attempt after at least min_backoff: by then the
    # lease must have ended, or the retry answers 429 and burns an attempt.
    fn = TABLE[name]
    assert fn.lease_s is not None
    assert fn.lease_s - fn.timeout_s <= min_backoff_s(name)


# ------------------------------------------------------------------ the code uses it


def test_every_runner_is_leased_for_its_own_workers_row() -> None:
    # Every task runs in a unit of work (shared/plumbing/work.py), whose runner for a
    # job kind is leased for that kind's worker.
    c = fake_container()
    assert c.dialog.work is c.work and c.job_kit.work is c.work
    for work in (c.work, c.reminders.sender.work):
        for job in Job:
            assert work.runner(job).lease_s == TABLE[WORKERS[job]].lease_s, job


def test_a_timed_out_translation_does_not_block_its_retry() -> None:
    # GIVEN a translation whose first attempt is still running inside the instance
    # (Cloud Run stops waiting at the timeout; the thread may run on)
    c = fake_container()
    runner, clock = c.job_kit.work.runner(Job.TRANSLATE), c.clock
    task = {"id": "t1", "channel": "telegram", "chat_id": "42", "user": "telegram:42"}
    sent: list[str] = []

    def decide(_txn: Any, prepared: str) -> Any:
        return c.job_kit.decision(task, [Text(text=prepared)])

    def apply(decision: Any) -> None:
        sent.append(decision.messages[0].text)

    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(10)
        return "first attempt"

    outcome: list[Outcome] = []
    first = threading.Thread(target=lambda: outcome.append(
        runner.process("translate:t1", decide, apply, slow)))
    first.start()
    assert started.wait(10)
    timeout = TABLE["translate_worker"].timeout_s

    # WHEN a duplicate delivery arrives while Cloud Run still lets the attempt run
    clock.advance(timeout - 1)  # type: ignore[attr-defined]
    # THEN it waits its turn
    assert runner.process("translate:t1", decide, apply, lambda: "duplicate") is Outcome.BUSY

    # WHEN Cloud Run has answered 504 and Cloud Tasks retries after its backoff
    clock.advance(1 + min_backoff_s("translate_worker"))  # type: ignore[attr-defined]
    # THEN the retry runs at once (not 429 for minutes) ...
    assert runner.process("translate:t1", decide, apply, lambda: "retry") is Outcome.DONE
    release.set()
    first.join(10)
    # ... and the late first attempt, having lost its claim, sends nothing
    assert outcome == [Outcome.DUPLICATE]
    assert sent == ["retry"]
