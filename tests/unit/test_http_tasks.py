"""HttpTaskQueue (embedded local stack) against a local HTTP receiver."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from shared.adapters.cloud_tasks_queue import task_id
from shared.adapters.http_tasks import HttpTaskQueue
from shared.jobs import WORKERS, Job, queue_name
from tests.servers._util import free_port
from tests.servers.tasks_emulator import TaskReceiver

T0 = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)


def _token(audience: str) -> str:
    return f"token-for.{audience}"


class MovableClock:
    def __init__(self, start: datetime) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(T0)


@pytest.fixture
def queue(task_receiver: TaskReceiver, clock: MovableClock) -> Iterator[HttpTaskQueue]:
    q = HttpTaskQueue(task_receiver.url, _token,
                      clock=clock, max_attempts=4,
                      min_backoff_s=0.01, max_backoff_s=0.05, poll_s=0.05)
    yield q
    q.close()


def test_posts_payload_with_auth_and_cloud_tasks_headers(
    queue: HttpTaskQueue, task_receiver: TaskReceiver
) -> None:
    assert queue.enqueue(Job.DIALOG, {"text": "héllo 你好"}, name="evt-1") is True

    [req] = task_receiver.wait_for(1)
    assert req.path == f"/{WORKERS[Job.DIALOG]}"
    assert req.json == {"text": "héllo 你好"}
    # The ID token Cloud Tasks attaches: for the worker's URL as audience.
    assert req.headers["authorization"] == (
        f"Bearer token-for.{task_receiver.url}/{WORKERS[Job.DIALOG]}")
    assert req.headers["content-type"] == "application/json"
    assert req.headers["x-cloudtasks-queuename"] == queue_name(Job.DIALOG)
    assert req.headers["x-cloudtasks-taskname"] == task_id("evt-1")  # same id as Cloud Tasks
    assert req.headers["x-cloudtasks-taskretrycount"] == "0"


def test_retries_500_with_backoff_then_succeeds(
    queue: HttpTaskQueue, task_receiver: TaskReceiver
) -> None:
    task_receiver.respond_with(500, 503)

    assert queue.enqueue(Job.GENERATE, {"n": 1})

    reqs = task_receiver.wait_for(3)
    assert [r.headers["x-cloudtasks-taskretrycount"] for r in reqs] == ["0", "1", "2"]
    assert reqs[1].received_at - reqs[0].received_at >= 0.01  # backed off
    assert queue.wait_idle(2)
    assert len(task_receiver.requests) == 3  # nothing after the 200
    assert queue.dead_letters == []


def test_gives_up_after_max_attempts(queue: HttpTaskQueue, task_receiver: TaskReceiver) -> None:
    task_receiver.respond_with(500, 500, 500, 500, 500)

    assert queue.enqueue(Job.EMAIL, {"n": 1}, name="mail-1")

    assert queue.wait_idle(3)
    assert len(task_receiver.requests) == 4
    assert queue.dead_letters == [(Job.EMAIL.value, task_id("mail-1"))]


def test_connection_errors_are_retried_then_dropped(clock: MovableClock) -> None:
    q = HttpTaskQueue(f"http://127.0.0.1:{free_port()}", _token, clock=clock, max_attempts=3,
                      min_backoff_s=0.01, poll_s=0.05)
    try:
        assert q.enqueue(Job.TTS, {"n": 1})
        assert q.wait_idle(5)
        assert len(q.dead_letters) == 1
    finally:
        q.close()


def test_names_are_deduplicated(queue: HttpTaskQueue, task_receiver: TaskReceiver) -> None:
    assert queue.enqueue(Job.REMIND, {"dose": 1}, name="remind:m1:0800") is True
    assert queue.enqueue(Job.REMIND, {"dose": 1}, name="remind:m1:0800") is False
    assert queue.enqueue(Job.REMIND, {"dose": 2}, name="remind:m1:2000") is True

    task_receiver.wait_for(2)
    assert queue.wait_idle(2)
    assert sorted(r.json["dose"] for r in task_receiver.requests) == [1, 2]


def test_scheduled_task_waits_for_the_clock(
    queue: HttpTaskQueue, task_receiver: TaskReceiver, clock: MovableClock
) -> None:
    assert queue.enqueue(Job.REMIND, {"at": "09:00"}, schedule_at=T0 + timedelta(hours=1))
    assert queue.enqueue(Job.REMIND, {"at": "past"}, schedule_at=T0 - timedelta(minutes=1))

    task_receiver.wait_for(1)
    time.sleep(0.2)  # several scheduler polls: the future task must stay put
    assert [r.json for r in task_receiver.requests] == [{"at": "past"}]
    assert queue.pending() == 1

    clock.advance(timedelta(minutes=59))
    queue.clock_moved()
    time.sleep(0.1)
    assert len(task_receiver.requests) == 1

    clock.advance(timedelta(minutes=1))
    queue.clock_moved()
    reqs = task_receiver.wait_for(2, timeout=2)
    assert reqs[1].json == {"at": "09:00"}
    assert queue.wait_idle(2, include_scheduled=True)


def test_enqueue_after_close_is_refused(task_receiver: TaskReceiver) -> None:
    q = HttpTaskQueue(task_receiver.url, _token)
    q.close()
    with pytest.raises(RuntimeError):
        q.enqueue(Job.DIALOG, {})


def test_naive_schedule_is_rejected(queue: HttpTaskQueue) -> None:
    with pytest.raises(ValueError):
        queue.enqueue(Job.DIALOG, {}, schedule_at=datetime(2030, 1, 1))
