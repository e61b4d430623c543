"""The one place that wires adapters to the plumbing and the features, from Settings.

The Container builds each port's adapter (or its in-memory fake) and the plumbing;
the features (FEATURES, below) build their handlers from it (it is their Supplies).
Everything is built lazily on first use (cached_property), never at import: the
webhook touches only the store, the queue and the clock, so it never imports the
LINE, Telegram or Gemini SDKs, nor the features.

Each entry point of main.py runs what ENTRY_POINTS (bottom) builds for it, from its own
wiring: the queues it may enqueue into, the bucket with or without signed links, the
model or none (shared/wiring.py). needs_of(entry_point) reports what that wiring
reaches, and Terraform must grant exactly that (tests/unit/test_permissions.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, cached_property, partial
from typing import TYPE_CHECKING, Any, Final

from shared.infrastructure import Infrastructure
from shared.jobs import WORKERS, Job
from shared.log import configure_logging
from shared.settings import SECRETS, ConfigurationError, Settings, load_settings
from shared.wiring import LinklessBucket, Needs, NoModel, ScopedQueue, Wiring, derive

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from shared.features.reminders.service import ReminderService
    from shared.plumbing.collections import Collection
    from shared.plumbing.delivery import Delivery
    from shared.plumbing.dialog import DialogService
    from shared.plumbing.erasure import Eraser
    from shared.plumbing.features import Registry
    from shared.plumbing.intake import Intake
    from shared.plumbing.jobkit import JobHandler, JobKit
    from shared.plumbing.limits import UserLimits
    from shared.plumbing.work import UnitOfWork
    from shared.ports import (
        BlobStore,
        LanguageModel,
        Speaker,
        TaskQueue,
    )


class Container(Infrastructure):
    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._handlers: dict[str, Callable[..., Any]] = {}
        self._job_handlers: dict[Job, JobHandler] = {}

    # ------------------------------------------------------------ entry points
    def handler(self, entry_point: str) -> Callable[..., Any]:
        """What an entry point of main.py runs (functions/*.py call it), built from
        that entry point's own wiring on first use."""
        if entry_point not in self._handlers:
            self._handlers[entry_point] = ENTRY_POINTS[entry_point](self)
        return self._handlers[entry_point]

    # ------------------------------------------------------------ capabilities
    def queue_for(self, *jobs: Job) -> TaskQueue:
        """The task queue, for exactly these jobs (roles/cloudtasks.enqueuer per queue)."""
        self.wiring.enqueues.update(jobs)
        return ScopedQueue(self.tasks, frozenset(jobs))

    def bucket(self, *, signs_urls: bool = False) -> BlobStore:
        """The private bucket; signed links only where the wiring says so (they need
        Token Creator on the function's own account)."""
        blobs = self._blob_store
        self.wiring.bucket = True
        if signs_urls:
            self.wiring.signs_urls = True
            return blobs
        return LinklessBucket(blobs)

    @cached_property
    def link_bucket(self) -> BlobStore:
        """The bucket with signed links, for a service that needs it rarely (later())."""
        return self.bucket(signs_urls=True)

    def later(self, name: str) -> Callable[[], Any]:
        """An adapter a service builds only when it needs it (cold start), recorded as
        wired now."""
        self.wiring.deferred.add(name)
        return lambda: getattr(self, name)

    # ------------------------------------------------------------------ model
    @cached_property
    def llm(self) -> LanguageModel:
        """The model, metered: every call counts in the usage of the task making it."""
        from shared.plumbing.metering import MeteredModel

        self.wiring.model = True
        if self.gemini is not None:
            return MeteredModel(self.gemini)
        from shared.fakes.offline_llm import OfflineModel

        return MeteredModel(OfflineModel())

    @cached_property
    def speaker(self) -> Speaker:
        """Gemini TTS unless the model is offline, else espeak-ng (Debian package)."""
        if self.model_backend != "offline":
            from shared.adapters.model_speaker import ModelSpeaker

            return ModelSpeaker(self.llm)
        from shared.adapters.espeak_speaker import EspeakSpeaker

        return EspeakSpeaker()

    # ------------------------------------------------------------------ plumbing
    def registered_collections(self) -> Mapping[str, Collection]:
        return self.registry.collections

    @property
    def registry(self) -> Registry:
        return registry()

    @cached_property
    def work(self) -> UnitOfWork:
        """Every task's claim, decision, state changes and usage in one transaction."""
        from shared.plumbing.work import UnitOfWork

        # A task voided by an erasure deletes the files its prepare wrote meanwhile.
        return UnitOfWork(self.store, self.clock,
                          forget_files=lambda user: self.eraser.erase_files(user))

    @cached_property
    def intake(self) -> Intake:
        from shared.plumbing.intake import Intake

        return Intake(self.store, self.queue_for(Job.DIALOG), self.clock,
                      self.settings.idempotency_ttl_s)

    @cached_property
    def delivery(self) -> Delivery:
        from shared.plumbing.delivery import Delivery

        return Delivery(self.store, self.clock, self.messengers)

    @cached_property
    def eraser(self) -> Eraser:
        from shared.plumbing.erasure import Eraser

        return Eraser(self.store, self.bucket(), list(self.registry.collections.values()),
                      self.registry.files, clock=self.clock)

    def _limits(self) -> UserLimits:
        from shared.plumbing.limits import UserLimits

        s = self.settings
        return UserLimits(s.limit_messages_per_minute, s.limit_generations_per_day,
                          s.limit_emails_per_day)

    @cached_property
    def job_kit(self) -> JobKit:
        """Every capability at once (tests and tools); the job workers use kit()."""
        from shared.plumbing.jobkit import JobKit

        return JobKit(self.store, self.clock, self.llm, self.delivery, blobs=self.blobs,
                      tasks=self.tasks, archived=self.registry.archived, uow=self.work)

    def kit(self, *enqueues: Job, model: bool = True) -> JobKit:
        """What one job worker runs on: the model (or none), the bucket without links
        (archives), and the queues of the follow-up jobs it may start."""
        from shared.plumbing.jobkit import JobKit

        return JobKit(self.store, self.clock, self.llm if model else NoModel(),
                      self.delivery, blobs=self.bucket(), tasks=self.queue_for(*enqueues),
                      archived=self.registry.archived, uow=self.work)

    # ------------------------------------------------------------------ features
    @cached_property
    def dialog(self) -> DialogService:
        from shared.plumbing.dialog import DialogService

        features = self.registry
        # The jobs a dialog turn can start (Reply.jobs of the features' handlers).
        tasks = self.queue_for(*features.dialog_jobs)
        return DialogService(self.store, tasks, self.clock, self.delivery, self.eraser,
                             self.work, features.dialog, features.handlers(self),
                             features.preparers(self),
                             session_ttl_s=self.settings.session_ttl_s,
                             max_text_chars=self.settings.max_text_chars,
                             limits=self._limits(),
                             emergency_default=self.settings.emergency_number_default,
                             commands=features.command_reader(self))

    def job_handler(self, job: Job) -> JobHandler:
        """The use case of one job kind, built by its feature for its worker only (PyAV,
        WeasyPrint, iVoice are loaded by the worker that needs them)."""
        if job not in self._job_handlers:
            self._job_handlers[job] = self.registry.job_handler(job, self)
        return self._job_handlers[job]

    def rebuild(self, job: Job) -> None:
        """Build `job`'s handler again for its next task (after a test swapped an
        adapter it was built with)."""
        self._job_handlers.pop(job, None)

    @cached_property
    def job_handlers(self) -> dict[Job, JobHandler]:
        """Which use case runs each job kind; each is built on its first task."""
        return {job: partial(_run_job, self, job) for job in self.registry.jobs}

    @cached_property
    def reminders(self) -> ReminderService:
        """Ticks and sends with every capability (tests and tools)."""
        from shared.features.reminders.service import ReminderService

        return ReminderService(self.store, self.tasks, self.clock, self.delivery)

    @cached_property
    def reminder_ticker(self) -> ReminderService:
        """reminder_tick: claims due doses and enqueues reminders; sends nothing."""
        from shared.features import reminders

        return reminders.ticker(self)


def _run_job(c: Container, job: Job, task: dict[str, Any]) -> Any:
    return c.job_handler(job)(task)


def _job_entry(c: Container, job: Job) -> Callable[..., Any]:
    """A job worker's entry: its handler is built now (that is the worker's wiring) and
    looked up per task (Container.rebuild)."""
    c.job_handler(job)
    return partial(_run_job, c, job)


# Every feature MedBot runs, by its package under shared/features. Adding a feature is
# one line here; a name two features both declare fails at start-up (FeatureClash).
FEATURES: Final = ("core", "education", "email", "translation", "speech", "medication",
                   "reminders", "circle", "supply")


@cache
def registry() -> Registry:
    """The features' registry (imported on first use: webhooks never need it)."""
    from shared.plumbing.features import load

    return load(FEATURES)


# The job kinds with a worker of their own (a feature runs each; the dialog is the
# plumbing's own).
JOB_KINDS: Final = tuple(job for job in Job if job is not Job.DIALOG)

# What each entry point of main.py runs, built from its own wiring.
ENTRY_POINTS: dict[str, Callable[[Container], Callable[..., Any]]] = {
    "line_webhook": lambda c: partial(
        c.intake.line, channel_secret=c.settings.line_channel_secret),
    "telegram_webhook": lambda c: partial(
        c.intake.telegram, secret=c.settings.telegram_webhook_secret),
    "dialog_worker": lambda c: c.dialog.handle,
    **{WORKERS[job]: partial(_job_entry, job=job) for job in JOB_KINDS},
    "reminder_tick": lambda c: c.reminder_ticker.tick,
}

# Settings with which needs_of() builds an entry point: the production choices (Gemini
# on Vertex AI, SMTP, iVoice; infra/terraform) on in-memory backends, and made-up
# credentials.
_PROBE_SETTINGS: dict[str, Any] = {
    "gemini_backend": "vertex", "smtp_host": "smtp.invalid", "smtp_password": "probe",
    "ivoice_base_url": "http://ivoice.invalid", "line_channel_secret": "probe",
    "line_channel_access_token": "probe", "telegram_bot_token": "123456:probe",
    "telegram_webhook_secret": "probe", "tasks_invoker_sa": "invoker@probe.invalid",
}


def needs_of(entry_point: str) -> Needs:
    """What an entry point's code path uses: its permissions in Google Cloud."""
    def build(settings: Settings) -> tuple[Wiring, Callable[[], Any]]:
        c = Container(settings)
        c.handler(entry_point)

        def finish() -> None:  # what services build later is wired all the same
            for name in sorted(c.wiring.deferred):
                getattr(c, name)
        return c.wiring, finish

    return derive(build, Settings(**_PROBE_SETTINGS), SECRETS)


@cache
def _process_container() -> Container:
    configure_logging()
    settings = load_settings()
    try:
        # A clear start-up error naming the variables, not a bare ValueError later.
        settings.check_security()
    except ConfigurationError as error:
        log.critical("configuration error", extra={"problem": str(error)})
        raise
    built = Container(settings)
    log.info("model backend", extra=built.describe_model())
    return built


_overrides: list[Container] = []


def container() -> Container:
    """The process-wide container, built on the first request (or a test's own)."""
    return _overrides[-1] if _overrides else _process_container()


@contextmanager
def using(replacement: Container) -> Iterator[Container]:
    """Serve requests from another container (tests, the embedded local stack)."""
    _overrides.append(replacement)
    try:
        yield replacement
    finally:
        _overrides.remove(replacement)
