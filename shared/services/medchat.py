"""Medical translation chat: plain-language rewrite and translation in one call."""

from __future__ import annotations

from dataclasses import dataclass

from shared.domain import prompts
from shared.domain.decision import Decision
from shared.domain.i18n import t
from shared.domain.messages import Button, Text
from shared.domain.signatures import stable_id
from shared.jobs import Job
from shared.ports import Transaction
from shared.services.jobkit import RETENTION, JobKit, Task, language
from shared.services.runner import Outcome


@dataclass
class MedicalTranslationService:
    kit: JobKit

    def translate(self, task: Task) -> Outcome:
        lang = language(task)
        target = str(task.get("target", "en"))
        text = str(task.get("text", ""))

        def prepare() -> prompts.MedicalTranslation:
            return self.kit.llm.generate_json(prompts.translation_system(target),
                                              prompts.translation_prompt(text),
                                              prompts.MedicalTranslation)

        def decide(txn: Transaction, result: prompts.MedicalTranslation) -> Decision:
            now = self.kit.clock.now()
            txn.set(f"translations/{stable_id('translation', str(task['id']))}", {
                "user_id": task["user"], "target": target, "plain": result.plain,
                "translation": result.translation, "prompt_version": prompts.PROMPT_VERSION,
                "created_at": now, "expires_at": now + RETENTION,
            })
            body = (self.kit.label(lang)
                    + t(lang, "translation.did_you_mean", plain=result.plain)
                    + f"\n\n{t(lang, 'translation.machine')} ({t(lang, f'lang.{target}')}):\n"
                    + result.translation)
            return self.kit.decision(task, [Text(text=body, buttons=[
                Button(label=t(lang, "button.menu"), data="menu")])])

        return self.kit.run(Job.TRANSLATE, task, prepare, decide)
