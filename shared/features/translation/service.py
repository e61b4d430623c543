"""Medical translation: plain-language rewrite and translation in one call.

Three job kinds (the third in taigi.py):

* translate: ONE structured Gemini call gives the plain rewrite and the translation;
  the reply shows "Did you mean: <plain>" and the machine translation, with the
  conversation buttons; the disclaimer once per conversation (session flag).
* stt: a voice message is downloaded (at most MAX_AUDIO_BYTES), transcribed (one
  call), shown, and translated like text in the same task (one more call). The
  audio lives in memory only for the task and is never stored or logged.
* taigi: when the translation is into Taiwanese (nan), the NYCU iVoice service turns
  Chinese text into TLPA romanisation and speech (no LLM). iVoice down: a clear
  message, the chat goes on.

Translations are stored in translations/{id} (user_id, for "delete my data"); the
session keeps the last one's id (translation_id) for the "Read aloud" button.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from shared.domain import prompts
from shared.domain.channels import Channel
from shared.domain.decision import Decision
from shared.domain.errors import MediaTooLarge, MessengerError
from shared.domain.i18n import t
from shared.domain.messages import OutMessage, Text
from shared.domain.red_flags import red_flags
from shared.domain.signatures import stable_id
from shared.features.translation.conversation import TAIGI, conversation_buttons, taigi_text
from shared.features.translation.taigi_ask import taigi_request, with_taigi_note
from shared.jobs import Job
from shared.plumbing.collections import session_path
from shared.plumbing.jobkit import RETENTION, JobKit, Task, emergency, language
from shared.plumbing.runner import Outcome
from shared.plumbing.work import TaskRef
from shared.ports import Transaction

log = logging.getLogger(__name__)

COLLECTION: Final = "translations"  # 365 days (clinical review), like leaflets
# What each platform sends for voice messages (the mime type Gemini is told).
VOICE_MIME = {Channel.LINE: "audio/mp4", Channel.TELEGRAM: "audio/ogg"}


def translation_path(translation_id: str) -> str:
    return f"{COLLECTION}/{translation_id}"


@dataclass(frozen=True)
class Heard:
    transcript: str
    result: prompts.MedicalTranslation


@dataclass(frozen=True)
class VoiceProblem:
    key: str  # catalog key of the message that explains it


@dataclass
class TranslationService:
    kit: JobKit
    max_audio_bytes: int = 10 * 1024 * 1024

    # ------------------------------------------------------------------ translate
    def translate(self, task: Task) -> Outcome:
        text, target = str(task.get("text", "")), _target(task)
        return self.kit.run(Job.TRANSLATE, task, lambda: self._translate(text, target),
                            lambda txn, result: self._answer(txn, Job.TRANSLATE, task, result,
                                                             None))

    def _translate(self, text: str, target: str) -> prompts.MedicalTranslation:
        """The one model call per translated message."""
        return self.kit.llm.generate_json(prompts.translation_system(target),
                                          prompts.translation_prompt(text),
                                          prompts.MedicalTranslation, thinking="minimal")

    def _answer(self, txn: Transaction, job: Job, task: Task,
                result: prompts.MedicalTranslation,
                heard: str | None) -> Decision:
        lang, target, user = language(task), _target(task), str(task["user"])
        session = txn.get(session_path(user))  # reads first
        first = not (session or {}).get("disclaimer_shown")
        now = self.kit.clock.now()
        translation_id = stable_id("translation", str(task["id"]))
        doc = {"user_id": user, "source": str(task.get("source", "")), "target": target,
               "plain": result.plain, "translation": result.translation,
               "voice": heard is not None, "prompt_version": prompts.PROMPT_VERSION,
               "created_at": now, "expires_at": now + RETENTION}
        txn.set(translation_path(translation_id), doc)
        if session is not None:
            txn.set(session_path(user), {"translation_id": translation_id,
                                   "disclaimer_shown": True}, merge=True)
        self.kit.archive(user, "translation", translation_id, doc)

        body = (self.kit.label(lang)
                + t(lang, "translation.did_you_mean", plain=result.plain)
                + f"\n\n{t(lang, 'translation.machine')} ({t(lang, f'lang.{target}')}):\n"
                + result.translation)
        if first:
            body += "\n\n" + t(lang, "translation.disclaimer", emergency=emergency(task))
        messages: list[OutMessage] = []
        # A red flag the dialog did not see (in a transcript), or the model's own
        # judgement: the emergency number first, then the translation as always.
        if not task.get("red_flag") and (result.emergency
                                         or (heard is not None and red_flags(heard))):
            messages.append(Text(text=t(lang, "emergency.alert", emergency=emergency(task))))
        if heard is not None:
            messages.append(Text(text=t(lang, "translation.heard", transcript=heard)))
        buttons = conversation_buttons(
            lang, read_aloud=translation_id if target != TAIGI else None)
        messages.append(Text(text=body, buttons=buttons))
        if target != TAIGI:
            return self.kit.decision(task, messages)
        # iVoice speaks the Taigi translation: the note that it is coming goes when it
        # arrives (taigi_ask.py).
        decision = self.kit.decision(
            task, with_taigi_note(lang, Channel(task["channel"]), messages))
        spoken = str(task.get("source", ""))
        decision.jobs = [taigi_request(
            TaskRef(job, str(task["id"])), task,
            taigi_text(spoken, result.plain, result.translation),
            title=t(lang, "taigi.title"), buttons=conversation_buttons(lang),
            document=translation_path(translation_id), placeholder=decision.send_key)]
        return decision

    # ------------------------------------------------------------------ voice in
    def voice(self, task: Task) -> Outcome:
        lang = language(task)
        if self.kit.llm.offline:  # no Gemini key: nothing can transcribe
            return self.kit.once(Job.STT, task, lambda _work, _: self._notice(
                task, "translation.voice_offline"))
        channel, target = Channel(task["channel"]), _target(task)

        def prepare() -> Heard | VoiceProblem:
            messenger = self.kit.delivery.messengers[channel]
            try:
                audio = messenger.fetch_audio(str(task.get("media_id", "")),
                                              self.max_audio_bytes)
            except MediaTooLarge:
                return VoiceProblem("translation.voice_too_large")
            except MessengerError as error:
                if error.retryable:
                    raise  # the platform hiccuped: Cloud Tasks tries again
                return VoiceProblem("translation.voice_failed")
            transcript = self.kit.llm.transcribe(audio, VOICE_MIME[channel]).strip()
            del audio  # held only for the transcription
            if not transcript:
                return VoiceProblem("translation.voice_unclear")
            return Heard(transcript, self._translate(transcript, target))

        def decide(txn: Transaction, prepared: Heard | VoiceProblem) -> Decision:
            if isinstance(prepared, VoiceProblem):
                return self._notice(task, prepared.key)
            return self._answer(txn, Job.STT, task, prepared.result, prepared.transcript)

        log.info("voice message", extra={"ui_language": lang})
        return self.kit.run(Job.STT, task, prepare, decide)

    def _notice(self, task: Task, key: str) -> Decision:
        lang = language(task)
        return self.kit.decision(task, [Text(
            text=t(lang, key, limit_mb=self.max_audio_bytes // (1024 * 1024)),
            buttons=conversation_buttons(lang))])


def _target(task: Task) -> str:
    return str(task.get("target", "en"))
