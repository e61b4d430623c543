"""The taigi job: NYCU iVoice TLPA romanisation and speech for a translation into
Taiwanese (no LLM): a chat translation, or a leaflet translated into Taigi (the education
feature asks for it the same way, with taigi_ask.taigi_request). Chinese text -> TLPA -> WAV
(TaigiSpeech port), decoded and encoded for the channel (WavDecoder and AudioEncoder
ports: PyAV, built only for this worker); iVoice down: a clear message, the written
translation stands.

"Taigi speech is coming" (taigi_ask.with_taigi_note) is replaced when the speech arrives, as far
as each platform allows:
* Telegram: the note is a bubble of its own, last and without buttons; once the TLPA
  text and the audio are out (or the message that iVoice is down), the job deletes it
  (Messenger.retract, by its id in the requesting task's delivery record).
* LINE can neither edit nor delete a sent message (the Messaging API has no call for
  it), so there the note says what stays true once the audio is there (it follows
  below), and the job shows LINE's loading animation while iVoice works, which LINE
  takes away when the audio message arrives.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Final

from shared.domain.channels import Channel
from shared.domain.decision import Decision
from shared.domain.i18n import t
from shared.domain.messages import Button, OutMessage, Text
from shared.features.translation.conversation import conversation_buttons
from shared.features.translation.service import translation_path
from shared.jobs import Job
from shared.plumbing.files import AUDIO, user_file_key
from shared.plumbing.jobkit import JobKit, Task, buttons_last, language
from shared.plumbing.runner import Outcome
from shared.plumbing.voice_out import FORMATS, audio_messages, encode_parts
from shared.ports import (
    AudioEncoder,
    BlobStore,
    TaigiSpeech,
    TaigiUnavailable,
    Transaction,
    WavDecoder,
)

log = logging.getLogger(__name__)

# LINE's loading animation while iVoice works (5-60 s; it ends when a message arrives).
LOADING_S: Final = 60
# The document a TLPA romanisation is kept on: "<collection>/<id>" of the user's own.
_DOCUMENT = re.compile(r"^[a-z_]{1,40}/[A-Za-z0-9_-]{1,128}$")


@dataclass(frozen=True)
class TaigiAudio:
    tlpa: str
    parts: list[tuple[str, int]]  # (signed link, duration ms) of each file, in order
    mime: str


@dataclass
class TaigiVoiceService:
    kit: JobKit
    speech: TaigiSpeech
    decoder: WavDecoder
    encoder: AudioEncoder
    blobs: BlobStore
    link_ttl_s: int = 3600

    def speak(self, task: Task) -> Outcome:
        return self.kit.once(Job.TAIGI, task, lambda work, audio: self._decide(work, task, audio),
                             prepare=lambda: self._prepare(task),
                             apply=lambda decision: self._apply(task, decision))

    def _prepare(self, task: Task) -> TaigiAudio | None:
        channel = Channel(task["channel"])
        fmt = FORMATS[channel]  # LINE: m4a; Telegram: OGG/Opus voice
        if channel is Channel.LINE:  # the "coming" note cannot go: LINE shows it working
            self.kit.delivery.messengers[channel].show_loading(str(task["chat_id"]), LOADING_S)
        try:
            tlpa = self.speech.romanize(str(task.get("text", "")))
            speech = self.decoder.decode_wav(self.speech.synthesize(tlpa))
            # Voice notes of at most 1 MB on Telegram, numbered parts when longer.
            parts = encode_parts(self.encoder, speech.pcm, speech.rate, fmt)
        except (TaigiUnavailable, ValueError) as error:  # incl. undecodable audio
            log.warning("taigi speech failed", extra={"error": type(error).__name__,
                                                      "outcome": "taigi_unavailable"})
            return None
        links: list[tuple[str, int]] = []
        for index, part in enumerate(parts):
            suffix = f"-{index + 1}" if len(parts) > 1 else ""
            key = user_file_key(AUDIO, str(task["user"]),
                                f"taigi-{task['id']}{suffix}.{fmt.container}")
            self.blobs.put(key, part.data, fmt.mime)  # lifecycle: audio/ goes after a day
            links.append((self.blobs.signed_url(key, self.link_ttl_s), part.duration_ms))
        return TaigiAudio(tlpa, links, fmt.mime)

    def _decide(self, txn: Transaction, task: Task, audio: TaigiAudio | None) -> Decision:
        lang = language(task)
        buttons = _buttons(task)
        if audio is None:
            return self.kit.decision(task, [Text(text=t(lang, "taigi.unavailable"),
                                                 buttons=buttons)])
        path = _document(task)
        stored: dict[str, Any] | None = txn.get(path) if path else None
        if path and stored is not None and stored.get("user_id") == task["user"]:
            txn.set(path, {"tlpa": audio.tlpa}, merge=True)
        label = t(lang, "taigi.offline") + "\n\n" if getattr(self.speech, "offline", False) else ""
        note = str(task.get("note") or "")
        text = (label + (note + "\n\n" if note else "") + t(lang, "taigi.tlpa") + "\n"
                + audio.tlpa + "\n\n" + t(lang, "taigi.credit"))
        title = str(task.get("title") or t(lang, "taigi.title"))
        messages: list[OutMessage] = [
            Text(text=text), *audio_messages(lang, audio.parts, audio.mime, buttons, title=title)]
        return self.kit.decision(task, buttons_last(messages))

    def _apply(self, task: Task, decision: Decision) -> None:
        """Send the speech (or the message that it could not be made), then take the
        "coming" note away where the platform can (Telegram). Repeated on a replay:
        a note already deleted is ignored."""
        self.kit.apply(decision)
        send_key = str(task.get("placeholder") or "")
        if not send_key or decision.channel is not Channel.TELEGRAM:
            return
        ids = self.kit.delivery.sent_ids(send_key)
        if ids:
            messenger = self.kit.delivery.messengers[decision.channel]
            messenger.retract(decision.chat_id, ids[-1:])


def _buttons(task: Task) -> list[Button]:
    """The buttons the requesting feature put under the audio (a chat translation's by
    default)."""
    given = task.get("buttons")
    if isinstance(given, list) and given:
        return [Button.model_validate(b) for b in given]
    return conversation_buttons(language(task))


def _document(task: Task) -> str:
    """Where the TLPA is kept ("" for nowhere): `document`, or the chat translation."""
    document = str(task.get("document") or "")
    if _DOCUMENT.match(document):
        return document
    return translation_path(str(task["translation_id"])) if task.get("translation_id") else ""
