"""OutMessage -> Telegram Bot API calls (pure: no SDK, no I/O).

Each OutMessage becomes one or more calls (sendMessage, sendVoice, sendAudio) with their
Bot API parameters as JSON, the chat id aside. The adapter
(adapters/telegram_messenger.py) makes exactly these calls; the flow tests' in-memory
messenger passes them through the same platform rules as the local Telegram stand-in
(shared/fakes/platform_rules.py).

Limits: text 1-4096 characters after entity parsing, captions <= 1024, callback_data
1-64 bytes, at most 100 entities shown per message (python-telegram-bot
MessageLimit.MESSAGE_ENTITIES), inline keyboards of at most 8 buttons a row and 100 in
all (InlineKeyboardMarkupLimit; undocumented by the Bot API, enforced by its server).
Labels are fitted per message so that no two buttons read alike (domain/labels.py).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.domain import leaflet_format
from shared.domain.channels import (
    TELEGRAM_BUTTON_LABEL,
    TELEGRAM_CALLBACK_DATA_BYTES,
    TELEGRAM_CAPTION_LIMIT,
    TELEGRAM_TEXT_LIMIT,
    Channel,
)
from shared.domain.labels import fit_labels
from shared.domain.messages import Audio, Button, Cards, Leaflet, OutMessage, Text
from shared.domain.text_split import split_for_telegram, truncate, utf16_len

log = logging.getLogger(__name__)

Params = dict[str, Any]

CARD_TITLE_CHARS = 200
CARD_SUBTITLE_CHARS = 300
MESSAGE_ENTITIES = 100
# Inline keyboard rows: a few short buttons side by side, long labels alone.
ROW_BUTTONS = 3
ROW_LABEL_CHARS = 30


@dataclass(frozen=True)
class BotCall:
    """One Bot API request of a send: its method and parameters (without chat_id)."""

    method: str  # sendMessage / sendVoice / sendAudio
    params: Params = field(default_factory=dict)
    source: int = 0  # index of the OutMessage it renders


def _fit_bytes(text: str, limit: int) -> str:
    """The longest prefix of `text` whose UTF-8 encoding fits in `limit` bytes."""
    return text.encode()[:limit].decode(errors="ignore")


def _inline_button(button: Button, label: str) -> Params:
    if button.url:
        return {"text": label, "url": button.url}
    data = button.data or _fit_bytes(button.label, TELEGRAM_CALLBACK_DATA_BYTES)
    return {"text": label, "callback_data": data}


def keyboard(buttons: Sequence[Button]) -> Params | None:
    """An inline keyboard whose labels tell the options apart."""
    if not buttons:
        return None
    labels = fit_labels([b.label for b in buttons], TELEGRAM_BUTTON_LABEL).labels
    rows: list[list[Params]] = []
    row: list[Params] = []
    width = 0
    for button, label in zip(buttons, labels, strict=True):
        size = len(label)
        if row and (len(row) >= ROW_BUTTONS or width + size > ROW_LABEL_CHARS):
            rows.append(row)
            row, width = [], 0
        row.append(_inline_button(button, label))
        width += size
    rows.append(row)
    return {"inline_keyboard": rows}


def legend(buttons: Sequence[Button]) -> list[str]:
    """Numbered full names of options whose labels had to be numbered."""
    return fit_labels([b.label for b in buttons], TELEGRAM_BUTTON_LABEL).legend


def card_pages(cards: Cards) -> list[str]:
    """The cards as HTML link lists, each message within Telegram's 4096 limit and its
    100 entities (beyond them Telegram shows links as plain text).

    Counted on the HTML source, which is never shorter than the text Telegram counts.
    """
    heading = truncate(cards.alt_text.strip(), CARD_TITLE_CHARS)
    header = f"<b>{html.escape(heading)}</b>\n\n" if heading else ""
    budget = MESSAGE_ENTITIES - _entities(header)
    entries: list[str] = []
    for card in cards.cards:
        title = html.escape(truncate(card.title.strip(), CARD_TITLE_CHARS) or card.url)
        entry = f'• <a href="{html.escape(card.url, quote=True)}">{title}</a>'
        subtitle = truncate(card.subtitle.strip(), CARD_SUBTITLE_CHARS)
        if subtitle:
            entry += f"\n{html.escape(subtitle)}"
        if utf16_len(header + entry) > TELEGRAM_TEXT_LIMIT:
            log.warning("telegram: dropped a card too long for one message")
            continue
        entries.append(entry)
    entries.extend(_suggestion_entries(cards, header, budget))
    pages: list[str] = []
    group: list[str] = []
    for entry in entries:
        candidate = header + "\n\n".join([*group, entry])
        if group and (utf16_len(candidate) > TELEGRAM_TEXT_LIMIT
                      or _entities(candidate) > MESSAGE_ENTITIES):
            pages.append(header + "\n\n".join(group))
            group = []
        group.append(entry)
    if group:
        pages.append(header + "\n\n".join(group))
    return pages


def _entities(html_text: str) -> int:
    """Formatting entities of our HTML: one per <b> and per <a>."""
    return html_text.count("<b>") + html_text.count("<a ")


def _suggestion_entries(cards: Cards, header: str, budget: int) -> list[str]:
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
        candidate = block + "\n" + line
        if block != title and (utf16_len(header + candidate) > TELEGRAM_TEXT_LIMIT
                               or _entities(candidate) > budget):
            entries.append(block)
            block = title
        block += "\n" + line
    entries.append(block)
    return entries


def duration_s(ms: int) -> int:
    return max(1, -(-ms // 1000))


def _text_calls(message: Text, source: int) -> list[BotCall]:
    numbered = legend(message.buttons)
    text = "\n\n".join([message.text, "\n".join(numbered)]) if numbered else message.text
    chunks = split_for_telegram(text)
    if not chunks and message.buttons:
        chunks = ["…"]  # a keyboard needs a message to sit on
    markup = keyboard(message.buttons)
    calls = []
    for index, chunk in enumerate(chunks):
        params: Params = {"text": chunk}
        if markup and index == len(chunks) - 1:
            params["reply_markup"] = markup
        calls.append(BotCall("sendMessage", params, source))
    return calls


def _leaflet_calls(message: Leaflet, source: int) -> list[BotCall]:
    """A leaflet in HTML pages: bold title and headings, everything else escaped
    (leaflet_format.py), the keyboard under the last page, its legend above it."""
    pages = leaflet_format.pages(Channel.TELEGRAM, message.text, lead=message.lead,
                                 tail="\n".join(legend(message.buttons)),
                                 shortened=message.shortened)
    markup = keyboard(message.buttons)
    if not pages and markup:
        pages = ["…"]  # a keyboard needs a message to sit on
    calls = []
    for index, page in enumerate(pages):
        params: Params = {"text": page, "parse_mode": "HTML",
                          "link_preview_options": {"is_disabled": True}}
        if markup and index == len(pages) - 1:
            params["reply_markup"] = markup
        calls.append(BotCall("sendMessage", params, source))
    return calls


def _audio_call(message: Audio, source: int) -> BotCall:
    # OGG/Opus shows as a voice message (sendVoice); anything else is an audio file.
    kind = "voice" if message.mime == "audio/ogg" else "audio"
    params: Params = {kind: message.url, "duration": duration_s(message.duration_ms)}
    caption = "\n".join(part for part in (message.title, message.caption) if part)
    if caption:
        params["caption"] = truncate(caption, TELEGRAM_CAPTION_LIMIT)
    markup = keyboard(message.buttons)
    if markup:
        params["reply_markup"] = markup
    return BotCall("sendVoice" if kind == "voice" else "sendAudio", params, source)


def _cards_calls(message: Cards, source: int) -> list[BotCall]:
    pages = card_pages(message)
    markup = keyboard(message.buttons)
    calls = []
    for index, page in enumerate(pages):
        params: Params = {"text": page, "parse_mode": "HTML",
                          "link_preview_options": {"is_disabled": True}}
        if markup and index == len(pages) - 1:
            params["reply_markup"] = markup
        calls.append(BotCall("sendMessage", params, source))
    return calls


def render_calls(messages: Sequence[OutMessage]) -> list[BotCall]:
    """The Bot API calls that send `messages`, in order (one message bubble each)."""
    calls: list[BotCall] = []
    for source, message in enumerate(messages):
        if isinstance(message, Text):
            calls += _text_calls(message, source)
        elif isinstance(message, Audio):
            calls.append(_audio_call(message, source))
        elif isinstance(message, Leaflet):
            calls += _leaflet_calls(message, source)
        else:
            calls += _cards_calls(message, source)
    return calls
