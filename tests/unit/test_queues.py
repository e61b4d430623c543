"""Retries end where the configuration says (issue 18, item 6).

Cloud Tasks stops retrying a task only when BOTH limits are reached: it has been
attempted max_attempts times AND max_retry_duration has passed since the first attempt
("0s": no age limit). Cloud Scheduler does the same with retry_count. The schedule
below follows Cloud Tasks' documented backoff: min_backoff, doubled max_doublings
times, then growing linearly by min_backoff x 2^max_doublings, capped at max_backoff.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from shared import runtime
from tests.deployment import only, plan


def seconds(duration: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)s", duration)
    assert match, duration
    return float(match[1])


def intervals(min_s: float, max_s: float, doublings: int):
    k = 0
    while True:
        k += 1
        if k <= doublings + 1:
            step = min_s * 2 ** (k - 1)
        else:
            step = min_s * 2 ** doublings * (k - doublings)
        yield min(step, max_s)


def attempts(max_attempts: int, max_retry_duration_s: float, min_s: float, max_s: float,
             doublings: int) -> list[float]:
    """When each attempt is made (seconds after the first), if every attempt fails."""
    times, now = [0.0], 0.0
    for step in intervals(min_s, max_s, doublings):
        count_reached = max_attempts != -1 and len(times) >= max_attempts
        age_reached = max_retry_duration_s == 0 or now >= max_retry_duration_s
        if (count_reached and age_reached) or len(times) > 10_000:
            return times
        now += step
        times.append(now)
    raise AssertionError("unreachable")


def test_the_backoff_follows_cloud_tasks_documented_example() -> None:
    # "min_backoff 10s, max_backoff 300s, max_doublings 3: retries at 10s, 20s, 40s,
    # 80s, 160s, 240s, 300s, 300s, ..." (RetryConfig reference).
    gen = intervals(10, 300, 3)
    assert [next(gen) for _ in range(8)] == [10, 20, 40, 80, 160, 240, 300, 300]


QUEUES = {q.config["name"]: q for q in plan().of_type("google_cloud_tasks_queue")}


def retry_of(name: str) -> dict[str, Any]:
    return dict(only(QUEUES[name].config["retry_config"]))


def schedule(name: str) -> list[float]:
    r = retry_of(name)
    return attempts(r["max_attempts"], seconds(r["max_retry_duration"]),
                    seconds(r["min_backoff"]), seconds(r["max_backoff"]), r["max_doublings"])


@pytest.mark.parametrize("name", sorted(QUEUES))
def test_max_attempts_alone_decides(name: str) -> None:
    r = retry_of(name)
    assert r["max_retry_duration"] == "0s", "both limits must be reached: the age limit " \
        "would keep a queue meant for a few attempts retrying for its whole duration"
    assert r["max_attempts"] >= 1
    assert len(schedule(name)) == r["max_attempts"]


@pytest.mark.parametrize("name", sorted(QUEUES))
def test_retries_outlast_a_crashed_attempts_lease(name: str) -> None:
    # A worker that crashes keeps its task's claim for its lease: the last retry must
    # come after that, or the task is dropped with every retry answered "busy".
    lease = runtime.function(QUEUES[name].each_value["worker"]).lease_s
    assert lease is not None
    assert schedule(name)[-1] > lease


@pytest.mark.parametrize(("name", "low_s", "high_s"), [
    ("medbot-email", 20 * 3600, 30 * 3600),  # SMTP outages: keep trying for about a day
    ("medbot-remind", 10 * 60, 20 * 60),  # about 15 minutes, then the hourly repeat
    ("medbot-dialog", 15 * 60, 30 * 60),
])
def test_retry_spans_match_their_intent(name: str, low_s: float, high_s: float) -> None:
    assert low_s <= schedule(name)[-1] <= high_s


@pytest.mark.parametrize("name", ["medbot-generate", "medbot-translate", "medbot-tts",
                                  "medbot-stt"])
def test_gemini_queues_try_a_few_times_only(name: str) -> None:
    assert len(schedule(name)) <= 5


def test_the_scheduler_retries_a_tick_once() -> None:
    [job] = plan().of_type("google_cloud_scheduler_job")
    r = only(job.config["retry_config"])
    assert r["max_retry_duration"] == "0s"
    made = attempts(1 + r["retry_count"], seconds(r["max_retry_duration"]),
                    seconds(r["min_backoff_duration"]), seconds(r["max_backoff_duration"]),
                    r["max_doublings"])
    assert len(made) == 2
    assert made[-1] < 60  # before the next firing
