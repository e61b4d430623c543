"""TaskQueue on Google Cloud Tasks (or gcloud-tasks-emulator).

One Cloud Tasks queue per job kind (shared.jobs.queue_name), and the lanes of some
(more queues for the same worker, shared.jobs.LANES); each task is an HTTP POST
of the JSON payload to the job's worker function, f"{worker_base_url}/{WORKERS[job]}".
Workers authenticate tasks by an OIDC token: Cloud Tasks signs it for the invoker
service account with the worker URL as audience. The emulator stores that token spec
but signs nothing, so on the emulator a local identity (shared/adapters/
local_identity.py) mints the token Cloud Tasks would attach.

Each task carries its worker's dispatch deadline from shared/runtime.json (longer than
the function's timeout: Cloud Run's 504 ends a slow attempt, never Cloud Tasks giving
up on an attempt that is still running).

Task names: the caller's name is hashed (sha256 hex), which makes any string valid as a
task id and spreads ids evenly (Cloud Tasks warns that sequential names, like
timestamps, hurt dispatch latency). Cloud Tasks then rejects a repeat of that name for
about an hour after the first task ran (AlreadyExists -> False). The emulator does NOT
reject repeats (see ../../shared/PLATFORM.md), so handlers deduplicate on their own.

The SDK (0.5 s to import) is imported on first use, so building this object is cheap.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from shared import runtime
from shared.jobs import WORKERS, Job, cloud_queue, job_of, lanes_of
from shared.ports import Doc

if TYPE_CHECKING:
    from google.cloud import tasks_v2


def task_id(name: str) -> str:
    """Cloud Tasks id for a caller's name: 64 hex chars, valid and non-sequential."""
    return hashlib.sha256(name.encode("utf-8")).hexdigest()


class CloudTasksQueue:
    def __init__(
        self,
        project: str,
        location: str,
        worker_base_url: str,
        *,
        oidc_service_account: str,
        emulator_host: str = "",
        emulator_id_token: Callable[[str], str] | None = None,
    ) -> None:
        """emulator_id_token(audience): the token to attach on the emulator, which
        does not sign the OIDC token itself; never used against Google Cloud."""
        if not oidc_service_account:
            raise ValueError("Cloud Tasks needs the invoker service account (TASKS_INVOKER_SA)")
        if emulator_id_token is not None and not emulator_host:
            raise ValueError("emulator_id_token is for the emulator only")
        self.project = project
        self.location = location
        self.worker_base_url = worker_base_url.rstrip("/")
        self._oidc_sa = oidc_service_account
        self._emulator_host = emulator_host
        self._emulator_id_token = emulator_id_token
        self._client: tasks_v2.CloudTasksClient | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> tasks_v2.CloudTasksClient:
        """The SDK client, built on first use (cold start: only when a task is sent)."""
        with self._lock:
            if self._client is None:
                from google.cloud import tasks_v2

                if self._emulator_host:
                    import grpc  # type: ignore[import-untyped]  # no types-grpcio here
                    from google.cloud.tasks_v2.services.cloud_tasks.transports import (
                        CloudTasksGrpcTransport,
                    )

                    # The emulator speaks plain gRPC without auth; a ready-made channel
                    # also stops the client from looking for credentials.
                    channel = grpc.insecure_channel(self._emulator_host)
                    transport = CloudTasksGrpcTransport(channel=channel)
                    self._client = tasks_v2.CloudTasksClient(transport=transport)
                else:
                    self._client = tasks_v2.CloudTasksClient()
            return self._client

    def queue_path(self, queue: str) -> str:
        """The queue of a job ("remind", or Job.REMIND) or of one of its lanes
        ("remind-line-2": shared/jobs.py)."""
        return f"projects/{self.project}/locations/{self.location}/queues/{cloud_queue(queue)}"

    def worker_url(self, job: Job) -> str:
        return f"{self.worker_base_url}/{WORKERS[job]}"

    # ------------------------------------------------------------------ port
    def enqueue(
        self,
        queue: str,
        payload: Doc,
        *,
        name: str | None = None,
        schedule_at: datetime | None = None,
    ) -> bool:
        from google.api_core.exceptions import AlreadyExists
        from google.cloud import tasks_v2

        job = job_of(queue)
        url = self.worker_url(job)
        headers = {"Content-Type": "application/json"}
        oidc = tasks_v2.OidcToken(service_account_email=self._oidc_sa, audience=url)
        if self._emulator_id_token is not None:
            headers["Authorization"] = f"Bearer {self._emulator_id_token(url)}"
        task = tasks_v2.Task(
            dispatch_deadline=timedelta(seconds=runtime.dispatch_deadline_s(job)),
            http_request=tasks_v2.HttpRequest(
                http_method=tasks_v2.HttpMethod.POST,
                url=url,
                headers=headers,
                # Strict JSON (no default=str): a payload that is not JSON is a bug to
                # surface here, not a string to guess at in the worker.
                body=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                oidc_token=oidc,
            ),
        )
        if name is not None:
            task.name = f"{self.queue_path(queue)}/tasks/{task_id(name)}"
        if schedule_at is not None:
            if schedule_at.tzinfo is None:
                raise ValueError("schedule_at must be timezone-aware")
            task.schedule_time = schedule_at
        try:
            self.client.create_task(parent=self.queue_path(queue), task=task)
        except AlreadyExists:
            return False
        return True

    # ------------------------------------------------------------------ local stack
    def ensure_queues(self) -> None:
        """Create every job's queue if missing (emulator and local stack only: in
        Google Cloud, Terraform owns the queues and their rate limits)."""
        from google.api_core.exceptions import AlreadyExists
        from google.cloud import tasks_v2

        parent = f"projects/{self.project}/locations/{self.location}"
        for job in Job:
            for queue in [job.value, *(f"{job.value}-{lane}" for lane in lanes_of(job))]:
                with contextlib.suppress(AlreadyExists):
                    self.client.create_queue(
                        parent=parent, queue=tasks_v2.Queue(name=self.queue_path(queue))
                    )
