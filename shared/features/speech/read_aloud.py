"""Read aloud: a leaflet or a translation (or a given text) as an audio message.

Dialog: a button "tts:<source>" or "tts:<source>:<document id>" (source: leaflet or
translation) enqueues Job.TTS with {"ref": {"source", "id"}}; without an id the
session's latest one is read (session.leaflet_id / session.translation_id).

Worker (SpeechService.tts, exactly once through JobKit.run):
    prepare: read the text (only the caller's own document), clean and cap it,
             synthesise (Speaker: PCM at its own rate), encode for the channel (LINE: AAC
             m4a, Telegram: OGG/Opus voice notes of at most 1 MB each, as numbered parts
             when longer: plumbing/voice_out.py), upload under audio/{user}/, sign links;
    decide:  the Audio message(s) (plus a note when the text was cut), or a refusal.
Model/engine failures become JobKit's apology with a retry button.

Never logged: the text, the audio, the link.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from shared.domain import leaflet_format
from shared.domain.buttons import ID, ButtonKind, one_of
from shared.domain.channels import Channel
from shared.domain.decision import Decision
from shared.domain.dialog import ANY, DialogPart, Step
from shared.domain.i18n import t
from shared.domain.messages import Button, OutMessage, Text
from shared.domain.signatures import stable_id
from shared.domain.speech_text import MAX_SPOKEN_WEIGHT, spoken_text
from shared.features.education.views import COLLECTION as LEAFLETS
from shared.features.translation.service import COLLECTION as TRANSLATIONS
from shared.jobs import Job
from shared.plumbing.files import AUDIO, user_file_key
from shared.plumbing.jobkit import JobKit, Task, language
from shared.plumbing.runner import Outcome
from shared.plumbing.turns import Reply, Turn
from shared.plumbing.voice_out import FORMATS, audio_messages, encode_parts
from shared.ports import AudioEncoder, BlobStore, Doc, LlmError, Speaker, Transaction

log = logging.getLogger(__name__)

VERB: Final = "tts"  # button data "tts:<source>[:<document id>]"


class SpeechIntent(StrEnum):
    READ_ALOUD = "read.aloud"


# A button names its document ("tts:leaflet:<id>"); a typed "read it aloud" means the
# one on screen (the session's latest).
BUTTON: Final = ButtonKind(VERB, (one_of(["leaflet", "translation"]), ID))
DIALOG: Final = DialogPart(
    kinds={BUTTON: SpeechIntent.READ_ALOUD},
    readings={"action:leaflet.read": (SpeechIntent.READ_ALOUD, "leaflet"),
              "action:translation.read": (SpeechIntent.READ_ALOUD, "translation")},
    rows={(ANY, SpeechIntent.READ_ALOUD): Step("read_aloud")})


@dataclass(frozen=True)
class SpeechSource:
    collection: str
    text_field: str
    language_field: str  # the language the text is written in (the voice to use)
    session_field: str  # where the session keeps the latest document id


SOURCES: Final[dict[str, SpeechSource]] = {
    "leaflet": SpeechSource(LEAFLETS, "text", "language", "leaflet_id"),
    "translation": SpeechSource(TRANSLATIONS, "translation", "target", "translation_id"),
}
_DOC_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def read_aloud_data(source: str, doc_id: str = "") -> str:
    """Button data for "read this aloud" (<= 64 bytes with a 40-char stable id)."""
    if source not in SOURCES:
        raise ValueError(f"unknown speech source: {source}")
    return f"{VERB}:{source}:{doc_id}" if doc_id else f"{VERB}:{source}"


def read_aloud_button(lang: str, source: str, doc_id: str = "") -> Button:
    """The "🔊 Read aloud" button features put under their messages."""
    return Button(label=t(lang, "speech.button"), data=read_aloud_data(source, doc_id))


# --------------------------------------------------------------------------- dialog
def read_aloud(turn: Turn) -> Reply:
    """Dialog handler of the `tts` verb: queue the speech job for the document."""
    source_name, _, doc_id = turn.argument.partition(":")
    source = SOURCES.get(source_name)
    if source is not None and not doc_id:
        doc_id = str(turn.session.get(source.session_field) or "")
    if source is None or not _DOC_ID.match(doc_id):
        return Reply([Text(text=t(turn.lang, "speech.nothing"),
                           buttons=[Button(label=t(turn.lang, "button.menu"), data="menu")])])
    request = {"ref": {"source": source_name, "id": doc_id}}
    return Reply(jobs=[(Job.TTS, request)], loading=True,
                 session={"last_job": {"job": Job.TTS.value, "args": request}})


# --------------------------------------------------------------------------- worker
@dataclass(frozen=True)
class Spoken:
    parts: list[tuple[str, int]]  # (signed link, duration ms) of each file, in order
    mime: str
    truncated: bool
    title: str = ""  # what is read ("🔊 Read aloud: Diabetes"), with the audio


@dataclass(frozen=True)
class Refused:
    key: str  # catalog key of the explanation


@dataclass
class SpeechService:
    kit: JobKit
    speaker: Speaker
    encoder: AudioEncoder
    blobs: BlobStore
    signed_url_ttl_s: int = 3600
    max_weight: int = MAX_SPOKEN_WEIGHT

    def tts(self, task: Task) -> Outcome:
        lang = language(task)

        def prepare() -> Spoken | Refused:
            found = self._text(task)
            if isinstance(found, Refused):
                return found
            text, voice, title = found
            return self._speak(task, text, voice, title)

        def decide(_txn: Transaction, result: Spoken | Refused) -> Decision:
            menu = Button(label=t(lang, "button.menu"), data="menu")
            if isinstance(result, Refused):
                return self.kit.decision(task, [Text(text=t(lang, result.key), buttons=[menu])])
            messages: list[OutMessage] = []
            if result.truncated:
                messages.append(Text(text=t(lang, "speech.truncated")))
            messages += audio_messages(lang, result.parts, result.mime, [menu],
                                       title=result.title)
            return self.kit.decision(task, messages)

        return self.kit.run(Job.TTS, task, prepare, decide)

    def _text(self, task: Task) -> tuple[str, str, str] | Refused:
        """(text, its language, what it is) from the task or from the caller's own
        document."""
        ref = task.get("ref")
        if ref is None:
            text = task.get("text")
            if not isinstance(text, str):
                return Refused("speech.nothing")
            return text, str(task.get("voice_language") or language(task)), ""
        source = SOURCES.get(str(ref.get("source"))) if isinstance(ref, dict) else None
        doc_id = str(ref.get("id", "")) if isinstance(ref, dict) else ""
        if source is None or not _DOC_ID.match(doc_id):
            return Refused("speech.not_found")
        doc = self.kit.store.get(f"{source.collection}/{doc_id}")
        # Another user's document answers exactly like a missing one.
        if doc is None or doc.get("user_id") != task["user"]:
            log.warning("speech source refused", extra={"source": source.collection,
                                                        "found": doc is not None})
            return Refused("speech.not_found")
        text = doc.get(source.text_field)
        if not isinstance(text, str):
            return Refused("speech.nothing")
        voice = str(doc.get(source.language_field) or language(task))
        return text, voice, _title(language(task), source, doc, voice)

    def _speak(self, task: Task, text: str, voice: str, title: str) -> Spoken | Refused:
        spoken = spoken_text(text, self.max_weight)
        if not spoken.text.strip():
            return Refused("speech.nothing")
        channel = Channel(task["channel"])
        fmt = FORMATS[channel]
        try:
            speech = self.speaker.speak(spoken.text, voice)
        except ValueError:
            return Refused("speech.nothing")
        try:
            # At the rate the engine declared: another rate would play at the wrong
            # speed and announce the wrong duration.
            parts = encode_parts(self.encoder, speech.pcm, speech.rate, fmt)
        except ValueError as exc:
            raise LlmError(f"speech could not be encoded ({type(exc).__name__})",
                           retryable=False) from None
        links: list[tuple[str, int]] = []
        for index, part in enumerate(parts):
            # Stable names per task: a retried task overwrites its own files.
            suffix = f"-{index + 1}" if len(parts) > 1 else ""
            key = user_file_key(AUDIO, str(task["user"]),
                                f"{stable_id('tts', str(task['id']))}{suffix}.{fmt.container}")
            self.blobs.put(key, part.data, fmt.mime)
            links.append((self.blobs.signed_url(key, self.signed_url_ttl_s), part.duration_ms))
        log.info("speech", extra={"channel": channel.value, "voice_language": voice,
                                  "chars": len(spoken.text), "truncated": spoken.truncated,
                                  "duration_ms": sum(p.duration_ms for p in parts),
                                  "parts": len(parts), "bytes": sum(len(p.data) for p in parts)})
        return Spoken(parts=links, mime=fmt.mime, truncated=spoken.truncated, title=title)


def _title(lang: str, source: SpeechSource, doc: Doc, voice: str) -> str:
    """What an audio is, in the user's language: the leaflet's title (its topic if it
    has none) or the translation and its language."""
    if source.collection == LEAFLETS:
        title = leaflet_format.parse(str(doc.get(source.text_field) or "")).title
        return t(lang, "speech.title_leaflet", title=title or str(doc.get("topic") or "…"))
    return t(lang, "speech.title_translation", target=t(lang, f"lang.{voice}"))
