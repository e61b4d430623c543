"""The taigi job: NYCU iVoice TLPA romanisation and speech for a translation into
Taiwanese (no LLM). Chinese text -> TLPA -> WAV (TaigiSpeech port), decoded and encoded
for the channel (WavDecoder and AudioEncoder ports: PyAV, built only for this worker);
iVoice down: a clear message, the written translation stands.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from shared.domain.channels import Channel
from shared.domain.decision import Decision
from shared.domain.i18n import t
from shared.domain.messages import OutMessage, Text
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
                             prepare=lambda: self._prepare(task))

    def _prepare(self, task: Task) -> TaigiAudio | None:
        fmt = FORMATS[Channel(task["channel"])]  # LINE: m4a; Telegram: OGG/Opus voice
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
        buttons = conversation_buttons(lang, read_aloud=False)
        if audio is None:
            return self.kit.decision(task, [Text(text=t(lang, "taigi.unavailable"),
                                                 buttons=buttons)])
        path = translation_path(str(task.get("translation_id", "")))
        stored: dict[str, Any] | None = txn.get(path) if task.get("translation_id") else None
        if stored is not None:
            txn.set(path, {"tlpa": audio.tlpa}, merge=True)
        label = t(lang, "taigi.offline") + "\n\n" if getattr(self.speech, "offline", False) else ""
        text = (label + t(lang, "taigi.tlpa") + "\n" + audio.tlpa + "\n\n"
                + t(lang, "taigi.credit"))
        messages: list[OutMessage] = [
            Text(text=text), *audio_messages(lang, audio.parts, audio.mime, buttons)]
        return self.kit.decision(task, buttons_last(messages))
