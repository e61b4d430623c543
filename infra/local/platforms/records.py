"""What the fake platforms keep and answer: simulated users, chat bubbles, API calls,
webhook results, faults and the platform-shaped error, shared by every module here."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

ChannelName = Literal["line", "telegram"]
CHANNELS: tuple[ChannelName, ...] = ("line", "telegram")
Json = dict[str, Any]
ClockNow = Callable[[], datetime]
ClockAdvance = Callable[[float], object]
Outbox = Callable[[], Sequence[Mapping[str, Any]]]

WEBHOOK_SLOW_MS = 2000  # LINE counts a webhook answered after 2 s as failed


# =========================================================================== users
@dataclass(frozen=True)
class SimUser:
    """A simulated person, with an account on both platforms."""

    key: str  # what the page's user picker and the tests use
    name: str
    language: str  # en / zh-TW / ru: shown in the LINE profile
    line_user_id: str
    telegram_id: int
    telegram_language_code: str  # what Telegram clients really send ("zh-hant", ...)


def line_id(seed: str) -> str:
    """A stable LINE user id ("U" + 32 hex digits) for a name."""
    return "U" + hashlib.md5(seed.encode(), usedforsecurity=False).hexdigest()


DEFAULT_USERS: tuple[SimUser, ...] = (
    SimUser("en", "Alice", "en", line_id("alice"), 100000001, "en"),
    SimUser("zh-TW", "美玲", "zh-TW", line_id("meiling"), 100000002, "zh-hant"),
    SimUser("ru", "Иван", "ru", line_id("ivan"), 100000003, "ru"),
)


# =========================================================================== chats
@dataclass
class ChatEntry:
    """One bubble in a chat, from the user or the bot, as the page shows it."""

    id: int
    channel: ChannelName
    chat_id: str
    sender: Literal["user", "bot"]
    kind: Literal["text", "audio", "cards", "tap", "event"]
    text: str = ""
    segments: list[Json] = field(default_factory=list)  # Telegram HTML: [{text, url, b, i}]
    buttons: list[Json] = field(default_factory=list)  # [{label, data, url, row}]
    quick_reply: bool = False  # LINE quick reply (vs Telegram inline keyboard)
    audio_url: str | None = None
    duration_ms: int | None = None
    cards: list[Json] = field(default_factory=list)  # [{title, subtitle, url}]
    alt_text: str = ""
    message_id: int | None = None  # Telegram
    via: str = ""  # reply / push / sendMessage / webhook ...
    at: float = 0.0  # unix seconds (simulated clock when one is given)
    edited: bool = False
    deleted: bool = False
    as_file: bool = False  # Telegram delivered a voice note as a file (over 1 MB)
    unplayable: bool = False  # LINE audio the app cannot play (not m4a/mp3, too large)
    raw: Json = field(default_factory=dict)  # the platform object (wire JSON)

    def public(self) -> Json:
        data = asdict(self)
        data.pop("raw")
        return data


@dataclass(frozen=True)
class ApiCall:
    """One Messaging API / Bot API request the bot made (no bodies)."""

    channel: ChannelName
    endpoint: str  # reply, push, loading, content, profile / sendMessage, getFile, ...
    status: int
    chat_id: str | None = None
    retry_key: str | None = None
    at: float = 0.0  # unix seconds (simulated clock when one is given); set on record

    def public(self) -> Json:
        """As GET /sim/api/calls shows it: no chat id, no retry key."""
        return {"endpoint": self.endpoint, "status": self.status,
                "at": datetime.fromtimestamp(self.at, UTC).isoformat()}


@dataclass(frozen=True)
class WebhookResult:
    """What happened to one webhook the simulated user caused."""

    channel: ChannelName
    status: int | None  # None: no webhook URL configured, or the request failed
    elapsed_ms: int
    body: bytes
    headers: dict[str, str]
    event_id: str  # LINE webhookEventId / Telegram update_id
    reply_token: str | None = None
    error: str | None = None

    @property
    def payload(self) -> Json:
        result: Json = json.loads(self.body)
        return result

    def summary(self) -> Json:
        return {
            "status": self.status,
            "elapsed_ms": self.elapsed_ms,
            "slow": self.elapsed_ms > WEBHOOK_SLOW_MS,
            "error": self.error,
        }


@dataclass(frozen=True)
class Webhook:
    """A webhook ready to post: the body as signed, its headers and the event's id."""

    body: bytes
    headers: dict[str, str]
    event_id: str  # LINE webhookEventId / Telegram update_id
    reply_token: str | None = None
    withheld: bool = False  # a type the bot did not subscribe to: the platform keeps it


# =========================================================================== files, faults
@dataclass
class Media:
    """A file a user sent (or the bot uploaded), as the platform serves it."""

    data: bytes
    mime: str
    preparing: int = 0  # LINE answers 202 this many more times


@dataclass
class Fault:
    mode: Literal["error", "hang"]
    status: int
    channel: ChannelName | None
    hang_s: float
    after: int  # matching calls to let through first
    retry_after: int = 1  # a 429's hint, in seconds


class ChatConflict(Exception):
    """What the user tried does not fit the chat's state (e.g. typing to a bot they
    blocked, blocking it twice): the simulator API answers 409."""


class ApiError(Exception):
    """An API call answered with an error status and a platform-shaped body."""

    def __init__(self, status: int, body: Json) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


# =========================================================================== helpers
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid(now_ms: int | None = None) -> str:
    """A ULID (48-bit time + 80 random bits, Crockford base32), like webhookEventId."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    value = (ms << 80) | secrets.randbits(80)
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def channel_arg(value: Any) -> ChannelName:
    """A channel name from a request; ValueError (a 400) for anything else."""
    for channel in CHANNELS:
        if value == channel:
            return channel
    raise ValueError("channel must be 'line' or 'telegram'")
