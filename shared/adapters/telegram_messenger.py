"""Messenger for Telegram, on python-telegram-bot v22's Bot (webhook mode: no polling,
no Application).

PTB is async; services are synchronous. Each adapter owns one private event loop and
runs every call on it under a lock, so PTB's HTTP client always lives on the loop that
created its connections and the asyncio details stay inside this module. Do not call it
from a thread that is already running an event loop.

Rendering is pure (shared/wire/telegram.py: OutMessage -> Bot API calls); this module only
makes the calls. A send is a sequence of calls ("parts"), one message bubble each:
`start` skips the parts an earlier attempt delivered and `on_part` reports each
delivered part, so plumbing/delivery.py resumes a send where it stopped. The Bot API
has no retry key, so the caller's record is what stops a retried task from repeating a
part. Reply tokens do not exist on Telegram and are ignored. A 429 carries
parameters.retry_after: it is passed on (MessengerError.retry_after_s) for the caller
to wait, then resume.

Retraction: deleteMessage works only within 48 h (PLATFORM.md); an older message is
edited instead (its keyboard removed, its text replaced by a note if one is given).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import warnings
from collections.abc import Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.constants import ChatAction
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from shared.domain.channels import Channel
from shared.domain.errors import MediaTooLarge, MessengerError, is_transient
from shared.domain.messages import OutMessage, Text
from shared.domain.navigation import telegram_commands
from shared.wire.telegram import (  # re-exported: the renderer's public names
    BotCall,
    card_pages,
    keyboard,
    render_calls,
)

__all__ = ["BotCall", "TelegramMessenger", "card_pages", "keyboard", "render_calls"]

log = logging.getLogger(__name__)

T = TypeVar("T")
OnPart = Callable[[int, list[str]], None]

BOT_API_DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile serves files up to 20 MB


def _retry_after_s(exc: RetryAfter) -> float:
    """The wait Telegram asked for (an int or a timedelta, by PTB version and setting)."""
    with warnings.catch_warnings():  # PTB warns that the int form is going away
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# ----------------------------------------------------------------------------- errors
class _StatusRequest(HTTPXRequest):
    """PTB's HTTPX transport that keeps the HTTP status of its last answer: PTB raises a
    bare NetworkError for every status it has no class for (413, 500, 503, ...), so the
    status is what tells a permanent refusal from a transient failure (is_transient).
    The adapter runs one call at a time (its lock), so one attribute is enough."""

    last_status: int | None = None

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        self.last_status = None  # no answer (timeout, lost connection) stays None
        code, payload = await super().do_request(*args, **kwargs)
        self.last_status = code
        return code, payload


def _as_error(what: str, exc: TelegramError, status: int | None) -> MessengerError:
    """The project's error for a failed call; `status` is the HTTP answer's, if any.
    BadRequest and TimedOut are NetworkError subclasses: test them first."""
    if isinstance(exc, RetryAfter):
        return MessengerError(f"Telegram {what}: rate limited", retryable=True, status=429,
                              retry_after_s=_retry_after_s(exc))
    if isinstance(exc, TimedOut):
        return MessengerError(f"Telegram {what}: timed out", retryable=True)
    if isinstance(exc, BadRequest):
        return MessengerError(f"Telegram {what}: {exc.message}", retryable=False, status=400)
    if isinstance(exc, Forbidden):  # blocked by the user, a deleted account, ...
        return MessengerError(f"Telegram {what}: {exc.message}", retryable=False, status=403,
                              unreachable=True)
    if isinstance(exc, InvalidToken):
        return MessengerError(f"Telegram {what}: invalid token", retryable=False,
                              status=status or 401)
    if isinstance(exc, NetworkError):  # any other status, or no answer at all
        return MessengerError(f"Telegram {what}: {exc.message}",
                              retryable=is_transient(status), status=status)
    return MessengerError(f"Telegram {what}: {type(exc).__name__}", retryable=False,
                          status=status)


def _quiet_sdk_loggers() -> None:
    """httpx logs every request URL at INFO, and Bot API URLs contain the bot token;
    PTB logs request parameters (message text) at DEBUG. Keep both out of the logs
    whatever level the application runs at (PTB's own examples silence httpx too)."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(logging.INFO)


class TelegramMessenger:
    channel = Channel.TELEGRAM

    def __init__(
        self,
        token: str,
        *,
        base_url: str = "https://api.telegram.org/bot",
        base_file_url: str = "https://api.telegram.org/file/bot",
        timeout_s: float = 10.0,
    ) -> None:
        request = _StatusRequest(
            connection_pool_size=8,
            read_timeout=timeout_s,
            write_timeout=timeout_s,
            connect_timeout=timeout_s,
            pool_timeout=timeout_s,
            media_write_timeout=timeout_s,
        )
        _quiet_sdk_loggers()
        # base_url + token (+ "/method") is PTB's convention, as in the Bot API itself.
        self._request = request
        self._bot = Bot(token, base_url=base_url, base_file_url=base_file_url, request=request)
        self._loop = asyncio.new_event_loop()
        self._lock = threading.Lock()
        self._chat_link: str | None = None

    def _run(self, what: str, coro: Coroutine[Any, Any, T]) -> T:
        with self._lock:
            try:
                return self._loop.run_until_complete(coro)
            except TelegramError as exc:
                raise _as_error(what, exc, self._request.last_status) from None

    def close(self) -> None:
        with self._lock:
            self._loop.run_until_complete(self._bot.shutdown())
            self._loop.close()

    # ------------------------------------------------------------------ send
    def send(
        self,
        chat_id: str,
        messages: Sequence[OutMessage],
        *,
        key: str,
        reply_token: str | None = None,
        start: int = 0,
        on_part: OnPart | None = None,
    ) -> list[str]:
        """Send in order from part `start`; the message_id of every bubble sent now.
        `key` is not used for de-duplication (see module docstring)."""
        del key, reply_token
        calls = render_calls(messages)
        ids: list[str] = []
        for index in range(start, len(calls)):
            sent = self._run("send", self._call(chat_id, calls[index]))
            ids.append(str(sent.message_id))
            if on_part is not None:
                on_part(index, [ids[-1]])
        if calls[start:]:
            log.info("telegram: sent %d messages", len(calls) - start)
        return ids

    async def _call(self, chat_id: str, call: BotCall) -> Message:
        params = call.params
        markup = params.get("reply_markup")
        reply_markup = InlineKeyboardMarkup.de_json(markup, self._bot) if markup else None
        if call.method == "sendMessage":
            preview = params.get("link_preview_options")
            return await self._bot.send_message(
                chat_id, params["text"], parse_mode=params.get("parse_mode"),
                link_preview_options=LinkPreviewOptions(**preview) if preview else None,
                reply_markup=reply_markup)
        duration = timedelta(seconds=params["duration"])
        if call.method == "sendVoice":
            return await self._bot.send_voice(
                chat_id, params["voice"], duration=duration, caption=params.get("caption"),
                reply_markup=reply_markup)
        if call.method == "sendAudio":
            return await self._bot.send_audio(
                chat_id, params["audio"], duration=duration, caption=params.get("caption"),
                reply_markup=reply_markup)
        raise ValueError(f"unknown Bot API call: {call.method}")

    # ------------------------------------------------------------------ retract
    def retract(
        self, chat_id: str, message_ids: Sequence[str], *, note: str | None = None
    ) -> None:
        """Delete each message; one too old to delete (48 h) is edited instead, one
        already gone is skipped. Non-retryable failures (e.g. the user blocked the bot)
        are logged and ignored; transient ones raise, so the calling task retries."""
        numeric = [int(m) for m in message_ids if m.isdigit()]
        for message_id in numeric:
            try:
                self._run("retract", self._retract(chat_id, message_id, note))
            except MessengerError as exc:
                if exc.retryable:
                    raise
                log.warning("telegram: retract failed: %s", exc.status)
        if numeric:
            log.info("telegram: retracted %d messages", len(numeric))

    async def _retract(self, chat_id: str, message_id: int, note: str | None) -> None:
        try:
            await self._bot.delete_message(chat_id, message_id)
            return
        except BadRequest as exc:
            if "not found" in exc.message.lower():
                return  # deleted already (an earlier attempt, or the user)
        # Older than 48 h, or not deletable for everyone: take away what still acts.
        if note:
            try:
                await self._bot.edit_message_text(
                    note, chat_id=chat_id, message_id=message_id, reply_markup=None
                )
                return
            except BadRequest:
                pass  # not a text message (voice, audio): remove its keyboard at least
        try:
            await self._bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)
        except BadRequest:
            return  # gone, not modified (no keyboard) or not editable: nothing to do

    # ------------------------------------------------------------------ edit
    def edit(self, chat_id: str, message_id: str, message: Text) -> bool:
        """editMessageText with the message's new keyboard (none: the keyboard goes).
        "message is not modified" (a repeated edit) counts as done; a message that is
        gone or can no longer be edited answers False."""
        if not message_id.isdigit():
            return False
        calls = render_calls([message])
        if len(calls) != 1:
            return False  # longer than one bubble: the caller sends it instead
        try:
            return self._run("edit", self._edit(chat_id, int(message_id), calls[0].params))
        except MessengerError as exc:
            if exc.retryable:
                raise
            log.warning("telegram: edit failed: %s", exc.status)
            return False

    async def _edit(self, chat_id: str, message_id: int, params: dict[str, Any]) -> bool:
        markup = params.get("reply_markup")
        try:
            await self._bot.edit_message_text(
                params["text"], chat_id=chat_id, message_id=message_id,
                reply_markup=InlineKeyboardMarkup.de_json(markup, self._bot) if markup else None)
        except BadRequest as exc:
            return "not modified" in exc.message.lower()
        return True

    # ------------------------------------------------------------------ other calls
    def leave(self, chat_id: str) -> None:
        """leaveChat; a chat the bot is not in any more (400 chat not found, 403 not a
        member / kicked) is already left."""
        try:
            self._run("leave", self._bot.leave_chat(chat_id))
        except MessengerError as exc:
            if exc.retryable:
                raise
            log.info("telegram: already out of the chat (%s)", exc.status)
            return
        log.info("telegram: left a group chat")

    def chat_link(self) -> str | None:
        """https://t.me/<the bot's username> (getMe, asked once)."""
        if self._chat_link is None:
            try:
                me = self._run("getMe", self._bot.get_me())
            except MessengerError as exc:
                log.warning("telegram: getMe failed: %s", exc.status)
                return None
            if not me.username:
                return None
            self._chat_link = f"https://t.me/{me.username}"
        return self._chat_link

    def show_loading(self, chat_id: str, seconds: int = 20) -> None:
        """Best effort 'typing…' (Telegram shows it for about 5 s; `seconds` is unused)."""
        try:
            self._run("chat action", self._bot.send_chat_action(chat_id, ChatAction.TYPING))
        except MessengerError as exc:
            log.warning("telegram: chat action failed: %s", exc.status)

    def acknowledge(self, callback_id: str) -> None:
        """Best effort: stops the button's spinner; an old query cannot be answered."""
        try:
            self._run("callback answer", self._bot.answer_callback_query(callback_id))
        except MessengerError as exc:
            log.warning("telegram: callback answer failed: %s", exc.status)

    def profile_language(self, user_id: str) -> str | None:
        """Telegram has no profile call for bots: language_code comes with each update."""
        return None

    def show_menu(self, chat_id: str, language: str) -> None:
        """The command list in the patient's UI language for this chat (a chat's own
        list wins over the app-language lists the ops command sets)."""
        from telegram import BotCommand, BotCommandScopeChat

        commands = [BotCommand(name, text) for name, text in telegram_commands(language)]
        try:
            self._run("commands", self._bot.set_my_commands(
                commands, scope=BotCommandScopeChat(int(chat_id))))
        except (MessengerError, ValueError) as exc:
            log.warning("telegram: chat commands not set: %s",
                        getattr(exc, "status", None) or type(exc).__name__)

    def fetch_audio(self, media_id: str, max_bytes: int) -> bytes:
        """A voice/audio file by file_id, refused before download when too large."""
        limit = min(max_bytes, BOT_API_DOWNLOAD_LIMIT)
        return self._run("download", self._fetch(media_id, limit))

    async def _fetch(self, media_id: str, limit: int) -> bytes:
        try:
            file = await self._bot.get_file(media_id)
        except BadRequest as exc:
            if "too big" in exc.message.lower():
                raise MediaTooLarge(None, limit) from None
            raise
        if file.file_size is not None and file.file_size > limit:
            raise MediaTooLarge(file.file_size, limit)
        data = bytes(await file.download_as_bytearray())
        if len(data) > limit:  # file_size is optional in the Bot API
            raise MediaTooLarge(len(data), limit)
        return data
