"""TaskQueue contract: MemoryTaskQueue (fake) vs CloudTasksQueue on gcloud-tasks-emulator.

What differs, and why the suite asserts only what holds for both:
- Delivery: the fake lists tasks (take()); the real queue POSTs them to the worker URL.
  The shared check is "the payload reaches the worker of that job, once enqueued".
- Duplicate names: the fake (like Cloud Tasks in Google Cloud) answers False for a name
  it has seen. gcloud-tasks-emulator does NOT reject duplicates (PLATFORM.md), so on
  the emulator the second enqueue answers True and both tasks are delivered. What holds
  for both: the first enqueue answers True, and every copy of a named task reaches the
  worker under the same hashed name (X-CloudTasks-TaskName), which is what workers
  deduplicate on.
- Auth: only the real queue attaches credentials: an OIDC token spec for the invoker
  account, which the emulator stores but does not sign or send; on the emulator a
  local identity mints the token Cloud Tasks would attach (emulator_id_token).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import pytest

from shared import runtime
from shared.adapters.cloud_tasks_queue import CloudTasksQueue, task_id
from shared.fakes.memory_tasks import MemoryTaskQueue
from shared.jobs import WORKERS, Job, job_of, queue_name
from shared.ports import TaskQueue
from tests.servers.tasks_emulator import TaskReceiver, TasksEmulator

INVOKER = "tasks-invoker@medbot.iam.gserviceaccount.com"


@dataclass(frozen=True)
class Delivery:
    job: Job
    payload: Any
    task_name: str | None  # the id the worker sees (real: hashed header; fake: raw name)


class Harness(Protocol):
    queue: TaskQueue
    real: bool

    def deliveries(self, count: int, timeout: float = 10.0) -> list[Delivery]: ...
    def delivered_by(self, when: datetime) -> list[Delivery]: ...


class FakeHarness:
    real = False

    def __init__(self) -> None:
        self.fake = MemoryTaskQueue()
        self.queue: TaskQueue = self.fake
        self._seen: list[Delivery] = []

    def _collect(self, now: datetime | None) -> list[Delivery]:
        self._seen += [Delivery(job_of(t.queue), t.payload, t.name) for t in self.fake.take(now)]
        return list(self._seen)

    def deliveries(self, count: int, timeout: float = 10.0) -> list[Delivery]:
        got = self._collect(datetime.now(UTC))
        assert len(got) >= count, f"expected {count} tasks, got {len(got)}"
        return got

    def delivered_by(self, when: datetime) -> list[Delivery]:
        return self._collect(when)


class EmulatorHarness:
    real = True

    def __init__(self, emulator: TasksEmulator, receiver: TaskReceiver) -> None:
        self.receiver = receiver
        self.queue: TaskQueue = CloudTasksQueue(
            emulator.project, emulator.location, receiver.url,
            oidc_service_account=INVOKER, emulator_host=emulator.host,
        )

    def _convert(self) -> list[Delivery]:
        by_path = {f"/{worker}": job for job, worker in WORKERS.items()}
        return [
            Delivery(by_path[r.path], r.json, r.headers.get("x-cloudtasks-taskname"))
            for r in self.receiver.requests
        ]

    def deliveries(self, count: int, timeout: float = 10.0) -> list[Delivery]:
        self.receiver.wait_for(count, timeout)
        return self._convert()

    def delivered_by(self, when: datetime) -> list[Delivery]:
        # Real time passes: wait until `when` (plus the emulator's 0.1 s polling).
        delay = (when - datetime.now(UTC)).total_seconds()
        time.sleep(max(0.0, delay) + 0.5)
        return self._convert()


@pytest.fixture(params=["memory", "cloudtasks-emulator"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "memory":
        yield FakeHarness()
    else:
        emulator = request.getfixturevalue("tasks_emulator")
        receiver = request.getfixturevalue("task_receiver")
        yield EmulatorHarness(emulator, receiver)


def test_enqueue_delivers_payload_to_the_jobs_worker(harness: Harness) -> None:
    payload = {"event": "abc", "text": "頭痛 / головная боль", "n": 3}

    assert harness.queue.enqueue(Job.DIALOG, payload) is True

    [delivery] = harness.deliveries(1)
    assert delivery.job is Job.DIALOG
    assert delivery.payload == payload


def test_each_job_goes_to_its_own_worker(harness: Harness) -> None:
    assert harness.queue.enqueue(Job.TTS, {"k": 1}, name="tts-1")
    assert harness.queue.enqueue(Job.EMAIL, {"k": 2}, name="email-1")

    got = {d.job: d.payload for d in harness.deliveries(2)}
    assert got == {Job.TTS: {"k": 1}, Job.EMAIL: {"k": 2}}


def test_duplicate_names(harness: Harness) -> None:
    first = harness.queue.enqueue(Job.REMIND, {"dose": "m1@08:00"}, name="remind:m1:0800")
    second = harness.queue.enqueue(Job.REMIND, {"dose": "m1@08:00"}, name="remind:m1:0800")

    assert first is True
    if harness.real:
        # The emulator accepts the repeat (Cloud Tasks would raise AlreadyExists ->
        # False); both copies arrive, under one stable hashed name.
        deliveries = harness.deliveries(2)
        assert {d.task_name for d in deliveries} == {task_id("remind:m1:0800")}
    else:
        assert second is False
        deliveries = harness.deliveries(1)
        assert [d.task_name for d in deliveries] == ["remind:m1:0800"]
    assert all(d.payload == {"dose": "m1@08:00"} for d in deliveries)


def test_schedule_at_is_honoured(harness: Harness) -> None:
    due = datetime.now(UTC) + timedelta(seconds=1.5)

    assert harness.queue.enqueue(Job.REMIND, {"due": "later"}, schedule_at=due)
    assert harness.queue.enqueue(Job.REMIND, {"due": "now"})

    early = harness.delivered_by(datetime.now(UTC))
    assert [d.payload for d in early] == [{"due": "now"}]
    late = harness.delivered_by(due + timedelta(seconds=0.2))
    assert sorted(d.payload["due"] for d in late) == ["later", "now"]


# --------------------------------------------------------------------------- real only
@pytest.mark.emulator
def test_emulator_dispatch_carries_url_auth_and_task_headers(
    tasks_emulator: TasksEmulator, task_receiver: TaskReceiver
) -> None:
    # The emulator signs nothing: the token Cloud Tasks would attach is minted locally
    # for the worker's URL (the audience Cloud Run checks).
    queue = CloudTasksQueue(
        tasks_emulator.project, tasks_emulator.location, task_receiver.url + "/",
        oidc_service_account=INVOKER, emulator_host=tasks_emulator.host,
        emulator_id_token=lambda audience: f"token-for.{audience}",
    )

    assert queue.enqueue(Job.GENERATE, {"topic": "x"}, name="gen-1")

    [req] = task_receiver.wait_for(1)
    assert req.method == "POST"
    assert req.path == f"/{WORKERS[Job.GENERATE]}"
    assert req.headers["authorization"] == (
        f"Bearer token-for.{task_receiver.url}/{WORKERS[Job.GENERATE]}")
    assert req.headers["content-type"] == "application/json"
    assert req.headers["x-cloudtasks-queuename"].endswith(queue_name(Job.GENERATE))
    assert req.headers["x-cloudtasks-taskname"] == task_id("gen-1")
    assert req.json == {"topic": "x"}


@pytest.mark.emulator
def test_emulator_retries_a_failed_dispatch(
    tasks_emulator: TasksEmulator, task_receiver: TaskReceiver
) -> None:
    queue = CloudTasksQueue(
        tasks_emulator.project, tasks_emulator.location, task_receiver.url,
        oidc_service_account=INVOKER, emulator_host=tasks_emulator.host,
    )
    task_receiver.respond_with(500)

    assert queue.enqueue(Job.STT, {"media": "m1"})

    first, second = task_receiver.wait_for(2)
    assert first.json == second.json == {"media": "m1"}
    assert second.headers["x-cloudtasks-taskretrycount"] == "1"


@pytest.mark.emulator
def test_oidc_mode_builds_a_token_spec_for_the_worker_url(
    tasks_emulator: TasksEmulator, task_receiver: TaskReceiver
) -> None:
    # The emulator neither signs nor sends OIDC tokens, so the check is on the stored
    # task: a paused queue in a project of its own keeps it for inspection.
    queue = CloudTasksQueue(
        "medbot-oidc", tasks_emulator.location, task_receiver.url,
        oidc_service_account=INVOKER, emulator_host=tasks_emulator.host,
    )
    queue.ensure_queues()
    queue.client.pause_queue(name=queue.queue_path(Job.TRANSLATE))

    assert queue.enqueue(Job.TRANSLATE, {"t": 1}, name="tr-1")

    [task] = list(queue.client.list_tasks(parent=queue.queue_path(Job.TRANSLATE)))
    assert task.name.endswith("/tasks/" + task_id("tr-1"))
    http = task.http_request
    assert http.url == f"{task_receiver.url}/{WORKERS[Job.TRANSLATE]}"
    assert http.oidc_token.service_account_email == INVOKER
    assert http.oidc_token.audience == http.url
    assert "Authorization" not in http.headers
    # Cloud Tasks waits for the attempt longer than the worker may run (runtime.json).
    deadline = runtime.dispatch_deadline_s(Job.TRANSLATE)
    assert deadline >= runtime.function(WORKERS[Job.TRANSLATE]).timeout_s
    assert task.dispatch_deadline.total_seconds() == deadline
    assert task_receiver.requests == []


def test_constructor_requires_the_invoker_and_emulator_tokens_only_on_the_emulator() -> None:
    with pytest.raises(ValueError):
        CloudTasksQueue("p", "l", "http://w", oidc_service_account="")
    with pytest.raises(ValueError):
        CloudTasksQueue("p", "l", "http://w", oidc_service_account="a@b",
                        emulator_id_token=lambda audience: "t")
