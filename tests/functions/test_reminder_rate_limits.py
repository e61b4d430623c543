"""A LINE or Telegram 429 at a reminder's send (issue 16): waited out in the worker when
short, else the task fails and its lane retries it; the reminder arrives once. Remind
tasks travel in their channel's lane (shared/jobs.py). Through the real entry points,
on fakes."""

from __future__ import annotations

import pytest

from shared.clock import FixedClock
from shared.domain.channels import Channel
from shared.fakes.recording_messenger import RecordingMessenger
from shared.plumbing.delivery import Delivery
from tests.functions.test_reminder_retract import (
    START,
    at,
    say_line,
    sent_reminders,
    tick,
    with_schedule,
)
from tests.support import (
    DEV_TOKEN,
    LINE_USER,
    client,
    fake_container,
    registered_store,
    serving,
)


@pytest.fixture
def slept() -> list[float]:
    return []


@pytest.fixture
def c(slept):
    container = fake_container()
    container.__dict__["store"] = registered_store()
    container.__dict__["clock"] = FixedClock(START)
    container.__dict__["delivery"] = Delivery(container.store, container.clock,
                                              container.messengers, sleep=slept.append)
    with serving(container):
        yield container


def the_remind_task(c, lane_prefix: str):
    [task] = c.tasks.take(c.clock.now())
    assert task.queue.startswith(lane_prefix), task.queue
    return task


def attempt(task) -> int:
    response = client("remind_worker").post(
        "/", json=task.payload, headers={"Authorization": f"Bearer {DEV_TOKEN}"})
    return response.status_code


def test_telegram_429_with_a_long_retry_after_fails_the_task_and_the_retry_sends_once(c, slept):
    with_schedule(c)
    c.messengers[Channel.TELEGRAM].fail_next(status=429, retry_after_s=60)
    tick(c, at(5, 10), run=False)
    task = the_remind_task(c, "remind-telegram-")
    assert attempt(task) != 200  # too long to wait in the worker: the lane retries
    assert slept == [] and sent_reminders(c) == []
    assert attempt(task) == 200
    assert attempt(task) == 200  # delivered once more by Cloud Tasks: nothing sent
    assert len(sent_reminders(c)) == 1


def test_telegram_429_with_a_short_retry_after_is_waited_out(c, slept):
    with_schedule(c)
    c.messengers[Channel.TELEGRAM].fail_next(status=429, retry_after_s=2)
    tick(c, at(5, 10), run=False)
    assert attempt(the_remind_task(c, "remind-telegram-")) == 200
    assert slept == [2] and len(sent_reminders(c)) == 1


def test_line_429_backs_off_then_the_lane_retries_and_the_reminder_arrives_once(c, slept):
    say_line(c, data="mode:med")
    say_line(c, data="med:tz:UTC")
    say_line(c, "add aspirin 100 mg at 10:00")
    line: RecordingMessenger = c.messengers[Channel.LINE]
    line.fail_next(4, status=429)  # no Retry-After: 1, 2, 4 s, then give up
    tick(c, at(5, 10), run=False)
    task = the_remind_task(c, "remind-line-")
    assert attempt(task) != 200
    assert slept == [1.0, 2.0, 4.0]
    assert attempt(task) == 200
    assert len(sent_reminders(c, Channel.LINE, LINE_USER)) == 1
    assert sent_reminders(c) == []  # nothing to the Telegram chat

