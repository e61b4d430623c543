"""What every job worker shares: run a task exactly once around a model call, build
the decision that answers the user, and answer in kind when the model fails after the
adapter's own retries: a retry button for a passing failure, a clear message for a
refusal, a cut-off answer, a missing model or a used-up daily quota. When the model
asks to wait longer than a worker waits (a retry hint), the task is rescheduled for
when the hint runs out instead of answering."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Final

from shared.domain.channels import Channel
from shared.domain.decision import Decision
from shared.domain.emergency import emergency_number
from shared.domain.i18n import t
from shared.domain.messages import Button, OutMessage, Text
from shared.jobs import Job
from shared.log import bind
from shared.plumbing.delivery import Delivery
from shared.plumbing.files import user_file_key
from shared.plumbing.metering import Meter, MeteredModel, current_meter
from shared.plumbing.runner import Deferred, Outcome
from shared.plumbing.work import Origin, TaskRef, UnitOfWork, Work, job_send_key
from shared.ports import (
    BlobStore,
    Clock,
    Doc,
    DocumentStore,
    LanguageModel,
    LlmError,
    TaskQueue,
    Transaction,
)

log = logging.getLogger(__name__)

RETENTION = timedelta(days=365)  # leaflets and translations kept for clinical review

Task = dict[str, Any]
JobHandler = Callable[[Task], Outcome]

# A task rescheduled this often for the model's retry hints gets an apology instead.
MAX_DEFERRALS: Final = 5
# What the patient is told, by LlmError.kind; other kinds get the apology with a
# retry button (a passing failure).
FAILURE_MESSAGES: Final = {
    "refused": "error.refused",
    "recitation": "error.recitation",
    "truncated": "error.truncated",
    "model_missing": "error.unavailable",
    "quota_daily": "error.quota_daily",
}


@dataclass
class JobKit:
    store: DocumentStore
    clock: Clock
    llm: LanguageModel
    delivery: Delivery
    blobs: BlobStore | None = None  # the private bucket: archive() copies go there
    tasks: TaskQueue | None = None  # follow-up jobs a decision asks for (Decision.jobs)
    # Collections whose full writes by a job are archived (Collection.archive).
    archived: frozenset[str] = frozenset()
    uow: UnitOfWork | None = None  # the container's unit of work; else one of its own
    work: UnitOfWork = field(init=False)

    def __post_init__(self) -> None:
        self.work = self.uow or UnitOfWork(self.store, self.clock)
        if not isinstance(self.llm, MeteredModel):  # every model call of a task counted
            self.llm = MeteredModel(self.llm)

    def decision(self, task: Task, messages: list[OutMessage]) -> Decision:
        """An answer to the user who caused the task (by reply token while fresh)."""
        return Decision(
            channel=Channel(task["channel"]), chat_id=str(task["chat_id"]),
            user_key=str(task["user"]), messages=messages,
            reply_token=task.get("reply_token"), event_ms=int(task.get("event_ms") or 0),
            send_key=job_send_key(str(task["id"])),
        )

    def apology(self, task: Task) -> Decision:
        lang = language(task)
        return self.decision(task, [Text(text=t(lang, "error.retry"), buttons=[
            Button(label=t(lang, "error.try_again"), data="retry"),
            Button(label=t(lang, "button.menu"), data="menu"),
        ])])

    def failure(self, task: Task, error: LlmError) -> Decision:
        """The answer to a model failure, in kind (no retry button where a retry
        cannot help)."""
        key = FAILURE_MESSAGES.get(error.kind)
        if key is None:
            return self.apology(task)
        lang = language(task)
        return self.decision(task, [Text(text=t(lang, key), buttons=[
            Button(label=t(lang, "button.menu"), data="menu")])])

    def label(self, lang: str) -> str:
        """The offline engine's answers say so, in the user's language."""
        return t(lang, "offline.label") + "\n\n" if self.llm.offline else ""

    def run(self, job: Job, task: Task, prepare: Callable[[], Any],
            decide: Callable[[Transaction, Any], Decision]) -> Outcome:
        """prepare() once per claim (the model call); decide() in the task's unit of
        work (plumbing/work.py).

        The model call is logged (model, token counts, latency; never the text) and
        counted in the user's usage document in the same transaction as decide()."""
        bind(channel=str(task["channel"]), ui_language=language(task), action=job.value)

        def guarded(work: Work, prepared: Any) -> Decision:
            if isinstance(prepared, LlmError):
                return self.failure(task, prepared)
            return decide(_ArchivingTransaction(work, self), prepared)

        def safe_prepare() -> Any:
            started = time.perf_counter()
            meter = current_meter() or Meter()  # the unit of work meters this step
            try:
                result: Any = prepare()
            except LlmError as error:  # the adapter already retried with backoff
                self._defer_if_asked(task, error)
                log.warning("llm failed", extra={"job": job.value,
                                                 "retryable": error.retryable,
                                                 "kind": error.kind,
                                                 "outcome": "llm_failed",
                                                 "llm_latency_ms": _ms(started)})
                return error
            if meter.calls:
                log.info("llm call", extra={
                    "job": job.value, "calls": meter.calls,
                    "model": ",".join(sorted(meter.models)) or self._model_name(),
                    "input_tokens": meter.input_tokens, "output_tokens": meter.output_tokens,
                    "llm_latency_ms": _ms(started), "outcome": "ok"})
            return result

        try:
            return self.work.run(TaskRef(job, str(task["id"])), guarded, self.apply,
                                 prepare=safe_prepare, user=str(task["user"]),
                                 channel=str(task["channel"]), origin=_origin(task))
        except Deferred as deferred:  # the claim is released: the copy can take it
            self._reschedule(job, task, deferred)
            return Outcome.DEFERRED

    def once(self, job: Job, task: Task, decide: Callable[[Transaction, Any], Decision],
             *, prepare: Callable[[], Any] | None = None,
             apply: Callable[[Decision], object] | None = None) -> Outcome:
        """A task without a model call, exactly once (nothing to count in usage)."""
        return self.work.run(TaskRef(job, str(task["id"])), decide, apply or self.apply,
                             prepare=prepare, origin=_origin(task))

    def _defer_if_asked(self, task: Task, error: LlmError) -> None:
        """The model asked to come back later than a worker waits: run the task again
        when the hint runs out (its schedule time), rather than answer or let the
        queue's own backoff retry it sooner."""
        if (error.kind != "rate_limited" or not error.retry_after_s or self.tasks is None
                or int(task.get("deferrals") or 0) >= MAX_DEFERRALS):
            return
        raise Deferred(self.clock.now() + timedelta(seconds=error.retry_after_s))

    def _reschedule(self, job: Job, task: Task, deferred: Deferred) -> None:
        assert self.tasks is not None
        count = int(task.get("deferrals") or 0) + 1
        self.tasks.enqueue(job.value, {**task, "deferrals": count},
                           name=TaskRef(job, str(task["id"])).rescheduled(count),
                           schedule_at=deferred.at)
        log.info("task rescheduled", extra={"job": job.value, "deferrals": count,
                                            "outcome": "deferred",
                                            "delay_s": round((deferred.at - self.clock.now())
                                                             .total_seconds(), 1)})

    def apply(self, decision: Decision) -> None:
        """Send, then enqueue the follow-up jobs (idempotent by task name), so the
        answer arrives before what the follow-up job sends."""
        self.delivery.deliver(decision)
        if decision.jobs and self.tasks is None:
            raise RuntimeError("this JobKit has no task queue for follow-up jobs")
        for request in decision.jobs:
            assert self.tasks is not None
            self.tasks.enqueue(request.job.value, request.payload, name=request.name)

    def _model_name(self) -> str:
        """For calls that report no model (structured answers, the offline engine)."""
        return "offline" if self.llm.offline else ""

    def archive(self, user: str, kind: str, item_id: str, doc: Doc) -> str | None:
        """A JSON copy of a generated leaflet or translation in the private bucket, for
        clinical review: archive/<user>/<kind>/<id>.json. The bucket's lifecycle rule
        (var.archive_retention_days) deletes it; "delete my data" deletes it with the
        user's other files. The key is deterministic, so a retried transaction rewrites
        the same object. A storage failure is logged (ERROR: the error-rate alert) but
        does not fail the job: the patient still gets the answer."""
        if self.blobs is None:
            return None
        key = user_file_key("archive", user, f"{kind}/{item_id}.json")
        body = json.dumps(doc, default=str, ensure_ascii=False, sort_keys=True).encode()
        try:
            self.blobs.put(key, body, "application/json")
        except Exception as error:
            log.error("archive failed", extra={"kind": kind, "error": type(error).__name__})
            return None
        log.info("archived", extra={"kind": kind, "bytes": len(body)})
        return key

    def unavailable(self, job: Job, task: Task) -> Outcome:
        """For a task this deployment cannot run: a clear answer, once."""
        return self.once(job, task, lambda _work, _: self.decision(
            task, [Text(text=t(language(task), "feature.unavailable"))]))


class _ArchivingTransaction:
    """The job's transaction; full writes to the archived collections are archived too
    (JSON in the private bucket, for clinical review: JobKit.archive)."""

    def __init__(self, txn: Transaction, kit: JobKit) -> None:
        self._txn = txn
        self._kit = kit

    def get(self, path: str) -> Doc | None:
        return self._txn.get(path)

    def create(self, path: str, data: Doc) -> None:
        self._txn.create(path, data)
        self._archive(path, data)

    def set(self, path: str, data: Doc, merge: bool = False) -> None:
        self._txn.set(path, data, merge=merge)
        if not merge:  # a merge is a partial update (e.g. a translations map)
            self._archive(path, data)

    def delete(self, path: str) -> None:
        self._txn.delete(path)

    def _archive(self, path: str, data: Doc) -> None:
        collection, _, doc_id = path.partition("/")
        user = data.get("user_id")
        if collection in self._kit.archived and isinstance(user, str) and "/" not in doc_id:
            self._kit.archive(user, collection, doc_id, data)


def _origin(task: Task) -> Origin | None:
    """Whom a job acts for: an erasure of that user after it was queued voids it."""
    return Origin.of(task) if isinstance(task.get("user"), str) else None


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def language(task: Task) -> str:
    return str(task.get("language", "en"))


def emergency(task: Task) -> str:
    """The user's emergency number, as the dialog worked it out when it made the job
    (a job from before that field existed: by its language)."""
    return str(task.get("emergency") or emergency_number(None, language(task)))


def buttons_last(messages: list[OutMessage]) -> list[OutMessage]:
    """LINE shows only the last message's quick replies: move buttons to the end."""
    buttons = [b for m in messages for b in m.buttons]
    for m in messages:
        m.buttons = []
    messages[-1].buttons = buttons
    return messages
