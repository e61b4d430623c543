"""What every job worker shares: run a task exactly once around a model call, build
the decision that answers the user, and apologise (with a retry button) when the
model fails after the adapter's own retries."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from shared.domain.channels import Channel
from shared.domain.decision import Decision
from shared.domain.i18n import t
from shared.domain.messages import Button, OutMessage, Text
from shared.jobs import Job
from shared.ports import Clock, DocumentStore, LanguageModel, LlmError, Transaction
from shared.services.delivery import Delivery
from shared.services.runner import Outcome, TaskRunner

log = logging.getLogger(__name__)

RETENTION = timedelta(days=365)  # leaflets and translations kept for clinical review

Task = dict[str, Any]
JobHandler = Callable[[Task], Outcome]


@dataclass
class JobKit:
    store: DocumentStore
    clock: Clock
    llm: LanguageModel
    delivery: Delivery

    def __post_init__(self) -> None:
        self.runner = TaskRunner(self.store, self.clock, Decision)

    def decision(self, task: Task, messages: list[OutMessage]) -> Decision:
        """An answer to the user who caused the task (by reply token while fresh)."""
        return Decision(
            channel=Channel(task["channel"]), chat_id=str(task["chat_id"]),
            user_key=str(task["user"]), messages=messages,
            reply_token=task.get("reply_token"), event_ms=int(task.get("event_ms") or 0),
            send_key=f"job:{task['id']}",
        )

    def apology(self, task: Task) -> Decision:
        lang = language(task)
        return self.decision(task, [Text(text=t(lang, "error.retry"), buttons=[
            Button(label=t(lang, "error.try_again"), data="retry"),
            Button(label=t(lang, "button.menu"), data="menu"),
        ])])

    def label(self, lang: str) -> str:
        """The offline engine's answers say so, in the user's language."""
        return t(lang, "offline.label") + "\n\n" if self.llm.offline else ""

    def run(self, job: Job, task: Task, prepare: Callable[[], Any],
            decide: Callable[[Transaction, Any], Decision]) -> Outcome:
        """prepare() once per claim (the model call); decide() in a transaction."""
        def guarded(txn: Transaction, prepared: Any) -> Decision:
            if isinstance(prepared, LlmError):
                return self.apology(task)
            return decide(txn, prepared)

        def safe_prepare() -> Any:
            try:
                return prepare()
            except LlmError as error:  # the adapter already retried with backoff
                log.warning("llm failed", extra={"job": job.value,
                                                 "retryable": error.retryable})
                return error

        return self.runner.process(f"{job.value}:{task['id']}", guarded,
                                   self.delivery.deliver, safe_prepare)

    def unavailable(self, task: Task) -> Outcome:
        """For a job kind whose feature is not deployed: a clear answer, once."""
        return self.runner.process(
            f"unavailable:{task['id']}",
            lambda _txn, _: self.decision(task, [Text(text=t(language(task),
                                                             "feature.unavailable"))]),
            self.delivery.deliver,
        )


def language(task: Task) -> str:
    return str(task.get("language", "en"))


def buttons_last(messages: list[OutMessage]) -> list[OutMessage]:
    """LINE shows only the last message's quick replies: move buttons to the end."""
    buttons = [b for m in messages for b in m.buttons]
    for m in messages:
        m.buttons = []
    messages[-1].buttons = buttons
    return messages
