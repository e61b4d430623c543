"""Messenger for Telegram, on python-telegram-bot v22's Bot (webhook mode: no polling,
no Application).

PTB is async; services are synchronous. Each adapter owns one private event loop and
runs every call on it under a lock, so PTB's HTTP client always lives on the loop that
created its connections and the asyncio details stay inside this module. Do not call it
from a thread that is already running an event loop.

Idempotency: the Bot API has no retry key, so a retried send is delivered again. The
adapter accepts `key` for the port's sake; the caller de-duplicates by recording sent
keys (services/delivery.py). Reply tokens do not exist on Telegram and are ignored.

Retraction: deleteMessage works only within 48 h (PLATFORM.md); an older message is
edited instead (its keyboard removed, its text replaced by a note if one is given).
"""

from __future__ import annotations

import asyncio
import html
import logging
import threading
from collections.abc import Coroutine, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ChatAction, ParseMode
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

from shared.domain.channels import TELEGRAM_CALLBACK_DATA_BYTES, Channel
from shared.domain.errors import MediaTooLarge, MessengerError
from shared.domain.messages import Audio, Button, Cards, OutMessage, Text
from shared.domain.text_split import split_for_telegram, truncate, utf16_len

log = logging.getLogger(__name__)

T = TypeVar("T")

BOT_API_DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile serves files up to 20 MB
TELEGRAM_HTML_LIMIT = 4096
CARD_TITLE_CHARS = 200
CARD_SUBTITLE_CHARS = 300
# Inline keyboard rows: a few short buttons side by side, long labels alone.
ROW_BUTTONS = 3
ROW_LABEL_CHARS = 30


# ----------------------------------------------------------------------------- rendering
def _fit_bytes(text: str, limit: int) -> str:
    """The longest prefix of `text` whose UTF-8 encoding fits in `limit` bytes."""
    return text.encode()[:limit].decode(errors="ignore")


def _inline_button(button: Button) -> InlineKeyboardButton:
    if button.url:
        return InlineKeyboardButton(button.label, url=button.url)
    data = button.data or _fit_bytes(button.label, TELEGRAM_CALLBACK_DATA_BYTES)
    return InlineKeyboardButton(button.label, callback_data=data)


def keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    row: list[InlineKeyboardButton] = []
    width = 0
    for button in buttons:
        size = len(button.label)
        if row and (len(row) >= ROW_BUTTONS or width + size > ROW_LABEL_CHARS):
            rows.append(row)
            row, width = [], 0
        row.append(_inline_button(button))
        width += size
    rows.append(row)
    return InlineKeyboardMarkup(rows)


def card_pages(cards: Cards) -> list[str]:
    """The cards as HTML link lists, each message within Telegram's 4096 limit.

    Counted on the HTML source, which is never shorter than the text Telegram counts.
    """
    heading = truncate(cards.alt_text.strip(), CARD_TITLE_CHARS)
    header = f"<b>{html.escape(heading)}</b>\n\n" if heading else ""
    entries: list[str] = []
    for card in cards.cards:
        title = html.escape(truncate(card.title.strip(), CARD_TITLE_CHARS) or card.url)
        entry = f'• <a href="{html.escape(card.url, quote=True)}">{title}</a>'
        subtitle = truncate(card.subtitle.strip(), CARD_SUBTITLE_CHARS)
        if subtitle:
            entry += f"\n{html.escape(subtitle)}"
        if utf16_len(header + entry) > TELEGRAM_HTML_LIMIT:
            log.warning("telegram: dropped a card too long for one message")
            continue
        entries.append(entry)
    entries.extend(_suggestion_entries(cards, header))
    pages: list[str] = []
    group: list[str] = []
    for entry in entries:
        candidate = header + "\n\n".join([*group, entry])
        if group and utf16_len(candidate) > TELEGRAM_HTML_LIMIT:
            pages.append(header + "\n\n".join(group))
            group = []
        group.append(entry)
    if group:
        pages.append(header + "\n\n".join(group))
    return pages


def _suggestion_entries(cards: Cards, header: str) -> list[str]:
    """Google Search Suggestions after the sources: a heading, then each query exactly
    as given, linked straight to its Google results page; in as few entries as fit."""
    if not cards.suggestions:
        return []
    title = f"<b>{html.escape(cards.suggestions_title or 'Google')}</b>"
    entries: list[str] = []
    block = title
    for suggestion in cards.suggestions:
        line = (f'🔍 <a href="{html.escape(suggestion.url, quote=True)}">'
                f"{html.escape(suggestion.title)}</a>")
        if utf16_len(header + block + "\n" + line) > TELEGRAM_HTML_LIMIT and block != title:
            entries.append(block)
            block = title
        block += "\n" + line
    entries.append(block)
    return entries


def _duration(ms: int) -> timedelta:
    return timedelta(seconds=max(1, -(-ms // 1000)))


# ----------------------------------------------------------------------------- errors
def _as_error(what: str, exc: TelegramError) -> MessengerError:
    # BadRequest and TimedOut are NetworkError subclasses: test them first.
    if isinstance(exc, RetryAfter):
        return MessengerError(f"Telegram {what}: rate limited", retryable=True, status=429)
    if isinstance(exc, TimedOut):
        return MessengerError(f"Telegram {what}: timed out", retryable=True)
    if isinstance(exc, BadRequest):
        return MessengerError(f"Telegram {what}: {exc.message}", retryable=False, status=400)
    if isinstance(exc, Forbidden):  # the user blocked the bot
        return MessengerError(f"Telegram {what}: {exc.message}", retryable=False, status=403)
    if isinstance(exc, InvalidToken):
        return MessengerError(f"Telegram {what}: invalid token", retryable=False, status=401)
    if isinstance(exc, NetworkError):
        return MessengerError(f"Telegram {what}: {exc.message}", retryable=True)
    return MessengerError(f"Telegram {what}: {type(exc).__name__}", retryable=False)


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
        request = HTTPXRequest(
            connection_pool_size=8,
            read_timeout=timeout_s,
            write_timeout=timeout_s,
            connect_timeout=timeout_s,
            pool_timeout=timeout_s,
            media_write_timeout=timeout_s,
        )
        _quiet_sdk_loggers()
        # base_url + token (+ "/method") is PTB's convention, as in the Bot API itself.
        self._bot = Bot(token, base_url=base_url, base_file_url=base_file_url, request=request)
        self._loop = asyncio.new_event_loop()
        self._lock = threading.Lock()

    def _run(self, what: str, coro: Coroutine[Any, Any, T]) -> T:
        with self._lock:
            try:
                return self._loop.run_until_complete(coro)
            except TelegramError as exc:
                raise _as_error(what, exc) from None

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
    ) -> list[str]:
        """Send in order; the message_id of every bubble sent. `key` is not used for
        de-duplication (see module docstring)."""
        del key, reply_token
        ids = self._run("send", self._send_all(chat_id, messages))
        log.info("telegram: sent %d messages", len(messages))
        return [str(message_id) for message_id in ids]

    async def _send_all(self, chat_id: str, messages: Sequence[OutMessage]) -> list[int]:
        ids: list[int] = []
        for message in messages:
            if isinstance(message, Text):
                ids += await self._send_text(chat_id, message)
            elif isinstance(message, Audio):
                ids.append(await self._send_audio(chat_id, message))
            else:
                ids += await self._send_cards(chat_id, message)
        return ids

    async def _send_text(self, chat_id: str, message: Text) -> list[int]:
        chunks = split_for_telegram(message.text)
        if not chunks and message.buttons:
            chunks = ["…"]  # a keyboard needs a message to sit on
        ids: list[int] = []
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            sent = await self._bot.send_message(
                chat_id, chunk, reply_markup=keyboard(message.buttons) if last else None
            )
            ids.append(sent.message_id)
        return ids

    async def _send_audio(self, chat_id: str, message: Audio) -> int:
        markup = keyboard(message.buttons)
        duration = _duration(message.duration_ms)
        if message.mime == "audio/ogg":  # OGG/Opus shows as a voice message
            sent = await self._bot.send_voice(
                chat_id, message.url, duration=duration, reply_markup=markup
            )
        else:
            sent = await self._bot.send_audio(
                chat_id, message.url, duration=duration, reply_markup=markup
            )
        return sent.message_id

    async def _send_cards(self, chat_id: str, message: Cards) -> list[int]:
        pages = card_pages(message)
        ids: list[int] = []
        for index, page in enumerate(pages):
            last = index == len(pages) - 1
            sent = await self._bot.send_message(
                chat_id,
                page,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                reply_markup=keyboard(message.buttons) if last else None,
            )
            ids.append(sent.message_id)
        return ids

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

    # ------------------------------------------------------------------ other calls
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
