"""Fixtures: gcloud-tasks-emulator (its own venv, it pins protobuf<5) and a task receiver.

`tasks_emulator` (session): the emulator on a free port with every job's queue created
for TASKS_PROJECT / TASKS_LOCATION. Started with a bounded retry count so a task whose
receiver is gone (an earlier test's) is not retried every 0.1 s forever.

`task_receiver` (per test): a local HTTP server standing in for the worker functions;
it records every request (path, headers, body) and answers the statuses a test queues
with respond_with() (200 when none), so a test sees what was really dispatched.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.servers._util import free_port, port_open, stop, wait_until

ROOT = Path(__file__).resolve().parents[2]
EMULATOR_BIN = ROOT / ".venv-tasks" / "bin" / "gcloud-tasks-emulator"
TASKS_PROJECT = "medbot-test"
TASKS_LOCATION = "asia-east1"
EMULATOR_MAX_RETRIES = 20


@dataclass(frozen=True)
class TasksEmulator:
    host: str  # "127.0.0.1:PORT", for CloudTasksQueue(emulator_host=...)
    project: str
    location: str


@dataclass(frozen=True)
class ReceivedTask:
    method: str
    path: str
    headers: dict[str, str]  # keys lower-cased
    body: bytes
    received_at: float  # time.monotonic()

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class TaskReceiver:
    def __init__(self) -> None:
        self.requests: list[ReceivedTask] = []
        self._statuses: deque[int] = deque()
        self._cond = threading.Condition()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> TaskReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def respond_with(self, *statuses: int) -> None:
        """Answer the next requests with these statuses, in order (then 200)."""
        with self._cond:
            self._statuses.extend(statuses)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedTask]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} task deliveries, got {len(self.requests)}"
                    )
                self._cond.wait(left)
            return list(self.requests)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._cond:
                    receiver.requests.append(ReceivedTask(
                        self.command, self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        body, time.monotonic(),
                    ))
                    status = receiver._statuses.popleft() if receiver._statuses else 200
                    receiver._cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler


@pytest.fixture(scope="session")
def tasks_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TasksEmulator]:
    if not EMULATOR_BIN.exists():
        pytest.fail(
            f"{EMULATOR_BIN} is missing: python3 -m venv .venv-tasks && "
            ".venv-tasks/bin/pip install gcloud-tasks-emulator"
        )
    port = free_port()
    log_path = tmp_path_factory.mktemp("tasks-emulator") / "emulator.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [str(EMULATOR_BIN), "start", "--port", str(port), "--quiet",
             "--max-retries", str(EMULATOR_MAX_RETRIES)],
            stdout=log_file, stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: port_open(port), timeout=30, what="gcloud-tasks-emulator")
        emulator = TasksEmulator(f"127.0.0.1:{port}", TASKS_PROJECT, TASKS_LOCATION)
        from shared.adapters.cloud_tasks_queue import CloudTasksQueue

        CloudTasksQueue(
            emulator.project, emulator.location, "http://unused",
            oidc_service_account="unused@medbot-test.iam.gserviceaccount.com",
            emulator_host=emulator.host,
        ).ensure_queues()
        yield emulator
    finally:
        stop(process)


@pytest.fixture
def task_receiver() -> Iterator[TaskReceiver]:
    receiver = TaskReceiver().start()
    yield receiver
    receiver.stop()
