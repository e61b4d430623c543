"""The remind queue's lanes and the sweep queue against the platforms' published limits
(issue 16; docs/reminders-at-scale.md): Cloud Tasks dispatches at most 500 tasks/s per
queue, LINE takes 2,000 pushes/s per channel, Telegram about 30 messages/s per bot."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from shared.jobs import LANES, Job, job_of, lane_queue, queue_names
from tests.deployment import only, plan

CLOUD_TASKS_MAX_PER_S = 500
LINE_PUSH_PER_S = 2000
TELEGRAM_PER_S = 30


def rates() -> dict[str, dict[str, Any]]:
    return {str(q.config["name"]): only(q.config["rate_limits"])
            for q in plan().of_type("google_cloud_tasks_queue")}


def test_every_queue_stays_within_cloud_tasks_dispatch_limit() -> None:
    for name, limits in rates().items():
        assert 0 < float(limits["max_dispatches_per_second"]) <= CLOUD_TASKS_MAX_PER_S, name


def test_each_channels_lanes_add_up_to_less_than_its_platform_allows() -> None:
    limits = rates()
    per_channel: dict[str, float] = defaultdict(float)
    for name in queue_names(Job.REMIND)[1:]:
        channel = name.removeprefix("medbot-remind-").rsplit("-", 1)[0]
        per_channel[channel] += float(limits[name]["max_dispatches_per_second"])
    assert set(per_channel) == set(LANES[Job.REMIND])
    # A margin below each limit: the bot's replies and other pushes share it.
    assert 0.8 * LINE_PUSH_PER_S <= per_channel["line"] < LINE_PUSH_PER_S
    assert per_channel["telegram"] < TELEGRAM_PER_S
    # Several lanes only where one queue could not carry the rate (or the burst's task
    # creation at 500/s per cold queue).
    assert per_channel["line"] > CLOUD_TASKS_MAX_PER_S


def test_the_queues_of_a_worker_never_dispatch_more_than_it_can_take() -> None:
    # Beyond max_instances x concurrency Cloud Run answers 429 and every bounced task
    # burns one of its attempts.
    functions = plan().local("functions")
    in_flight: dict[str, int] = defaultdict(int)
    for q in plan().of_type("google_cloud_tasks_queue"):
        limits = only(q.config["rate_limits"])
        in_flight[q.each_value["worker"]] += int(limits["max_concurrent_dispatches"])
    for worker, total in in_flight.items():
        fn = functions[worker]
        assert total <= int(fn["max_instances"]) * int(fn["concurrency"]), worker


def test_a_patient_always_goes_to_the_same_lane_of_their_channel() -> None:
    line = {lane_queue(Job.REMIND, "line", key) for key in range(64)}
    telegram = {lane_queue(Job.REMIND, "telegram", key) for key in range(64)}
    assert line == {f"remind-line-{i}" for i in range(4)}
    assert telegram == {f"remind-telegram-{i}" for i in range(4)}
    assert lane_queue(Job.REMIND, "line", 5) == lane_queue(Job.REMIND, "line", 5)
    assert lane_queue(Job.REMIND, "other", 5) == "remind"  # no lanes: the job's own queue
    assert lane_queue(Job.DIALOG, "line", 5) == "dialog"
    assert all(job_of(q) is Job.REMIND for q in line | telegram)
