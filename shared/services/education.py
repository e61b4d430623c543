"""Health-education leaflets: grounded generation (Gemini + Google Search)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.domain import prompts
from shared.domain.decision import Decision
from shared.domain.i18n import t
from shared.domain.messages import Button, Card, Cards, OutMessage, Text
from shared.domain.signatures import stable_id
from shared.jobs import Job
from shared.ports import LlmText, Transaction
from shared.services.jobkit import RETENTION, JobKit, Task, buttons_last, language
from shared.services.runner import Outcome


@dataclass
class EducationService:
    kit: JobKit

    def generate(self, task: Task) -> Outcome:
        lang = language(task)
        topic = str(task.get("topic", ""))

        def prepare() -> LlmText:
            return self.kit.llm.generate(prompts.leaflet_system(lang),
                                         prompts.leaflet_prompt(topic), grounded=True)

        def decide(txn: Transaction, result: LlmText) -> Decision:
            session_path = f"sessions/{task['user']}"
            session = txn.get(session_path) or {}
            if result.text.strip() == "NOT_HEALTH":
                return self.kit.decision(task, [Text(
                    text=t(lang, "education.not_health"),
                    buttons=[Button(label=t(lang, "button.menu"), data="menu")])])
            leaflet_id = stable_id("leaflet", str(task["id"]))
            now = self.kit.clock.now()
            txn.set(f"leaflets/{leaflet_id}", {
                "user_id": task["user"], "topic": topic, "language": lang,
                "text": result.text, "sources": [s.__dict__ for s in result.sources],
                "model": result.model, "prompt_version": prompts.PROMPT_VERSION,
                "created_at": now, "expires_at": now + RETENTION,
            })
            if session:
                txn.set(session_path, {"leaflet_id": leaflet_id}, merge=True)
            messages: list[OutMessage] = [Text(
                text=self.kit.label(lang) + result.text,
                buttons=[Button(label=t(lang, "button.menu"), data="menu")])]
            if result.sources:
                messages.append(Cards(
                    alt_text=t(lang, "education.references"),
                    cards=[Card(title=s.title or s.url, url=s.url) for s in result.sources[:10]],
                ))
            return self.kit.decision(task, buttons_last(messages))

        return self.kit.run(Job.GENERATE, task, prepare, decide)
