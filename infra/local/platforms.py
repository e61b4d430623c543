"""A local stand-in for the LINE and Telegram platforms, and the chat simulator page.

Bot side: the real SDKs talk to it through their base-URL settings.
  LINE (line-bot-sdk: Configuration(host=server.url), also as the data host)
    POST /v2/bot/message/reply      reply tokens this server issued: single use, 60 s
    POST /v2/bot/message/push       X-Line-Retry-Key: a repeated key -> 409, not stored
    POST /v2/bot/chat/loading/start loadingSeconds 5..60 in steps of 5
    GET  /v2/bot/message/{id}/content  audio users sent (202 while "preparing")
    GET  /v2/bot/profile/{userId}   display name and language
  Telegram (PTB: Bot(base_url=server.url + "/bot", base_file_url=server.url + "/file/bot"))
    /bot<token>/<method> for getMe, sendMessage, sendVoice, sendAudio, sendChatAction,
    answerCallbackQuery, editMessageText, editMessageReplyMarkup, deleteMessage, getFile,
    setWebhook, getWebhookInfo, deleteWebhook; /file/bot<token>/<path> downloads.
Requests are validated against the platform rules (shared/fakes/platform_rules.py: 5
messages per call, 5000 UTF-16 units, 13 quick replies with labels of 20, Flex button
labels of 40, flex sizes, HTTPS m4a audio, https/tel/line links; 4096 characters,
captions of 1024, keyboards of 8 a row and 100 buttons, 64-byte callback data, ...) and
answered in the platforms' own error shapes, so adapter bugs show up here, not in prod.
What a platform accepts but degrades is shown degraded: a voice note over 1 MB arrives
as a file (`as_file`), formatting beyond Telegram's 100 entities is dropped, LINE audio
that is not m4a/mp3 is marked `unplayable`. Media are fetched to be checked through
`media` (url -> bytes or None); `https_origins` lists the local plain-HTTP origins that
stand for HTTPS (the local stack has no TLS).

User side: `PlatformState.send_text / tap / send_audio / follow` post webhooks to the
configured URLs, signed as the platforms sign them (LINE x-line-signature HMAC, Telegram
X-Telegram-Bot-Api-Secret-Token), with webhookEventId / update_id, reply tokens, ids.

Faults: `fail_next(n, mode="error"|"hang")` makes the next n API calls fail (a 429
carries the platform's retry hint: Telegram parameters.retry_after, LINE Retry-After).

Everything the bot sent is kept per chat (`entries`, `bot_texts`, `calls`) for tests and
for the simulator page (GET /), which polls the JSON API under /sim/api/.
Nothing here logs message bodies, audio URLs or tokens (the request log is off because
Telegram's paths contain the bot token).

Standalone: python -m infra.local.platforms --port 8090 --line-webhook URL --telegram-webhook URL
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import requests
from flask import Flask, Response, jsonify, request, send_from_directory
from flask.typing import ResponseReturnValue
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from shared.fakes.platform_rules import (
    TELEGRAM_ENTITIES,
    MediaLookup,
    Problem,
    first_refusal,
    line_message_problems,
    telegram_call_problems,
)
from shared.fakes.platform_rules import telegram_segments as _segments_and_entities

ChannelName = Literal["line", "telegram"]
Json = dict[str, Any]
ClockNow = Callable[[], datetime]
ClockAdvance = Callable[[float], object]
Outbox = Callable[[], Sequence[Mapping[str, Any]]]

SIMULATOR_DIR = Path(__file__).parent / "simulator"

# Platform limits: the message rules live in shared/fakes/platform_rules.py (written
# from the platforms' references, deliberately not imported from the app's constants),
# shared with the in-memory messenger of the flow tests. The numbers below are about
# this server's own behaviour.
LINE_REPLY_TOKEN_TTL_S = 60.0
TELEGRAM_FILE_LIMIT = 20 * 1024 * 1024
TELEGRAM_UPLOAD_LIMIT = 50 * 1000 * 1000  # multipart uploads (Bot API: 50 MB)
TELEGRAM_DELETE_WINDOW_S = 48 * 3600
WEBHOOK_SLOW_MS = 2000  # LINE counts a webhook answered after 2 s as failed
MEDIA_FETCH_TIMEOUT_S = 5.0

_LINE_USER_ID = re.compile(r"^U[0-9a-f]{32}$")


# =========================================================================== records
@dataclass(frozen=True)
class SimUser:
    """A simulated person, with an account on both platforms."""

    key: str  # what the page's user picker and the tests use
    name: str
    language: str  # en / zh-TW / ru: shown in the LINE profile
    line_user_id: str
    telegram_id: int
    telegram_language_code: str  # what Telegram clients really send ("zh-hant", ...)


def _line_id(seed: str) -> str:
    return "U" + hashlib.md5(seed.encode(), usedforsecurity=False).hexdigest()


DEFAULT_USERS: tuple[SimUser, ...] = (
    SimUser("en", "Alice", "en", _line_id("alice"), 100000001, "en"),
    SimUser("zh-TW", "美玲", "zh-TW", _line_id("meiling"), 100000002, "zh-hant"),
    SimUser("ru", "Иван", "ru", _line_id("ivan"), 100000003, "ru"),
)


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


@dataclass
class _Fault:
    mode: Literal["error", "hang"]
    status: int
    channel: ChannelName | None
    hang_s: float
    after: int  # matching calls to let through first
    retry_after: int = 1  # a 429's hint, in seconds


@dataclass
class _ReplyToken:
    chat_id: str
    issued: float  # monotonic
    used: bool = False


@dataclass
class _Media:
    data: bytes
    mime: str
    preparing: int = 0  # LINE answers 202 this many more times


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


def line_signature(body: bytes, channel_secret: str) -> str:
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _line_error(message: str, details: list[tuple[str, str]] | None = None) -> ApiError:
    body: Json = {"message": message}
    if details:
        body["details"] = [{"message": m, "property": p} for p, m in details]
    return ApiError(400, body)


def _tg_error(code: int, description: str) -> ApiError:
    return ApiError(code, {"ok": False, "error_code": code, "description": description})


# --------------------------------------------------------------------- LINE checking
def line_message_errors(
    messages: Any, *, media: MediaLookup | None = None, https_origins: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """(property, message) pairs LINE would refuse the batch for; [] when it accepts it."""
    return [(p.prop, p.message) for p in
            line_message_problems(messages, media=media, https_origins=https_origins)
            if p.refused]


def _flex_texts_and_link(node: Any, texts: list[str], links: list[str],
                         tappable: list[Json] | None = None) -> None:
    if isinstance(node, dict):
        if node.get("type") == "text" and isinstance(node.get("text"), str):
            texts.append(node["text"])
        action = node.get("action")
        if isinstance(action, dict) and action.get("type") == "uri":
            links.append(str(action.get("uri", "")))
            if tappable is not None:  # what the user sees and where a tap takes them
                shown = node.get("text") if node.get("type") == "text" else action.get("label")
                tappable.append({"text": str(shown or ""), "url": str(action.get("uri", "")),
                                 "component": str(node.get("type", ""))})
        for key in ("header", "hero", "body", "footer", "contents"):
            if key in node:
                _flex_texts_and_link(node[key], texts, links, tappable)
    elif isinstance(node, list):
        for item in node:
            _flex_texts_and_link(item, texts, links, tappable)


def _line_cards(message: Json) -> list[Json]:
    contents = message.get("contents") or {}
    bubbles = contents.get("contents") if contents.get("type") == "carousel" else [contents]
    cards: list[Json] = []
    for bubble in bubbles or []:
        texts: list[str] = []
        links: list[str] = []
        tappable: list[Json] = []
        _flex_texts_and_link(bubble, texts, links, tappable)
        cards.append({
            "title": texts[0] if texts else "",
            "subtitle": "\n".join(texts[1:]),
            "url": links[0] if links else "",
            "links": tappable,
        })
    return cards


def _line_buttons(message: Json) -> list[Json]:
    items = (message.get("quickReply") or {}).get("items") or []
    buttons: list[Json] = []
    for item in items:
        action = item.get("action") or {}
        buttons.append({
            "label": action.get("label", ""),
            "data": action.get("data", ""),
            "url": action.get("uri"),
            "display": action.get("displayText") or action.get("text"),
            "row": 0,
        })
    return buttons


# ----------------------------------------------------------------- Telegram checking
def telegram_segments(text: str, parse_mode: str | None) -> list[Json]:
    """Telegram HTML (or plain text) as the segments a user sees; markup Telegram cannot
    parse raises its 400 ("can't parse entities")."""
    try:
        return _segments_and_entities(text, parse_mode)[0]
    except ValueError as exc:
        raise _tg_error(400, f"Bad Request: can't parse entities: {exc}") from None


def _tg_check(method: str, params: Json, files: Mapping[str, bytes],
              media: MediaLookup | None) -> list[Problem]:
    """The request's problems; raises the platform's error for the first refusal."""
    problems = telegram_call_problems(method, params, uploads=files, media=media)
    refusal = first_refusal(problems)
    if refusal is not None:
        raise _tg_error(400, refusal.message)
    return problems


def _tg_shown(text: str, parse_mode: Any, problems: Sequence[Problem]) -> list[Json]:
    """The segments a user sees: formatting beyond the 100th entity is ignored."""
    segments = telegram_segments(text, parse_mode)
    if any(not p.refused and "entities" in p.message for p in problems):
        count = 0
        for segment in segments:
            if segment["url"] or segment["b"] or segment["i"]:
                count += 1
                if count > TELEGRAM_ENTITIES:
                    segment.update(url=None, b=False, i=False)
    return segments


def _telegram_buttons(markup: Any) -> list[Json]:
    """The inline keyboard as the page shows it (already checked by the rules)."""
    if markup is None:
        return []
    if isinstance(markup, str):
        markup = json.loads(markup)
    buttons: list[Json] = []
    for r, row in enumerate(markup.get("inline_keyboard") or []):
        for button in row:
            data = button.get("callback_data")
            buttons.append({"label": button.get("text"), "data": data or "",
                            "url": button.get("url"), "row": r})
    return buttons


# =========================================================================== state
class PlatformState:
    """Everything both fake platforms know. Thread-safe; webhooks are posted outside
    the lock, because the bot may call the API back while its webhook is running."""

    def __init__(
        self,
        *,
        # Local-only defaults: this server is never exposed and guards nothing real.
        line_channel_secret: str = "local-line-channel-secret",  # noqa: S107
        line_access_token: str = "local-line-access-token",  # noqa: S107
        telegram_token: str = "123456789:LOCAL-telegram-token",  # noqa: S107
        telegram_secret: str = "local-telegram-secret",  # noqa: S107
        line_webhook_url: str | None = None,
        telegram_webhook_url: str | None = None,
        users: Sequence[SimUser] = DEFAULT_USERS,
        clock_now: ClockNow | None = None,
        webhook_timeout_s: float = 30.0,
        media: MediaLookup | None = None,
        https_origins: Sequence[str] = (),
    ) -> None:
        self.line_channel_secret = line_channel_secret
        self.line_access_token = line_access_token
        self.line_bot_user_id = _line_id("medbot-bot")
        self.telegram_token = telegram_token
        self.telegram_secret = telegram_secret
        self.line_webhook_url = line_webhook_url
        self.telegram_webhook_url = telegram_webhook_url
        self.users = {u.key: u for u in users}
        self.clock_now = clock_now
        self.webhook_timeout_s = webhook_timeout_s
        # How the platforms get at the files the bot links to (None: not fetchable).
        self.media = media
        # Plain-HTTP origins that stand for HTTPS here (the local stack has no TLS).
        self.https_origins = tuple(https_origins)

        self.calls: list[ApiCall] = []
        self.webhooks: list[WebhookResult] = []
        self.answered_callbacks: list[str] = []
        self.version = 0  # bumps on every change the page should show
        self._entries: list[ChatEntry] = []
        self._entry_seq = 0
        self._reply_tokens: dict[str, _ReplyToken] = {}
        self._retry_keys: dict[str, list[Json]] = {}
        self._loading_until: dict[tuple[ChannelName, str], float] = {}
        self._line_media: dict[str, _Media] = {}
        self._tg_files: dict[str, tuple[str, _Media]] = {}  # file_id -> (file_path, media)
        self._tg_message_ids: dict[str, int] = {}
        self._tg_callbacks: dict[str, bool] = {}  # id -> answered
        self._update_id = 500_000_000
        self._last_webhook: dict[ChannelName, tuple[str, bytes, dict[str, str]]] = {}
        self._faults: list[_Fault] = []
        self._lock = threading.RLock()
        self._released = threading.Event()  # set on stop: hung requests give up

    # ------------------------------------------------------------------ time
    def now(self) -> float:
        """Unix seconds on the simulated clock if one is given (timestamps, 48 h rule);
        reply-token expiry uses real monotonic time, as LINE's servers do."""
        return self.clock_now().timestamp() if self.clock_now else time.time()

    def _bump(self) -> None:
        self.version += 1

    # ------------------------------------------------------------------ users
    def user(self, key: str | SimUser) -> SimUser:
        if isinstance(key, SimUser):
            return key
        if key in self.users:
            return self.users[key]
        for user in self.users.values():
            if key in (user.line_user_id, str(user.telegram_id)):
                return user
        raise KeyError(f"unknown simulated user {key!r}")

    def chat_id(self, channel: ChannelName, user: str | SimUser) -> str:
        who = self.user(user)
        return who.line_user_id if channel == "line" else str(who.telegram_id)

    # ------------------------------------------------------------------ reading (tests)
    def entries(self, channel: ChannelName, chat: str | SimUser) -> list[ChatEntry]:
        """The chat's bubbles in order (user and bot). `chat`: user key or chat id."""
        chat_id = self._resolve_chat(channel, chat)
        with self._lock:
            return [e for e in self._entries if e.channel == channel and e.chat_id == chat_id]

    def bot_entries(self, channel: ChannelName, chat: str | SimUser) -> list[ChatEntry]:
        return [e for e in self.entries(channel, chat) if e.sender == "bot" and not e.deleted]

    def bot_texts(self, channel: ChannelName, chat: str | SimUser) -> list[str]:
        return [e.text for e in self.bot_entries(channel, chat) if e.kind == "text"]

    def calls_to(self, channel: ChannelName, endpoint: str | None = None) -> list[ApiCall]:
        with self._lock:
            return [
                c for c in self.calls
                if c.channel == channel and (endpoint is None or c.endpoint == endpoint)
            ]

    def loading(self, channel: ChannelName, chat: str | SimUser) -> bool:
        chat_id = self._resolve_chat(channel, chat)
        with self._lock:
            return self._loading_until.get((channel, chat_id), 0.0) > time.time()

    def _resolve_chat(self, channel: ChannelName, chat: str | SimUser) -> str:
        try:
            return self.chat_id(channel, chat)
        except KeyError:
            return str(chat)

    # ------------------------------------------------------------------ control (tests)
    def fail_next(
        self,
        count: int = 1,
        *,
        mode: Literal["error", "hang"] = "error",
        status: int = 500,
        channel: ChannelName | None = None,
        hang_s: float = 30.0,
        after: int = 0,
        retry_after: int = 1,
    ) -> None:
        """The next `count` API calls (of `channel`, or any) answer `status`, or hang
        for `hang_s` seconds (then 504) so that the client's timeout fires. `after`
        lets that many matching calls succeed first (a failure mid-way through a send).
        A 429 carries `retry_after` seconds, as the platform's hint."""
        with self._lock:
            self._faults.extend(
                _Fault(mode, status, channel, hang_s, after if i == 0 else 0, retry_after)
                for i in range(count)
            )

    def take_fault(self, channel: ChannelName) -> _Fault | None:
        with self._lock:
            for i, fault in enumerate(self._faults):
                if fault.channel in (None, channel):
                    if fault.after > 0:
                        fault.after -= 1
                        return None
                    return self._faults.pop(i)
        return None

    def wait_hung(self, seconds: float) -> None:
        self._released.wait(seconds)

    def release(self) -> None:
        self._released.set()

    def issue_reply_token(self, chat_id: str) -> str:
        """A fresh LINE reply token for chat_id, as a webhook would carry."""
        token = secrets.token_hex(16)
        with self._lock:
            self._reply_tokens[token] = _ReplyToken(chat_id, time.monotonic())
        return token

    def expire_reply_tokens(self) -> None:
        """Age every issued reply token past LINE's one-minute limit."""
        with self._lock:
            for token in self._reply_tokens.values():
                token.issued -= LINE_REPLY_TOKEN_TTL_S + 1

    def add_line_audio(
        self, data: bytes, *, mime: str = "audio/x-m4a", preparing: int = 0
    ) -> str:
        """Store audio as if a user had sent it on LINE; returns the message id."""
        message_id = str(secrets.randbelow(10**17) + 10**17)
        with self._lock:
            self._line_media[message_id] = _Media(data, mime, preparing)
        return message_id

    def add_telegram_file(self, data: bytes, *, mime: str = "audio/ogg") -> tuple[str, str]:
        """Store a file as if a user had sent it on Telegram; returns (file_id, path)."""
        file_id = "AwACAg" + secrets.token_urlsafe(24)
        with self._lock:
            path = f"voice/file_{len(self._tg_files)}.{'oga' if 'ogg' in mime else 'm4a'}"
            self._tg_files[file_id] = (path, _Media(data, mime))
        return file_id, path

    def clear(self, channel: ChannelName | None = None, chat: str | SimUser | None = None) -> None:
        with self._lock:
            chat_id = self._resolve_chat(channel, chat) if channel and chat else None
            self._entries = [
                e for e in self._entries
                if not ((channel is None or e.channel == channel)
                        and (chat_id is None or e.chat_id == chat_id))
            ]
            self._bump()

    # ------------------------------------------------------------------ recording
    def _add_entry(self, **fields: Any) -> ChatEntry:
        with self._lock:
            self._entry_seq += 1
            entry = ChatEntry(id=self._entry_seq, at=self.now(), **fields)
            self._entries.append(entry)
            self._bump()
            return entry

    def _record_call(self, call: ApiCall) -> None:
        with self._lock:
            self.calls.append(call)

    def fetch_media(self, url: str) -> bytes | None:
        """A linked file as the platform would fetch it: through `media`, else over
        plain HTTP from a local origin; None when it cannot be fetched from here."""
        if self.media is not None:
            found = self.media(url)
            if found is not None:
                return found
        if not any(url.startswith(o.rstrip("/") + "/") for o in self.https_origins):
            return None
        try:
            answer = requests.get(url, timeout=MEDIA_FETCH_TIMEOUT_S)
        except requests.RequestException:
            return None
        return answer.content if answer.status_code == 200 else None

    def _line_problems(self, messages: Any) -> list[Problem]:
        problems = line_message_problems(messages, media=self.fetch_media,
                                         https_origins=self.https_origins)
        refused = [p for p in problems if p.refused]
        if refused:
            raise _line_error(f"The request body has {len(refused)} error(s)",
                              [(p.prop, p.message) for p in refused])
        return problems

    # ================================================================== LINE API
    def line_reply(self, body: Json) -> Json:
        token = body.get("replyToken")
        with self._lock:
            issued = self._reply_tokens.get(token) if isinstance(token, str) else None
            fresh = (
                issued is not None
                and not issued.used
                and time.monotonic() - issued.issued <= LINE_REPLY_TOKEN_TTL_S
            )
            if not fresh or issued is None:
                raise _line_error("Invalid reply token")
        problems = self._line_problems(body.get("messages"))
        with self._lock:
            if issued.used:  # taken by a concurrent reply while the media were checked
                raise _line_error("Invalid reply token")
            issued.used = True
            return {"sentMessages": self._line_store(issued.chat_id, body["messages"], "reply",
                                                     problems)}

    def line_push(self, body: Json, retry_key: str | None) -> Json:
        to = body.get("to")
        if not isinstance(to, str) or not _LINE_USER_ID.match(to):
            raise _line_error("The property, 'to', in the request body is invalid")
        if retry_key is not None:
            try:
                uuid.UUID(retry_key)
            except ValueError:
                raise _line_error(
                    "The value for the 'X-Line-Retry-Key' header is invalid"
                ) from None
        problems = self._line_problems(body.get("messages"))
        with self._lock:
            if retry_key is not None and retry_key in self._retry_keys:
                raise ApiError(409, {
                    "message": "The retry key is already accepted",
                    "sentMessages": self._retry_keys[retry_key],
                })
            sent = self._line_store(to, body["messages"], "push", problems)
            if retry_key is not None:
                self._retry_keys[retry_key] = sent
            return {"sentMessages": sent}

    def _line_store(self, chat_id: str, messages: list[Json], via: str,
                    problems: Sequence[Problem] = ()) -> list[Json]:
        sent: list[Json] = []
        for i, message in enumerate(messages):
            kind = message.get("type")
            common: Json = {"channel": "line", "chat_id": chat_id, "sender": "bot", "via": via,
                            "raw": message, "buttons": _line_buttons(message),
                            "quick_reply": "quickReply" in message}
            if kind == "audio":
                unplayable = any(p.prop.startswith(f"messages[{i}].") for p in problems)
                self._add_entry(kind="audio", audio_url=message["originalContentUrl"],
                                duration_ms=message["duration"], unplayable=unplayable,
                                **common)
            elif kind == "flex":
                self._add_entry(kind="cards", cards=_line_cards(message),
                                alt_text=message.get("altText", ""), **common)
            else:
                self._add_entry(kind="text", text=str(message.get("text", f"[{kind}]")), **common)
            sent.append({"id": str(secrets.randbelow(10**17) + 10**17),
                         "quoteToken": secrets.token_urlsafe(16)})
        with self._lock:
            self._loading_until.pop(("line", chat_id), None)  # a message ends the animation
        return sent

    def line_loading(self, body: Json) -> None:
        chat_id = body.get("chatId")
        seconds = body.get("loadingSeconds", 20)
        if not isinstance(chat_id, str) or not _LINE_USER_ID.match(chat_id):
            raise _line_error("The property, 'chatId', in the request body is invalid")
        if not isinstance(seconds, int) or not 5 <= seconds <= 60 or seconds % 5:
            raise _line_error("The request body has 1 error(s)",
                              [("loadingSeconds", "must be 5..60 in steps of 5")])
        with self._lock:
            self._loading_until[("line", chat_id)] = time.time() + seconds
            self._bump()

    def line_content(self, message_id: str) -> _Media | None:
        """The media, or None while LINE is still 'preparing' it (answer 202)."""
        with self._lock:
            media = self._line_media.get(message_id)
            if media is None:
                raise ApiError(404, {"message": "Not found"})
            if media.preparing > 0:
                media.preparing -= 1
                return None
            return media

    def line_profile(self, user_id: str) -> Json:
        try:
            user = self.user(user_id)
        except KeyError:
            raise ApiError(404, {"message": "Not found"}) from None
        return {"userId": user.line_user_id, "displayName": user.name, "language": user.language}

    # ================================================================== Telegram API
    @property
    def telegram_bot_user(self) -> Json:
        head = self.telegram_token.split(":", 1)[0]
        return {"id": int(head) if head.isdigit() else 1, "is_bot": True,
                "first_name": "MedBot", "username": "medbot_local_bot"}

    def _tg_chat(self, chat_id: Any) -> Json:
        try:
            user = self.user(str(chat_id))
        except KeyError:
            raise _tg_error(400, "Bad Request: chat not found") from None
        return {"id": user.telegram_id, "type": "private", "first_name": user.name}

    def _tg_next_message_id(self, chat_id: str) -> int:
        with self._lock:
            self._tg_message_ids[chat_id] = self._tg_message_ids.get(chat_id, 0) + 1
            return self._tg_message_ids[chat_id]

    def _tg_find(self, chat_id: Any, message_id: Any) -> ChatEntry | None:
        with self._lock:
            for entry in self._entries:
                if (entry.channel == "telegram" and entry.chat_id == str(chat_id)
                        and entry.message_id == _int(message_id) and not entry.deleted):
                    return entry
        return None

    def telegram_call(self, method: str, params: Json, files: Mapping[str, bytes]) -> Any:
        handler = _TELEGRAM_METHODS.get(method.lower())
        if handler is None:
            raise _tg_error(404, "Not Found")
        return handler(self, params, files)

    def _tg_get_me(self, params: Json, files: Mapping[str, bytes]) -> Any:
        return self.telegram_bot_user

    def _tg_send_message(self, params: Json, files: Mapping[str, bytes]) -> Any:
        chat = self._tg_chat(params.get("chat_id"))
        text = str(params.get("text") or "")
        problems = _tg_check("sendMessage", params, files, self.fetch_media)
        segments = _tg_shown(text, params.get("parse_mode"), problems)
        plain = "".join(s["text"] for s in segments)
        buttons = _telegram_buttons(params.get("reply_markup"))
        message = self._tg_message(chat, {"text": plain}, params.get("reply_markup"))
        self._add_entry(channel="telegram", chat_id=str(chat["id"]), sender="bot", kind="text",
                        text=plain, segments=segments, buttons=buttons,
                        message_id=message["message_id"], via="sendMessage", raw=message)
        self._end_typing(str(chat["id"]))
        return message

    def _tg_message(self, chat: Json, content: Json, markup: Any) -> Json:
        message: Json = {
            "message_id": self._tg_next_message_id(str(chat["id"])),
            "from": self.telegram_bot_user,
            "chat": chat,
            "date": int(self.now()),
            **content,
        }
        if markup:
            message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        return message

    def _tg_send_media(self, kind: str, params: Json, files: Mapping[str, bytes]) -> Any:
        chat = self._tg_chat(params.get("chat_id"))
        if kind in files and len(files[kind]) > TELEGRAM_UPLOAD_LIMIT:
            raise _tg_error(413, "Request Entity Too Large")
        problems = _tg_check(f"send{kind.title()}", params, files, self.fetch_media)
        buttons = _telegram_buttons(params.get("reply_markup"))
        source = params.get(kind)
        duration = _int(params.get("duration")) or 0
        if kind in files:  # an upload: keep it so the page can play it
            mime = "audio/ogg" if kind == "voice" else "audio/mpeg"
            file_id, _ = self.add_telegram_file(files[kind], mime=mime)
            url = f"/sim/api/telegram-file/{file_id}"
        else:
            file_id, url = "AwACAg" + secrets.token_urlsafe(24), str(source)
        media: Json = {"file_id": file_id, "file_unique_id": secrets.token_hex(8),
                       "duration": duration}
        # A voice note over 1 MB (or not OGG/Opus) arrives as a file, as on Telegram.
        as_file = any(not p.refused and p.prop == kind for p in problems)
        content: Json = {"document": {k: v for k, v in media.items() if k != "duration"}} \
            if as_file else {kind: media}
        caption = _tg_shown(str(params.get("caption") or ""), params.get("parse_mode"), problems)
        message = self._tg_message(chat, content, params.get("reply_markup"))
        self._add_entry(channel="telegram", chat_id=str(chat["id"]), sender="bot", kind="audio",
                        audio_url=url, duration_ms=duration * 1000, buttons=buttons,
                        text="".join(c["text"] for c in caption),
                        message_id=message["message_id"], as_file=as_file,
                        via=f"send{kind.title()}", raw=message)
        self._end_typing(str(chat["id"]))
        return message

    def _tg_send_voice(self, params: Json, files: Mapping[str, bytes]) -> Any:
        return self._tg_send_media("voice", params, files)

    def _tg_send_audio(self, params: Json, files: Mapping[str, bytes]) -> Any:
        return self._tg_send_media("audio", params, files)

    def _tg_chat_action(self, params: Json, files: Mapping[str, bytes]) -> Any:
        chat = self._tg_chat(params.get("chat_id"))
        if not params.get("action"):
            raise _tg_error(400, "Bad Request: wrong parameter action in request")
        with self._lock:
            self._loading_until[("telegram", str(chat["id"]))] = time.time() + 5
            self._bump()
        return True

    def _end_typing(self, chat_id: str) -> None:
        with self._lock:
            self._loading_until.pop(("telegram", chat_id), None)

    def _tg_answer_callback(self, params: Json, files: Mapping[str, bytes]) -> Any:
        query_id = str(params.get("callback_query_id") or "")
        with self._lock:
            if self._tg_callbacks.get(query_id, True):  # unknown or answered already
                raise _tg_error(400, "Bad Request: query is too old and response timeout "
                                     "expired or query ID is invalid")
            self._tg_callbacks[query_id] = True
            self.answered_callbacks.append(query_id)
        return True

    def _tg_edit_text(self, params: Json, files: Mapping[str, bytes]) -> Any:
        entry = self._tg_find(params.get("chat_id"), params.get("message_id"))
        if entry is None:
            raise _tg_error(400, "Bad Request: message to edit not found")
        problems = _tg_check("editMessageText", params, files, self.fetch_media)
        segments = _tg_shown(str(params.get("text") or ""), params.get("parse_mode"), problems)
        plain = "".join(s["text"] for s in segments)
        buttons = _telegram_buttons(params.get("reply_markup"))
        if plain == entry.text and buttons == entry.buttons:
            raise _tg_error(400, "Bad Request: message is not modified")
        with self._lock:
            entry.text, entry.segments, entry.buttons, entry.edited = plain, segments, buttons, True
            entry.raw = {**entry.raw, "text": plain, "edit_date": int(self.now())}
            self._set_markup(entry, params.get("reply_markup"))
            self._bump()
        return entry.raw

    def _tg_edit_markup(self, params: Json, files: Mapping[str, bytes]) -> Any:
        entry = self._tg_find(params.get("chat_id"), params.get("message_id"))
        if entry is None:
            raise _tg_error(400, "Bad Request: message to edit not found")
        _tg_check("editMessageReplyMarkup", params, files, None)
        buttons = _telegram_buttons(params.get("reply_markup"))
        if buttons == entry.buttons:
            raise _tg_error(400, "Bad Request: message is not modified")
        with self._lock:
            entry.buttons, entry.edited = buttons, True
            self._set_markup(entry, params.get("reply_markup"))
            self._bump()
        return entry.raw

    @staticmethod
    def _set_markup(entry: ChatEntry, markup: Any) -> None:
        entry.raw = dict(entry.raw)
        if markup:
            entry.raw["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        else:
            entry.raw.pop("reply_markup", None)

    def _tg_delete(self, params: Json, files: Mapping[str, bytes]) -> Any:
        entry = self._tg_find(params.get("chat_id"), params.get("message_id"))
        if entry is None:
            raise _tg_error(400, "Bad Request: message to delete not found")
        if self.now() - entry.at > TELEGRAM_DELETE_WINDOW_S:
            raise _tg_error(400, "Bad Request: message can't be deleted for everyone")
        with self._lock:
            entry.deleted = True
            self._bump()
        return True

    def _tg_get_file(self, params: Json, files: Mapping[str, bytes]) -> Any:
        file_id = str(params.get("file_id") or "")
        with self._lock:
            found = self._tg_files.get(file_id)
        if found is None:
            raise _tg_error(400, "Bad Request: invalid file_id")
        path, media = found
        if len(media.data) > TELEGRAM_FILE_LIMIT:
            raise _tg_error(400, "Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": hashlib.sha1(
            file_id.encode(), usedforsecurity=False).hexdigest()[:16],
            "file_size": len(media.data), "file_path": path}

    def telegram_file(self, path: str) -> _Media | None:
        with self._lock:
            return next((m for p, m in self._tg_files.values() if p == path), None)

    def telegram_file_by_id(self, file_id: str) -> _Media | None:
        with self._lock:
            found = self._tg_files.get(file_id)
        return found[1] if found else None

    def _tg_set_webhook(self, params: Json, files: Mapping[str, bytes]) -> Any:
        with self._lock:
            self.telegram_webhook_url = str(params.get("url") or "") or None
            secret = params.get("secret_token")
            if secret:
                self.telegram_secret = str(secret)
        return True

    def _tg_delete_webhook(self, params: Json, files: Mapping[str, bytes]) -> Any:
        with self._lock:
            self.telegram_webhook_url = None
        return True

    def _tg_webhook_info(self, params: Json, files: Mapping[str, bytes]) -> Any:
        return {"url": self.telegram_webhook_url or "", "has_custom_certificate": False,
                "pending_update_count": 0}

    # ================================================================== user side
    def send_text(self, channel: ChannelName, user: str | SimUser, text: str) -> WebhookResult:
        """The user types `text` (Telegram: "/start" is a command like any other)."""
        who = self.user(user)
        chat_id = self.chat_id(channel, who)
        if channel == "line":
            self._add_entry(channel="line", chat_id=chat_id, sender="user", kind="text",
                            text=text, via="webhook")
            message = {"type": "text", "id": str(secrets.randbelow(10**17) + 10**17),
                       "quoteToken": secrets.token_urlsafe(16), "text": text}
            return self._line_webhook(who, {"type": "message", "message": message})
        message_id = self._tg_next_message_id(chat_id)
        self._add_entry(channel="telegram", chat_id=chat_id, sender="user", kind="text",
                        text=text, message_id=message_id, via="webhook")
        return self._telegram_webhook(who, {"message": self._tg_user_message(
            who, message_id, {"text": text})})

    def tap(
        self,
        channel: ChannelName,
        user: str | SimUser,
        data: str,
        *,
        label: str | None = None,
        message_id: int | None = None,
    ) -> WebhookResult:
        """The user taps a button: a LINE postback, or a Telegram callback_query on the
        bot message `message_id` (default: the latest bot message with that data)."""
        who = self.user(user)
        chat_id = self.chat_id(channel, who)
        if channel == "line":
            shown = label or data
            self._add_entry(channel="line", chat_id=chat_id, sender="user", kind="tap",
                            text=shown, via="webhook")
            return self._line_webhook(who, {"type": "postback", "postback": {"data": data}})
        carrier = self._tg_carrier(chat_id, data, message_id)
        query_id = str(secrets.randbelow(10**18) + 10**18)
        with self._lock:
            self._tg_callbacks[query_id] = False
        self._add_entry(channel="telegram", chat_id=chat_id, sender="user", kind="tap",
                        text=label or data, via="webhook")
        query = {"id": query_id, "from": self._tg_from(who), "message": carrier,
                 "chat_instance": str(abs(hash(chat_id)) % 10**18), "data": data}
        return self._telegram_webhook(who, {"callback_query": query})

    def _tg_carrier(self, chat_id: str, data: str, message_id: int | None) -> Json:
        with self._lock:
            for entry in reversed(self._entries):
                if entry.channel != "telegram" or entry.chat_id != chat_id or entry.deleted:
                    continue
                if entry.sender != "bot":
                    continue
                if message_id is not None and entry.message_id == message_id:
                    return entry.raw
                if message_id is None and any(b["data"] == data for b in entry.buttons):
                    return entry.raw
        raise KeyError("no bot message carries that button")

    def send_audio(
        self,
        channel: ChannelName,
        user: str | SimUser,
        data: bytes,
        *,
        mime: str = "audio/x-m4a",
        duration_ms: int = 3000,
    ) -> WebhookResult:
        """The user sends a voice message (LINE audio; Telegram voice if OGG, else audio)."""
        who = self.user(user)
        chat_id = self.chat_id(channel, who)
        if channel == "line":
            media_id = self.add_line_audio(data, mime=mime)
            self._add_entry(channel="line", chat_id=chat_id, sender="user", kind="audio",
                            audio_url=f"/sim/api/line-content/{media_id}",
                            duration_ms=duration_ms, via="webhook")
            message = {"type": "audio", "id": media_id, "duration": duration_ms,
                       "contentProvider": {"type": "line"}}
            return self._line_webhook(who, {"type": "message", "message": message})
        file_id, _ = self.add_telegram_file(data, mime=mime)
        message_id = self._tg_next_message_id(chat_id)
        self._add_entry(channel="telegram", chat_id=chat_id, sender="user", kind="audio",
                        audio_url=f"/sim/api/telegram-file/{file_id}",
                        duration_ms=duration_ms, message_id=message_id, via="webhook")
        key = "voice" if "ogg" in mime else "audio"
        media = {"file_id": file_id, "file_unique_id": secrets.token_hex(8),
                 "duration": max(1, round(duration_ms / 1000)), "mime_type": mime,
                 "file_size": len(data)}
        return self._telegram_webhook(who, {"message": self._tg_user_message(
            who, message_id, {key: media})})

    def follow(self, channel: ChannelName, user: str | SimUser) -> WebhookResult:
        """The user adds the bot (LINE follow event; Telegram '/start')."""
        if channel == "telegram":
            return self.send_text(channel, user, "/start")
        who = self.user(user)
        self._add_entry(channel="line", chat_id=who.line_user_id, sender="user", kind="event",
                        text="follow", via="webhook")
        return self._line_webhook(who, {"type": "follow", "follow": {"isUnblocked": False}})

    def redeliver_last(self, channel: ChannelName) -> WebhookResult:
        """Post the last webhook again, as a platform retry would (LINE marks it
        isRedelivery; the event id and update_id stay the same)."""
        with self._lock:
            if channel not in self._last_webhook:
                raise KeyError("nothing delivered yet")
            url, body, headers = self._last_webhook[channel]
        payload = json.loads(body)
        if channel == "line":
            for event in payload["events"]:
                event["deliveryContext"] = {"isRedelivery": True}
            body = json.dumps(payload, ensure_ascii=False).encode()
            signature = line_signature(body, self.line_channel_secret)
            headers = {**headers, "x-line-signature": signature}
            event_id = payload["events"][0]["webhookEventId"]
        else:
            event_id = str(payload["update_id"])
        return self._post(channel, url, body, headers, event_id, None)

    # ------------------------------------------------------------------ webhook building
    def _line_webhook(self, who: SimUser, event: Json) -> WebhookResult:
        now_ms = int(self.now() * 1000)
        token = self.issue_reply_token(who.line_user_id) if event["type"] != "unfollow" else None
        event = {
            **event,
            "webhookEventId": ulid(now_ms),
            "deliveryContext": {"isRedelivery": False},
            "timestamp": now_ms,
            "source": {"type": "user", "userId": who.line_user_id},
            "mode": "active",
            **({"replyToken": token} if token else {}),
        }
        body = json.dumps({"destination": self.line_bot_user_id, "events": [event]},
                          ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "LineBotWebhook/2.0",
            "x-line-signature": line_signature(body, self.line_channel_secret),
        }
        return self._post("line", self.line_webhook_url, body, headers,
                          event["webhookEventId"], token)

    def _tg_from(self, who: SimUser) -> Json:
        return {"id": who.telegram_id, "is_bot": False, "first_name": who.name,
                "language_code": who.telegram_language_code}

    def _tg_user_message(self, who: SimUser, message_id: int, content: Json) -> Json:
        return {"message_id": message_id, "from": self._tg_from(who),
                "chat": {"id": who.telegram_id, "type": "private", "first_name": who.name},
                "date": int(self.now()), **content}

    def _telegram_webhook(self, who: SimUser, update: Json) -> WebhookResult:
        with self._lock:
            self._update_id += 1
            update = {"update_id": self._update_id, **update}
        body = json.dumps(update, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json",
                   "X-Telegram-Bot-Api-Secret-Token": self.telegram_secret}
        return self._post("telegram", self.telegram_webhook_url, body, headers,
                          str(update["update_id"]), None)

    def _post(
        self,
        channel: ChannelName,
        url: str | None,
        body: bytes,
        headers: dict[str, str],
        event_id: str,
        reply_token: str | None,
    ) -> WebhookResult:
        status: int | None = None
        error: str | None = None
        started = time.monotonic()
        if url:
            with self._lock:
                self._last_webhook[channel] = (url, body, headers)
            try:
                answer = requests.post(url, data=body, headers=headers,
                                       timeout=self.webhook_timeout_s)
                status = answer.status_code
            except requests.RequestException as exc:
                error = type(exc).__name__
        else:
            error = "no webhook URL configured"
        result = WebhookResult(channel, status, int((time.monotonic() - started) * 1000),
                               body, headers, event_id, reply_token, error)
        with self._lock:
            self.webhooks.append(result)
        return result


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


_TelegramMethod = Callable[[PlatformState, Json, Mapping[str, bytes]], Any]
_TELEGRAM_METHODS: dict[str, _TelegramMethod] = {
    "getme": PlatformState._tg_get_me,
    "sendmessage": PlatformState._tg_send_message,
    "sendvoice": PlatformState._tg_send_voice,
    "sendaudio": PlatformState._tg_send_audio,
    "sendchataction": PlatformState._tg_chat_action,
    "answercallbackquery": PlatformState._tg_answer_callback,
    "editmessagetext": PlatformState._tg_edit_text,
    "editmessagereplymarkup": PlatformState._tg_edit_markup,
    "deletemessage": PlatformState._tg_delete,
    "getfile": PlatformState._tg_get_file,
    "setwebhook": PlatformState._tg_set_webhook,
    "deletewebhook": PlatformState._tg_delete_webhook,
    "getwebhookinfo": PlatformState._tg_webhook_info,
}


# =========================================================================== HTTP app
def _telegram_params() -> tuple[Json, dict[str, bytes]]:
    """Bot API parameters from the query, a form, multipart or JSON (all are allowed)."""
    params: Json = dict(request.args)
    if request.is_json:
        params.update(request.get_json(silent=True) or {})
    else:
        params.update(request.form.to_dict())
    files = {name: f.read() for name, f in request.files.items()}
    for key in ("reply_markup", "link_preview_options"):
        if isinstance(params.get(key), str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                raise _tg_error(400, f"Bad Request: can't parse {key}") from None
    return params, files


def create_platform_app(
    state: PlatformState,
    *,
    outbox: Outbox | None = None,
    clock_now: ClockNow | None = None,
    clock_advance: ClockAdvance | None = None,
) -> Flask:
    """The Flask app: LINE API, Telegram Bot API, simulator page and its JSON API.

    outbox: returns sent e-mails as mappings (to, subject, text; optional from, date).
    clock_now / clock_advance(seconds): the dev stack's simulated clock (optional).
    """
    if clock_now is not None and state.clock_now is None:
        state.clock_now = clock_now
    app = Flask(__name__, static_folder=None)

    def faulty(channel: ChannelName) -> ResponseReturnValue | None:
        fault = state.take_fault(channel)
        if fault is None:
            return None
        if fault.mode == "hang":
            state.wait_hung(fault.hang_s)
            status = 504
        else:
            status = fault.status
        if channel == "telegram":
            body: Json = {"ok": False, "error_code": status, "description": "Internal Server Error"}
            if status == 429:
                body = {"ok": False, "error_code": 429,
                        "description": f"Too Many Requests: retry after {fault.retry_after}",
                        "parameters": {"retry_after": fault.retry_after}}
            return jsonify(body), status
        if status == 429:
            return (jsonify({"message": "Too many requests"}), status,
                    {"Retry-After": str(fault.retry_after)})
        return jsonify({"message": "Internal server error"}), status

    def line_auth() -> ResponseReturnValue | None:
        expected = f"Bearer {state.line_access_token}"
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return jsonify({"message": "Authentication failed. Confirm that the access "
                                       "token in the authorization header is valid."}), 401
        return None

    def line_call(endpoint: str, chat_id: str | None, run: Callable[[], ResponseReturnValue],
                  retry_key: str | None = None) -> ResponseReturnValue:
        early = line_auth() or faulty("line")
        if early is not None:
            response = app.make_response(early)
            state._record_call(ApiCall("line", endpoint, response.status_code, chat_id, retry_key))
            return response
        try:
            response = app.make_response(run())
        except ApiError as exc:
            response = app.make_response((jsonify(exc.body), exc.status))
            if exc.status == 409:
                response.headers["x-line-accepted-request-id"] = str(uuid.uuid4())
        response.headers.setdefault("x-line-request-id", str(uuid.uuid4()))
        state._record_call(ApiCall("line", endpoint, response.status_code, chat_id, retry_key))
        return response

    def line_body() -> Json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise _line_error("The request body is not valid JSON")
        return body

    # ------------------------------------------------------------------ LINE
    @app.post("/v2/bot/message/reply")
    def line_reply() -> ResponseReturnValue:
        return line_call("reply", None, lambda: jsonify(state.line_reply(line_body())))

    @app.post("/v2/bot/message/push")
    def line_push() -> ResponseReturnValue:
        key = request.headers.get("X-Line-Retry-Key")
        to = (request.get_json(silent=True) or {}).get("to")
        return line_call("push", to, lambda: jsonify(state.line_push(line_body(), key)), key)

    @app.post("/v2/bot/chat/loading/start")
    def line_loading() -> ResponseReturnValue:
        def run() -> ResponseReturnValue:
            state.line_loading(line_body())
            return jsonify({}), 202

        chat = (request.get_json(silent=True) or {}).get("chatId")
        return line_call("loading", chat, run)

    @app.get("/v2/bot/message/<message_id>/content")
    def line_content(message_id: str) -> ResponseReturnValue:
        def run() -> ResponseReturnValue:
            media = state.line_content(message_id)
            if media is None:
                return Response(status=202)
            return Response(media.data, mimetype=media.mime)

        return line_call("content", None, run)

    @app.get("/v2/bot/profile/<user_id>")
    def line_profile(user_id: str) -> ResponseReturnValue:
        return line_call("profile", user_id, lambda: jsonify(state.line_profile(user_id)))

    # ------------------------------------------------------------------ Telegram
    @app.route("/bot<token>/<method>", methods=["GET", "POST"])
    def telegram_method(token: str, method: str) -> ResponseReturnValue:
        chat = request.values.get("chat_id")
        if not hmac.compare_digest(token.encode(), state.telegram_token.encode()):
            state._record_call(ApiCall("telegram", method, 401, chat))
            return jsonify({"ok": False, "error_code": 401, "description": "Unauthorized"}), 401
        early = faulty("telegram")
        if early is not None:
            response = app.make_response(early)
        else:
            try:
                params, files = _telegram_params()
                chat = str(params.get("chat_id")) if params.get("chat_id") is not None else chat
                result = state.telegram_call(method, params, files)
                response = app.make_response(jsonify({"ok": True, "result": result}))
            except ApiError as exc:
                response = app.make_response((jsonify(exc.body), exc.status))
        state._record_call(ApiCall("telegram", method, response.status_code, chat))
        return response

    @app.get("/file/bot<token>/<path:file_path>")
    def telegram_download(token: str, file_path: str) -> ResponseReturnValue:
        if not hmac.compare_digest(token.encode(), state.telegram_token.encode()):
            return jsonify({"ok": False, "error_code": 401, "description": "Unauthorized"}), 401
        early = faulty("telegram")
        if early is not None:
            return early
        media = state.telegram_file(file_path)
        state._record_call(ApiCall("telegram", "download", 200 if media else 404))
        if media is None:
            return jsonify({"ok": False, "error_code": 404, "description": "Not Found"}), 404
        return Response(media.data, mimetype=media.mime)

    # ------------------------------------------------------------------ simulator page
    @app.get("/")
    def index() -> ResponseReturnValue:
        return send_from_directory(SIMULATOR_DIR, "index.html")

    @app.get("/sim/static/<name>")
    def static_file(name: str) -> ResponseReturnValue:
        return send_from_directory(SIMULATOR_DIR, name)

    _register_sim_api(app, state, outbox, clock_advance)
    return app


def _channel_arg(value: Any) -> ChannelName:
    if value not in ("line", "telegram"):
        raise ValueError("channel must be 'line' or 'telegram'")
    channel: ChannelName = value
    return channel


def _register_sim_api(
    app: Flask, state: PlatformState, outbox: Outbox | None, clock_advance: ClockAdvance | None
) -> None:
    """JSON endpoints the simulator page polls and posts to."""

    def sim_body() -> Json:
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else dict(request.form)

    @app.errorhandler(KeyError)
    def unknown(exc: KeyError) -> ResponseReturnValue:
        return jsonify({"error": str(exc.args[0] if exc.args else exc)}), 404

    @app.errorhandler(ValueError)
    def invalid(exc: ValueError) -> ResponseReturnValue:
        return jsonify({"error": str(exc)}), 400

    @app.get("/sim/api/users")
    def sim_users() -> ResponseReturnValue:
        return jsonify({"users": [asdict(u) for u in state.users.values()],
                        "channels": ["line", "telegram"],
                        "webhooks": {"line": bool(state.line_webhook_url),
                                     "telegram": bool(state.telegram_webhook_url)}})

    @app.get("/sim/api/chat")
    def sim_chat() -> ResponseReturnValue:
        channel = _channel_arg(request.args.get("channel"))
        user = request.args.get("user", "")
        version = state.version
        if request.args.get("since") == str(version):
            return jsonify({"version": version, "unchanged": True,
                            "loading": state.loading(channel, user)})
        return jsonify({
            "version": version,
            "entries": [e.public() for e in state.entries(channel, user)],
            "loading": state.loading(channel, user),
        })

    @app.post("/sim/api/send")
    def sim_send() -> ResponseReturnValue:
        body = sim_body()
        text = str(body.get("text") or "")
        if not text.strip():
            raise ValueError("empty message")
        result = state.send_text(_channel_arg(body.get("channel")), str(body.get("user")), text)
        return jsonify(result.summary())

    @app.post("/sim/api/tap")
    def sim_tap() -> ResponseReturnValue:
        body = sim_body()
        channel = _channel_arg(body.get("channel"))
        user = str(body.get("user"))
        entry = next((e for e in state.entries(channel, user)
                      if e.id == _int(body.get("entry_id"))), None)
        index = _int(body.get("button")) or 0
        if entry is None or not 0 <= index < len(entry.buttons):
            raise KeyError("no such button")
        button = entry.buttons[index]
        if button.get("url"):
            raise ValueError("link buttons open in the browser")
        result = state.tap(channel, user, button["data"], message_id=entry.message_id,
                           label=button.get("display") or button["label"])
        return jsonify(result.summary())

    @app.post("/sim/api/audio")
    def sim_audio() -> ResponseReturnValue:
        upload = request.files.get("file")
        if upload is None:
            raise ValueError("no file")
        data = upload.read()
        mime = upload.mimetype or "application/octet-stream"
        duration = _int(request.form.get("duration_ms")) or 3000
        result = state.send_audio(_channel_arg(request.form.get("channel")),
                                  str(request.form.get("user")), data, mime=mime,
                                  duration_ms=duration)
        return jsonify(result.summary())

    @app.post("/sim/api/follow")
    def sim_follow() -> ResponseReturnValue:
        body = sim_body()
        result = state.follow(_channel_arg(body.get("channel")), str(body.get("user")))
        return jsonify(result.summary())

    @app.post("/sim/api/clear")
    def sim_clear() -> ResponseReturnValue:
        body = sim_body()
        state.clear(_channel_arg(body.get("channel")), str(body.get("user")))
        return jsonify({"ok": True})

    @app.get("/sim/api/line-content/<media_id>")
    def sim_line_media(media_id: str) -> ResponseReturnValue:
        with state._lock:
            media = state._line_media.get(media_id)
        if media is None:
            raise KeyError("no such media")
        return Response(media.data, mimetype=media.mime)

    @app.get("/sim/api/telegram-file/<file_id>")
    def sim_telegram_media(file_id: str) -> ResponseReturnValue:
        media = state.telegram_file_by_id(file_id)
        if media is None:
            raise KeyError("no such file")
        return Response(media.data, mimetype=media.mime)

    @app.get("/sim/api/outbox")
    def sim_outbox() -> ResponseReturnValue:
        mails = list(outbox()) if outbox else []
        return jsonify({"available": outbox is not None, "messages": [
            {"to": str(m.get("to", "")), "from": str(m.get("from", "")),
             "subject": str(m.get("subject", "")), "text": str(m.get("text", "")),
             "date": str(m.get("date", ""))}
            for m in mails
        ]})

    @app.get("/sim/api/clock")
    def sim_clock() -> ResponseReturnValue:
        now = state.clock_now() if state.clock_now else datetime.now(UTC)
        return jsonify({"now": now.isoformat(), "simulated": state.clock_now is not None,
                        "controllable": clock_advance is not None})

    @app.post("/sim/api/clock/advance")
    def sim_advance() -> ResponseReturnValue:
        if clock_advance is None:
            return jsonify({"error": "the clock is not controllable here"}), 409
        seconds = float(sim_body().get("seconds") or 0)
        if not 0 < seconds <= 366 * 86400:
            raise ValueError("seconds must be positive and at most a year")
        clock_advance(seconds)
        state._bump()
        now = state.clock_now() if state.clock_now else datetime.now(UTC)
        return jsonify({"now": now.isoformat()})


# =========================================================================== server
class _QuietHandler(WSGIRequestHandler):
    """No access log: Telegram request paths contain the bot token."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class PlatformServer:
    """Runs create_platform_app on a background thread (werkzeug, threaded).

    Point the SDKs at it: LineMessenger(token, api_base_url=server.url,
    data_api_base_url=server.url); TelegramMessenger(token,
    base_url=server.telegram_base_url, base_file_url=server.telegram_file_url).
    """

    def __init__(
        self,
        state: PlatformState | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        outbox: Outbox | None = None,
        clock_now: ClockNow | None = None,
        clock_advance: ClockAdvance | None = None,
    ) -> None:
        self.state = state or PlatformState()
        self.app = create_platform_app(self.state, outbox=outbox, clock_now=clock_now,
                                       clock_advance=clock_advance)
        self._host = host
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("server not started")
        return f"http://{self._host}:{self._server.server_port}"

    @property
    def telegram_base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def telegram_file_url(self) -> str:
        return f"{self.url}/file/bot"

    def start(self) -> PlatformServer:
        self._server = make_server(self._host, self._port, self.app, threaded=True,
                                   request_handler=_QuietHandler)
        server = self._server
        # A short poll interval makes stop() quick (tests start one server per test).
        self._thread = threading.Thread(target=lambda: server.serve_forever(poll_interval=0.05),
                                        name="platform-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.state.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> PlatformServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:  # pragma: no cover - manual use
    parser = argparse.ArgumentParser(description="Local LINE/Telegram platforms + simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--line-webhook", default=None)
    parser.add_argument("--telegram-webhook", default=None)
    args = parser.parse_args()
    state = PlatformState(line_webhook_url=args.line_webhook,
                          telegram_webhook_url=args.telegram_webhook)
    server = PlatformServer(state, host=args.host, port=args.port).start()
    print(f"simulator: {server.url}/")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
