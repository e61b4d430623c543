"""Job workers' use cases: generate a leaflet, translate, speak, transcribe, e-mail.

Each runs through the TaskRunner: the model call happens once per claim (prepare),
its result and the reply are recorded together (decide), then sent (apply).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from shared.domain import prompts
from shared.domain.channels import Channel
from shared.domain.decision import Decision
from shared.domain.i18n import t
from shared.domain.messages import Button, Card, Cards, OutMessage, Text
from shared.domain.signatures import stable_id
from shared.jobs import Job
from shared.ports import Clock, DocumentStore, LanguageModel, LlmError, LlmText, Transaction
from shared.services.delivery import Delivery
from shared.services.runner import Outcome, TaskRunner

log = logging.getLogger(__name__)

RETENTION = timedelta(days=365)  # leaflets and translations kept for clinical review


@dataclass
class JobService:
    store: DocumentStore
    clock: Clock
    llm: LanguageModel
    delivery: Delivery

    def __post_init__(self) -> None:
        self.runner = TaskRunner(self.store, self.clock, Decision)
        self.handlers: dict[Job, Callable[[dict[str, Any]], Outcome]] = {
            Job.GENERATE: self.generate,
            Job.TRANSLATE: self.translate,
            Job.TTS: self.not_yet_available,
            Job.STT: self.not_yet_available,
            Job.EMAIL: self.not_yet_available,
        }

    def handle(self, job: Job, task: dict[str, Any]) -> Outcome:
        return self.handlers[job](task)

    # ------------------------------------------------------------------ helpers
    def _decision(self, task: dict[str, Any], messages: list[OutMessage]) -> Decision:
        return Decision(
            channel=Channel(task["channel"]), chat_id=str(task["chat_id"]),
            user_key=str(task["user"]), messages=messages,
            reply_token=task.get("reply_token"), event_ms=int(task.get("event_ms") or 0),
            send_key=f"job:{task['id']}",
        )

    def _apology(self, task: dict[str, Any]) -> Decision:
        lang = str(task.get("language", "en"))
        return self._decision(task, [Text(text=t(lang, "error.retry"), buttons=[
            Button(label=t(lang, "error.try_again"), data="retry"),
            Button(label=t(lang, "button.menu"), data="menu"),
        ])])

    def _label(self, lang: str) -> str:
        return t(lang, "offline.label") + "\n\n" if self.llm.offline else ""

    def _run(self, job: Job, task: dict[str, Any], prepare: Callable[[], Any],
             decide: Callable[[Transaction, Any], Decision]) -> Outcome:
        def guarded(txn: Transaction, prepared: Any) -> Decision:
            if isinstance(prepared, LlmError):
                return self._apology(task)
            return decide(txn, prepared)

        def safe_prepare() -> Any:
            try:
                return prepare()
            except LlmError as error:  # adapter already retried with backoff
                log.warning("llm failed", extra={"job": job.value,
                                                 "retryable": error.retryable})
                return error

        return self.runner.process(f"{job.value}:{task['id']}", guarded,
                                   self.delivery.deliver, safe_prepare)

    # ------------------------------------------------------------------ jobs
    def generate(self, task: dict[str, Any]) -> Outcome:
        lang = str(task.get("language", "en"))
        topic = str(task.get("topic", ""))

        def prepare() -> LlmText:
            return self.llm.generate(prompts.leaflet_system(lang), prompts.leaflet_prompt(topic),
                                     grounded=True)

        def decide(txn: Transaction, result: LlmText) -> Decision:
            session_path = f"sessions/{task['user']}"
            session = txn.get(session_path) or {}
            if result.text.strip() == "NOT_HEALTH":
                return self._decision(task, [Text(text=t(lang, "education.not_health"),
                                                  buttons=[Button(label=t(lang, "button.menu"),
                                                                  data="menu")])])
            leaflet_id = stable_id("leaflet", str(task["id"]))
            now = self.clock.now()
            txn.set(f"leaflets/{leaflet_id}", {
                "user_id": task["user"], "topic": topic, "language": lang,
                "text": result.text, "sources": [s.__dict__ for s in result.sources],
                "model": result.model, "prompt_version": prompts.PROMPT_VERSION,
                "created_at": now, "expires_at": now + RETENTION,
            })
            if session:
                txn.set(session_path, {"leaflet_id": leaflet_id}, merge=True)
            messages: list[OutMessage] = [Text(text=self._label(lang) + result.text, buttons=[
                Button(label=t(lang, "button.menu"), data="menu")])]
            if result.sources:
                messages.insert(1, Cards(
                    alt_text=t(lang, "education.references"),
                    cards=[Card(title=s.title or s.url, url=s.url) for s in result.sources[:10]],
                ))
            return self._decision(task, _buttons_last(messages))

        return self._run(Job.GENERATE, task, prepare, decide)

    def translate(self, task: dict[str, Any]) -> Outcome:
        lang = str(task.get("language", "en"))
        target = str(task.get("target", "en"))
        text = str(task.get("text", ""))

        def prepare() -> prompts.MedicalTranslation:
            return self.llm.generate_json(prompts.translation_system(target),
                                          prompts.translation_prompt(text),
                                          prompts.MedicalTranslation)

        def decide(txn: Transaction, result: prompts.MedicalTranslation) -> Decision:
            now = self.clock.now()
            txn.set(f"translations/{stable_id('translation', str(task['id']))}", {
                "user_id": task["user"], "target": target, "plain": result.plain,
                "translation": result.translation, "prompt_version": prompts.PROMPT_VERSION,
                "created_at": now, "expires_at": now + RETENTION,
            })
            body = (self._label(lang) + t(lang, "translation.did_you_mean", plain=result.plain)
                    + f"\n\n{t(lang, 'translation.machine')} ({t(lang, f'lang.{target}')}):\n"
                    + result.translation)
            return self._decision(task, [Text(text=body, buttons=[
                Button(label=t(lang, "button.menu"), data="menu")])])

        return self._run(Job.TRANSLATE, task, prepare, decide)

    def not_yet_available(self, task: dict[str, Any]) -> Outcome:
        lang = str(task.get("language", "en"))
        return self.runner.process(
            f"unavailable:{task['id']}",
            lambda _txn, _: self._decision(task, [Text(text=t(lang, "feature.unavailable"))]),
            self.delivery.deliver,
        )


def _buttons_last(messages: list[OutMessage]) -> list[OutMessage]:
    """LINE shows only the last message's quick replies: move buttons to the end."""
    buttons = [b for m in messages for b in m.buttons]
    for m in messages:
        m.buttons = []
    messages[-1].buttons = buttons
    return messages
