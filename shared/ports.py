"""Ports: the interfaces services depend on, in the project's own terms.

Adapters (shared/adapters) implement them with the real SDKs; fakes (shared/fakes)
implement them in memory. tests/contract runs one suite against both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, TypeVar

from pydantic import BaseModel

from shared.domain.channels import Channel
from shared.domain.messages import OutMessage, Text

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

Doc = dict[str, Any]
Op = Literal["==", "<", "<=", ">", ">=", "in"]
# Firestore's limit on an "in" filter's values (disjunctions), which it refuses beyond.
MAX_IN_VALUES = 30


@dataclass(frozen=True)
class Filter:
    field: str
    op: Op
    value: Any


class Conflict(Exception):
    """A create() hit an existing document, or a transaction could not commit."""


# --------------------------------------------------------------------------- store
class Transaction(Protocol):
    """Reads first, then writes (Firestore's rule); all writes commit together."""

    def get(self, path: str) -> Doc | None: ...
    def create(self, path: str, data: Doc) -> None: ...  # Conflict at commit if it exists
    def set(self, path: str, data: Doc, merge: bool = False) -> None: ...
    def delete(self, path: str) -> None: ...


class DocumentStore(Protocol):
    """Documents addressed by 'collection/id' paths. Datetimes are timezone-aware UTC."""

    def get(self, path: str) -> Doc | None: ...
    def create(self, path: str, data: Doc) -> bool:
        """Store data unless the document exists; True if this call created it."""
        ...
    def set(self, path: str, data: Doc, merge: bool = False) -> None: ...
    def delete(self, path: str) -> None: ...
    def query(
        self,
        collection: str,
        filters: Sequence[Filter] = (),
        order_by: str | None = None,
        limit: int | None = None,
    ) -> list[tuple[str, Doc]]:
        """(path, data) of matching documents of one top-level collection."""
        ...
    def transaction(self, fn: Callable[[Transaction], T]) -> T:
        """Run fn atomically, retrying it on contention."""
        ...


# --------------------------------------------------------------------------- tasks
class TaskQueue(Protocol):
    def enqueue(
        self,
        queue: str,
        payload: Doc,
        *,
        name: str | None = None,
        schedule_at: datetime | None = None,
    ) -> bool:
        """Queue payload for the worker of `queue`. False if `name` was seen already
        (Cloud Tasks' deduplication; callers must still be idempotent)."""
        ...


# --------------------------------------------------------------------------- blobs
class BlobStore(Protocol):
    """Private objects. Never public; links are signed and expire."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes | None: ...
    def delete_prefix(self, prefix: str) -> int: ...
    def signed_url(self, key: str, expires_s: int) -> str: ...


class PdfRenderer(Protocol):
    """A self-contained HTML page (no remote resources) as a PDF document."""

    def render(self, html: str) -> bytes: ...


# --------------------------------------------------------------------------- mail
@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    attachments: Sequence[tuple[str, bytes, str]] = field(default=())  # name, data, mime


class Mailer(Protocol):
    def send(self, email: Email) -> str:
        """Send; returns the Message-ID."""
        ...


# --------------------------------------------------------------------------- LLM
@dataclass(frozen=True)
class Source:
    title: str
    url: str


# The model name the labelled offline engine reports (shared/fakes/offline_llm.py): text
# stored with it was not written by Gemini, whichever worker shows it later.
OFFLINE_MODEL = "offline-demo"


@dataclass(frozen=True)
class SearchSuggestion:
    """A Google Search Suggestion of a grounded answer: the query exactly as the model
    gave it (webSearchQueries) and the link that opens its Google results page. The
    terms of Grounding with Google Search require showing these whenever the answer
    is shown; they are not sources."""

    query: str
    url: str


@dataclass(frozen=True)
class LlmText:
    text: str
    sources: tuple[Source, ...] = ()
    model: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    suggestions: tuple[SearchSuggestion, ...] = ()
    search_html: str = ""  # searchEntryPoint.renderedContent, exactly as received


# Why a model call failed, so a service can answer the patient in kind:
#   unavailable   transient (429/5xx/timeout) after the adapter's retries, or unexpected
#   rate_limited  the service asked to wait (retry_after_s) longer than a worker waits
#   quota_daily   a per-day quota is used up: nothing works until it resets
#   model_missing the configured model does not exist (retired id): an operator's fix
#   refused       the model or the service refused (safety, blocked prompt, ...)
#   recitation    the answer stopped because it recited a source
#   truncated     the answer was cut off (MAX_TOKENS) even with more room
#   invalid       the answer does not fit (schema) or the request was rejected (4xx)
LlmFailure = Literal["unavailable", "rate_limited", "quota_daily", "model_missing",
                     "refused", "recitation", "truncated", "invalid"]
# Thinking per task: "minimal" for quick, mechanical tasks (translation, command
# parsing, transcription), "default" leaves the model's own level (leaflets).
Thinking = Literal["minimal", "default"]


class LlmError(Exception):
    """The model failed after the adapter's retries (rate limit, 5xx, timeout), or
    answered something unusable; `kind` says which (LlmFailure)."""

    def __init__(self, message: str, *, retryable: bool = True,
                 kind: LlmFailure | None = None, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.kind: LlmFailure = kind or ("unavailable" if retryable else "invalid")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Speech:
    """16-bit little-endian mono PCM at `rate` Hz (an even number of bytes)."""

    pcm: bytes
    rate: int

    @property
    def duration_ms(self) -> int:
        return (len(self.pcm) // 2) * 1000 // self.rate if self.rate > 0 else 0


class LanguageModel(Protocol):
    offline: bool  # True for the labelled offline engine

    def generate(self, system: str, prompt: str, *, grounded: bool = False,
                 thinking: Thinking = "default") -> LlmText: ...
    def generate_json(self, system: str, prompt: str, schema: type[M], *,
                      thinking: Thinking = "default") -> M: ...
    def speak(self, text: str, language: str) -> Speech:
        """Speech at the rate the engine produced (read from its answer)."""
        ...
    def transcribe(self, audio: bytes, mime: str) -> str:
        """What was said; "" when nothing was heard."""
        ...


class Speaker(Protocol):
    """Text to speech: Gemini TTS in production, espeak-ng offline."""

    def speak(self, text: str, language: str) -> Speech:
        """Speech at its own rate (whole 16-bit samples). Empty text is refused with
        ValueError; engine failures raise LlmError."""
        ...


class AudioEncoder(Protocol):
    """PCM (16-bit mono) into what a platform plays: "m4a" (AAC, LINE) or "ogg"
    (Opus, Telegram voice). Unencodable audio raises ValueError."""

    def encode(self, pcm: bytes, rate: int, container: Literal["m4a", "ogg"]) -> bytes: ...


class WavDecoder(Protocol):
    """A WAV file (any rate, channels, sample format) as 16-bit mono PCM (Taigi speech
    arrives as WAV). Unreadable audio raises ValueError."""

    def decode_wav(self, wav: bytes) -> Speech: ...


# --------------------------------------------------------------------------- Taigi
class TaigiUnavailable(Exception):
    """The Taigi speech service failed (after retries) or its circuit is open."""


class TaigiSpeech(Protocol):
    """Taiwanese (Taigi) speech: NYCU iVoice in production (adapters/taigi_ivoice.py).
    Receives nothing but the text to speak. Empty text: ValueError; service
    failures: TaigiUnavailable."""

    def romanize(self, text: str) -> str:
        """Chinese text -> Taigi in TLPA romanisation."""
        ...
    def synthesize(self, tlpa: str) -> bytes:
        """TLPA -> speech as a WAV file."""
        ...


# --------------------------------------------------------------------------- chat
class Messenger(Protocol):
    channel: Channel

    def send(
        self,
        chat_id: str,
        messages: Sequence[OutMessage],
        *,
        key: str,
        reply_token: str | None = None,
        start: int = 0,
        on_part: Callable[[int, list[str]], None] | None = None,
    ) -> list[str]:
        """Deliver messages in order. `key` is a stable idempotency key for this send
        (LINE X-Line-Retry-Key); the reply token is used if given, else push.

        A send is a sequence of platform calls, its parts (LINE: up to 5 messages per
        reply or push; Telegram: one message bubble each), planned from the messages
        alone: the same messages always make the same parts. `start` skips the parts an
        earlier attempt delivered; `on_part(index, ids)` is called as soon as each part
        is delivered, so the caller can record it before the next one goes out.

        Returns the platform ids of the messages that went out in this call, in order
        (Telegram: message_id of each bubble; LINE: the sentMessages ids, [] if none
        came back)."""
        ...
    def retract(
        self, chat_id: str, message_ids: Sequence[str], *, note: str | None = None
    ) -> None:
        """Best effort: take earlier messages (ids from send()) out of the chat.

        Telegram deletes each one (possible within 48 h); one that cannot be deleted
        any more loses its buttons, and its text becomes `note` if one is given. A
        message already gone is ignored, so repeating a retract is harmless. LINE can
        neither delete nor edit: a no-op. Transient platform errors may still raise
        (retryable MessengerError), so the task that retracts can retry."""
        ...
    def leave(self, chat_id: str) -> None:
        """Leave a group chat (LINE: a group "C..." or room "R..."; Telegram: a group,
        supergroup or channel). A chat the bot is no longer in is not an error, so
        repeating a leave is harmless. Transient failures raise (retryable
        MessengerError)."""
        ...
    def chat_link(self) -> str | None:
        """A link that opens a private chat with the bot (LINE: its add-friend page by
        its LINE ID; Telegram: t.me/<username>), asked of the platform once; None when
        the platform cannot say."""
        ...
    def edit(self, chat_id: str, message_id: str, message: Text) -> bool:
        """Best effort: replace a sent text message (id from send()) and its buttons.

        Telegram edits it (editMessageText with the new inline keyboard; a message
        that cannot be edited any more, or is gone, answers False). LINE cannot edit a
        sent message: always False, and the caller answers with a new message.
        Transient platform errors may raise (retryable MessengerError)."""
        ...
    def show_loading(self, chat_id: str, seconds: int = 20) -> None: ...
    def acknowledge(self, callback_id: str) -> None: ...
    def fetch_audio(self, media_id: str, max_bytes: int) -> bytes: ...
    def profile_language(self, user_id: str) -> str | None:
        """Best effort: the language the platform reports for a user (LINE's profile
        `language`, a BCP 47 tag such as "en", "ja" or "zh-Hant"); None when there is
        none or the call fails (Telegram sends language_code with every update)."""
        ...
    def show_menu(self, chat_id: str, language: str) -> None:
        """Best effort: the platform's own menu in a UI language for this chat (LINE:
        link the rich menu under alias medbot-<language>; Telegram: that language's
        command list for this chat). Never raises: a menu is no reason to fail a turn."""
        ...


class Clock(Protocol):
    def now(self) -> datetime:
        """Timezone-aware UTC."""
        ...


class ZoneFinder(Protocol):
    def zone_at(self, latitude: float, longitude: float) -> str | None:
        """The IANA time zone of a place ("Asia/Taipei"), looked up offline; None when
        the coordinates are not a place on Earth."""
        ...
