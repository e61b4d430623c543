"""What each entry point is wired to, so its cloud permissions follow from the code.

bootstrap builds every entry point's handler from its own wiring (ENTRY_POINTS there).
Each capability a service is handed goes through an accessor that records it
(Wiring), and the narrow ones are handed as wrappers that refuse what the function's
service account would be refused in Google Cloud:

* ScopedQueue: enqueue only into the named queues (roles/cloudtasks.enqueuer is granted
  per queue; another queue answers PERMISSION_DENIED);
* LinklessBucket: read, write and delete objects, but no signed links (those need
  roles/iam.serviceAccountTokenCreator on the function's own account);
* NoModel: a function not wired to the model has no model to call.

needs_of(entry_point) builds one entry point's handler in a fresh container whose
settings record every field read, and reports what it reached: the Terraform agreement
test (tests/unit/test_permissions.py) requires the deployed grants to equal exactly that.
Because the wrappers also refuse at run time, the function tests, which drive every flow
through the same wiring, fail when a wiring grants less than its code uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from shared.jobs import Job, job_of
from shared.ports import BlobStore, Doc, LlmText, M, Speech, TaskQueue, Thinking

if TYPE_CHECKING:
    from shared.settings import Settings


class NotWired(PermissionError):
    """A service used a capability its entry point's wiring does not grant."""


@dataclass
class Wiring:
    """What the services built in one container were handed."""

    firestore: bool = False
    bucket: bool = False
    signs_urls: bool = False
    model: bool = False
    enqueues: set[Job] = field(default_factory=set)
    deferred: set[str] = field(default_factory=set)  # accessors a service calls later


@dataclass(frozen=True)
class Needs:
    """An entry point's permissions, as its code path uses them."""

    firestore: bool
    bucket: bool
    signs_urls: bool
    calls_model: bool
    secrets: frozenset[str]  # Settings fields, upper-case (= env var names)
    enqueues: frozenset[Job]


class ScopedQueue:
    """The task queue, for the jobs one service may start."""

    def __init__(self, inner: TaskQueue, jobs: frozenset[Job]) -> None:
        self._inner = inner
        self.jobs = jobs

    def enqueue(self, queue: str, payload: Doc, *, name: str | None = None,
                schedule_at: datetime | None = None) -> bool:
        if job_of(queue) not in self.jobs:
            raise NotWired(f"this function may not enqueue into {queue!r}: its wiring "
                           "(shared/bootstrap.py) and Terraform grant "
                           f"{sorted(j.value for j in self.jobs)}")
        return self._inner.enqueue(queue, payload, name=name, schedule_at=schedule_at)


class LinklessBucket:
    """The private bucket without signed links."""

    def __init__(self, inner: BlobStore) -> None:
        self._inner = inner

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._inner.put(key, data, content_type)

    def get(self, key: str) -> bytes | None:
        return self._inner.get(key)

    def delete_prefix(self, prefix: str) -> int:
        return self._inner.delete_prefix(prefix)

    def signed_url(self, key: str, expires_s: int) -> str:
        raise NotWired("this function signs no links: wire it with "
                       "Container.bucket(signs_urls=True) (Token Creator on itself)")


class NoModel:
    """The model of a function that is not wired to call it."""

    offline = False

    def _refuse(self) -> NotWired:
        return NotWired("this function is not wired to the model (shared/bootstrap.py)")

    def generate(self, system: str, prompt: str, *, grounded: bool = False,
                 thinking: Thinking = "default") -> LlmText:
        raise self._refuse()

    def generate_json(self, system: str, prompt: str, schema: type[M], *,
                      thinking: Thinking = "default") -> M:
        raise self._refuse()

    def speak(self, text: str, language: str) -> Speech:
        raise self._refuse()

    def transcribe(self, audio: bytes, mime: str) -> str:
        raise self._refuse()


class SettingsReads:
    """Settings that remember which fields were read (the probe of needs_of)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.read: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._settings, name)
        self.read.add(name)
        return value


def derive(build: Callable[[Settings], tuple[Wiring, Callable[[], Any]]],
           settings: Settings, secret_fields: frozenset[str]) -> Needs:
    """Build one entry point's handler against recording settings (build returns its
    wiring and a function building what its services defer); report its needs."""
    reads = SettingsReads(settings)
    wiring, finish = build(cast("Settings", reads))
    finish()
    return Needs(
        firestore=wiring.firestore, bucket=wiring.bucket, signs_urls=wiring.signs_urls,
        calls_model=wiring.model,
        secrets=frozenset(f.upper() for f in reads.read & secret_fields),
        enqueues=frozenset(wiring.enqueues),
    )
