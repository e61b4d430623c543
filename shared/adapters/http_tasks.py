"""TaskQueue for the embedded local stack: plays Cloud Tasks with real HTTP.

Tasks are POSTed as JSON to f"{worker_base_url}/{WORKERS[job]}" with Cloud Tasks'
X-CloudTasks-* headers and, as Cloud Tasks attaches it, an ID token for the invoker
account with the worker URL as audience (id_token(audience), minted by the local
identity, shared/adapters/local_identity.py), from a small thread pool. Like Cloud
Tasks it:
- deduplicates task names (in memory: this queue lives as long as the local stack);
- holds a task until its schedule_at, judged by the injected Clock, so the chat
  simulator can move time forward (call clock_moved() to wake the scheduler at once;
  it also polls every poll_s);
- retries any non-2xx answer and connection errors with exponential backoff
  (min_backoff_s doubling, capped at max_backoff_s) up to max_attempts, then drops the
  task into dead_letters. Retry delays run on the real monotonic clock: backoff is
  about the worker's health, not about the simulated day;
- waits for each attempt at most its worker's dispatch deadline (shared/runtime.json).
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import httpx

from shared import runtime
from shared.clock import SystemClock
from shared.jobs import WORKERS, Job, cloud_queue, job_of
from shared.ports import Clock, Doc

log = logging.getLogger(__name__)


@dataclass
class _Task:
    job: Job
    queue: str  # the job's queue or one of its lanes (shared/jobs.py)
    task_id: str
    body: bytes
    eta: datetime
    attempts: int = 0


class HttpTaskQueue:
    def __init__(
        self,
        worker_base_url: str,
        id_token: Callable[[str], str],
        *,
        clock: Clock | None = None,
        max_attempts: int = 5,
        min_backoff_s: float = 0.5,
        max_backoff_s: float = 30.0,
        workers: int = 4,
        poll_s: float = 0.2,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.worker_base_url = worker_base_url.rstrip("/")
        self._id_token = id_token
        self._clock: Clock = clock or SystemClock()
        self._max_attempts = max(1, max_attempts)
        self._min_backoff_s = min_backoff_s
        self._max_backoff_s = max_backoff_s
        self._poll_s = poll_s
        self._monotonic = monotonic
        self._http = httpx.Client()  # timeouts per attempt: the dispatch deadline
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="http-tasks")
        self._cond = threading.Condition()
        # Heaps of (due, seq, task); seq is unique, so tasks are never compared.
        self._scheduled: list[tuple[datetime, int, _Task]] = []  # due by the Clock
        self._retries: list[tuple[float, int, _Task]] = []  # due by time.monotonic()
        self._seq = itertools.count()
        self._names: set[str] = set()
        self._in_flight = 0
        self._closed = False
        self.dead_letters: list[tuple[str, str]] = []  # (queue, task id); no payloads
        self._scheduler = threading.Thread(
            target=self._run_scheduler, name="http-tasks-scheduler", daemon=True
        )
        self._scheduler.start()

    # ------------------------------------------------------------------ port
    def enqueue(
        self,
        queue: str,
        payload: Doc,
        *,
        name: str | None = None,
        schedule_at: datetime | None = None,
    ) -> bool:
        job = job_of(queue)
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")  # strict, as Cloud Tasks
        if schedule_at is not None and schedule_at.tzinfo is None:
            raise ValueError("schedule_at must be timezone-aware")
        now = self._clock.now()  # outside the lock: the local clock may read the store
        with self._cond:
            if self._closed:
                raise RuntimeError("HttpTaskQueue is closed")
            if name is not None:
                if name in self._names:
                    return False
                self._names.add(name)
            tid = hashlib.sha256(name.encode()).hexdigest() if name else uuid.uuid4().hex
            task = _Task(job, queue, tid, body, schedule_at or now)
            if schedule_at is not None and schedule_at > now:
                heapq.heappush(self._scheduled, (schedule_at, next(self._seq), task))
                self._cond.notify_all()
            else:
                self._submit(task)
        return True

    # ------------------------------------------------------------------ control
    def clock_moved(self) -> None:
        """Wake the scheduler now (the simulator moved the clock)."""
        with self._cond:
            self._cond.notify_all()

    def pending(self) -> int:
        """Tasks scheduled, waiting for a retry, or being delivered."""
        with self._cond:
            return len(self._scheduled) + len(self._retries) + self._in_flight

    def wait_idle(self, timeout_s: float = 10.0, *, include_scheduled: bool = False) -> bool:
        """Block until nothing is being delivered or awaiting a retry (and, if asked,
        nothing is scheduled). True if that happened within timeout_s."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                busy = self._in_flight + len(self._retries)
                if include_scheduled:
                    busy += len(self._scheduled)
                if busy == 0:
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, self._poll_s))

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._scheduler.join(timeout=5)
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._http.close()

    # ------------------------------------------------------------------ internals
    def _submit(self, task: _Task) -> None:
        # Called with self._cond held.
        self._in_flight += 1
        self._pool.submit(self._deliver, task)

    def _run_scheduler(self) -> None:
        while True:
            try:
                now = self._clock.now()  # outside the lock (may read the store)
            except Exception:
                log.exception("clock failed; scheduled tasks wait for the next poll")
                now = None
            with self._cond:
                if self._closed:
                    return
                mono = self._monotonic()
                while now is not None and self._scheduled and self._scheduled[0][0] <= now:
                    self._submit(heapq.heappop(self._scheduled)[2])
                while self._retries and self._retries[0][0] <= mono:
                    self._submit(heapq.heappop(self._retries)[2])
                wait = self._poll_s
                if self._retries:
                    wait = min(wait, max(0.0, self._retries[0][0] - mono))
                self._cond.wait(wait)

    def _deliver(self, task: _Task) -> None:
        task.attempts += 1
        try:
            outcome = self._post(task)
        except Exception as exc:  # keep the bookkeeping right whatever happens
            outcome = type(exc).__name__
        with self._cond:
            self._in_flight -= 1
            if outcome is not None and not self._closed:
                if task.attempts < self._max_attempts:
                    delay = min(self._max_backoff_s,
                                self._min_backoff_s * 2.0 ** (task.attempts - 1))
                    due = self._monotonic() + delay
                    heapq.heappush(self._retries, (due, next(self._seq), task))
                    log.info("task %s to %s failed (%s); retry in %.2f s",
                             task.task_id[:12], task.job.value, outcome, delay)
                else:
                    self.dead_letters.append((task.job.value, task.task_id))
                    log.warning("task %s to %s dropped after %d attempts (%s)",
                                task.task_id[:12], task.job.value, task.attempts, outcome)
            self._cond.notify_all()

    def _post(self, task: _Task) -> str | None:
        """Deliver once; None on success, else why it failed (no bodies in logs)."""
        url = f"{self.worker_base_url}/{WORKERS[task.job]}"
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self._id_token(url)}",
            "X-CloudTasks-QueueName": cloud_queue(task.queue),
            "X-CloudTasks-TaskName": task.task_id,
            "X-CloudTasks-TaskRetryCount": str(task.attempts - 1),
            "X-CloudTasks-TaskExecutionCount": str(task.attempts - 1),
            "X-CloudTasks-TaskETA": f"{task.eta.timestamp():.6f}",
        }
        try:
            response = self._http.post(url, content=task.body, headers=headers,
                                       timeout=runtime.dispatch_deadline_s(task.job))
        except httpx.HTTPError as exc:
            return type(exc).__name__
        if 200 <= response.status_code < 300:
            return None
        # Cloud Tasks retries every non-2xx answer, 4xx included: workers must answer
        # 2xx for permanent failures they have handled.
        return f"HTTP {response.status_code}"
