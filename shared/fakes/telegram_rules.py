"""What Telegram's Bot API refuses or degrades in the calls MedBot makes: the HTML subset
of parse_mode, inline keyboards, shown text and files. The numbers and their sources are
in platform_rules.py, with the LINE rules."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any, ClassVar
from urllib.parse import urlsplit

from shared.fakes.platform_rules import (
    TELEGRAM_BUTTON_URL_SCHEMES,
    TELEGRAM_CALLBACK_BYTES,
    TELEGRAM_CAPTION,
    TELEGRAM_ENTITIES,
    TELEGRAM_KEYBOARD_BUTTONS,
    TELEGRAM_ROW_BUTTONS,
    TELEGRAM_TEXT,
    TELEGRAM_URL_FILE_BYTES,
    TELEGRAM_VOICE_NOTE_BYTES,
    Json,
    MediaLookup,
    Problem,
    is_mp3,
    is_mp4_audio,
    is_ogg_opus,
    utf16_len,
)


class _TelegramHtml(HTMLParser):
    """Telegram's HTML subset as text segments; unsupported or unbalanced tags fail,
    as they do on Telegram ("can't parse entities")."""

    STYLES: ClassVar[dict[str, str]] = {
        "b": "b", "strong": "b", "i": "i", "em": "i", "u": "u", "ins": "u",
        "s": "s", "strike": "s", "del": "s", "code": "code", "pre": "code",
        "tg-spoiler": "spoiler", "blockquote": "quote", "a": "a", "span": "spoiler",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.segments: list[Json] = []
        self.entities = 0
        self._stack: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.STYLES:
            raise ValueError(f"Unsupported start tag \"{tag}\"")
        href = dict(attrs).get("href") if tag == "a" else None
        self._stack.append((tag, href))
        self.entities += 1

    def handle_endtag(self, tag: str) -> None:
        if not self._stack or self._stack[-1][0] != tag:
            raise ValueError(f"Unexpected end tag \"{tag}\"")
        self._stack.pop()

    def handle_data(self, data: str) -> None:
        styles = {self.STYLES[t] for t, _ in self._stack}
        url = next((h for t, h in reversed(self._stack) if t == "a"), None)
        self.segments.append({"text": data, "url": url, "b": "b" in styles, "i": "i" in styles})

    def finish(self) -> list[Json]:
        self.close()
        if self._stack:
            raise ValueError("unclosed tag")
        return self.segments


_BARE_URL = re.compile(r"(?:https?://|www\.)\S+")


def telegram_segments(text: str, parse_mode: Any) -> tuple[list[Json], int]:
    """(segments of the text as shown, number of entities). ValueError: unparsable."""
    if str(parse_mode or "").upper() != "HTML":
        return [{"text": text, "url": None, "b": False, "i": False}], len(
            _BARE_URL.findall(text))
    parser = _TelegramHtml()
    parser.feed(text)
    segments = parser.finish()
    plain = "".join(s["text"] for s in segments)
    linked = "".join(s["text"] for s in segments if s["url"])
    return segments, parser.entities + len(_BARE_URL.findall(plain)) - len(
        _BARE_URL.findall(linked))


def _bad(param: str, description: str) -> Problem:
    return Problem(param, f"Bad Request: {description}")


def telegram_keyboard_problems(markup: Any) -> list[Problem]:
    if markup is None:
        return []
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            return [_bad("reply_markup", "can't parse reply keyboard markup JSON object")]
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        return [_bad("reply_markup", "can't parse reply keyboard markup JSON object")]
    if sum(len(row) for row in rows) > TELEGRAM_KEYBOARD_BUTTONS or any(
            len(row) > TELEGRAM_ROW_BUTTONS for row in rows):
        return [_bad("reply_markup", "reply markup is too long")]
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                return [_bad("reply_markup", "text buttons are unallowed in the inline keyboard")]
            data, url = button.get("callback_data"), button.get("url")
            if (data is None) == (url is None):
                return [_bad("reply_markup", "can't parse inline keyboard button")]
            if data is not None and not 1 <= len(str(data).encode()) <= TELEGRAM_CALLBACK_BYTES:
                return [_bad("reply_markup", "BUTTON_DATA_INVALID")]
            if url is not None and urlsplit(str(url)).scheme.lower() not in \
                    TELEGRAM_BUTTON_URL_SCHEMES:
                return [_bad("reply_markup", "BUTTON_URL_INVALID")]
    return []


def _shown_text(text: str, parse_mode: Any, param: str, limit: int,
                empty_ok: bool) -> list[Problem]:
    try:
        segments, entities = telegram_segments(text, parse_mode)
    except ValueError as exc:
        return [_bad(param, f"can't parse entities: {exc}")]
    plain = "".join(s["text"] for s in segments)
    if not empty_ok and not plain.strip():
        return [_bad(param, "message text is empty")]
    if utf16_len(plain) > limit:
        return [_bad(param, "message is too long" if param == "text"
                     else "message caption is too long")]
    if entities > TELEGRAM_ENTITIES:
        return [Problem(param, f"{entities} entities: Telegram shows the first "
                               f"{TELEGRAM_ENTITIES} and ignores the rest", refused=False)]
    return []


def _telegram_file(kind: str, params: Json, uploads: Mapping[str, bytes],
                   media: MediaLookup | None) -> list[Problem]:
    source = params.get(kind)
    if kind in uploads:
        data: bytes | None = uploads[kind]
    elif isinstance(source, str) and source:
        data = media(source) if media is not None and "://" in source else None
    else:
        return [_bad(kind, f"there is no {kind} in the request")]
    if data is None:
        return []  # a file_id, or a URL the stand-in cannot fetch: nothing to check
    by_url = kind not in uploads
    if by_url and len(data) > TELEGRAM_URL_FILE_BYTES:
        return [_bad(kind, "failed to get HTTP URL content")]
    if kind == "voice":
        if not is_ogg_opus(data):
            if by_url:
                return [_bad(kind, "wrong type of the web page content")]
            return [Problem(kind, "not OGG/Opus: sent as a file, not a voice note", False)]
        if len(data) > TELEGRAM_VOICE_NOTE_BYTES:
            return [Problem(kind, f"voice note of {len(data)} bytes, over 1 MB: Telegram "
                                  "sends it as a file, not a voice note", refused=False)]
    if kind == "audio" and not (is_mp3(data) or is_mp4_audio(data)):
        return [Problem(kind, "not MP3 or M4A: Telegram cannot play it as audio", False)]
    return []


def telegram_call_problems(method: str, params: Json, *,
                           uploads: Mapping[str, bytes] | None = None,
                           media: MediaLookup | None = None) -> list[Problem]:
    """Problems of one sendMessage / sendVoice / sendAudio / editMessage* request."""
    name = method.lower()
    problems = telegram_keyboard_problems(params.get("reply_markup"))
    if name in ("sendmessage", "editmessagetext"):
        problems = _shown_text(str(params.get("text") or ""), params.get("parse_mode"),
                               "text", TELEGRAM_TEXT, empty_ok=False) + problems
    elif name in ("sendvoice", "sendaudio"):
        kind = "voice" if name == "sendvoice" else "audio"
        problems = _telegram_file(kind, params, uploads or {}, media) + problems
        problems = _shown_text(str(params.get("caption") or ""), params.get("parse_mode"),
                               "caption", TELEGRAM_CAPTION, empty_ok=True) + problems
    return problems
