"""What LINE and Telegram refuse, or quietly degrade, in the messages MedBot sends.

One set of rules for both stand-ins: the local platform server (infra/local/platforms/)
answers refused requests in the platforms' own error shapes, and the in-memory messenger
of the flow tests (recording_messenger.py) renders with the adapters' pure renderers and
raises on any problem, so a flow test fails when a message would be refused. This module
holds the numbers and the LINE rules; Telegram's calls are checked in telegram_rules.py.

The numbers come from the platforms' published references, deliberately not from the
application's own constants (shared/domain/channels.py), so the app is checked against
the platforms rather than against itself:

LINE Messaging API reference
  * at most 5 message objects per reply/push; text 1-5000 UTF-16 units;
  * audio: originalContentUrl HTTPS (TLS 1.2+), at most 2000 characters, an m4a (or mp3)
    file of at most 200 MB ("Messaging API update for May 2020": no length limit),
    duration in ms, required;
  * quick reply: 1-13 items; action labels: quick reply 20, Flex Message buttons 40;
    labels are counted in grapheme clusters ("Counting characters in text");
  * postback data 1-300, displayText <= 300; URI action uri <= 10,000 characters (the
    limit rose from 1,000 on 2026-10-27, line-bot-sdk 3.27) with the schemes a bot may
    open: https, tel, line ("The actual LINE chatbot only accepts URLs starting with
    https://", LINE FAQ);
  * flex: altText 1-1500, carousel 1-12 bubbles and 50 KB, bubble 30 KB, no empty text.

Telegram Bot API
  * sendMessage text 1-4096 characters after entity parsing; captions 0-1024;
  * parse_mode HTML: only the documented tags, balanced, or 400 "can't parse entities";
  * at most 100 entities are shown, further ones are ignored (python-telegram-bot
    MessageLimit.MESSAGE_ENTITIES, "found by experimentation"): a degradation;
  * inline keyboards: at most 8 buttons a row and 100 in all (InlineKeyboardMarkupLimit,
    undocumented, enforced by the server), callback_data 1-64 bytes, button URLs http(s)
    or tg://;
  * "Sending files": by URL, sendVoice needs audio/ogg (OGG/Opus) of at most 1 MB to
    show as a voice note; 1-20 MB voice notes are sent as files (a degradation); more
    than 20 MB cannot be fetched. sendAudio takes .MP3 or .M4A.

A problem with `refused=False` is accepted by the platform, but the user does not get
what was meant (a voice note arrives as a file, links beyond the 100th entity are plain
text, LINE's app cannot play an audio file that is not m4a/mp3).

Content checks need the file: `media(url)` returns its bytes or None when the stand-in
cannot fetch it (then only the URL is checked). LINE fetches nothing at send time and
Telegram fetches by URL; the local stack has no TLS, so `https_origins` lists the
plain-HTTP origins that stand for HTTPS locally (e.g. the dev stack's blob server).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

Json = dict[str, Any]
MediaLookup = Callable[[str], bytes | None]

# ------------------------------------------------------------------ LINE numbers
LINE_MAX_MESSAGES = 5
LINE_TEXT_UTF16 = 5000
LINE_QUICK_REPLY_ITEMS = 13
LINE_QUICK_REPLY_LABEL = 20
LINE_FLEX_BUTTON_LABEL = 40
LINE_POSTBACK_DATA = 300
LINE_DISPLAY_TEXT = 300
LINE_URI_CHARS = 10_000
LINE_URI_SCHEMES = frozenset({"https", "tel", "line"})
LINE_MEDIA_URL_CHARS = 2000
LINE_AUDIO_BYTES = 200 * 1024 * 1024
LINE_ALT_TEXT = 1500
LINE_BUBBLE_BYTES = 30_000
LINE_CAROUSEL_BYTES = 50_000
LINE_CAROUSEL_BUBBLES = 12

# ------------------------------------------------------------------ Telegram numbers
TELEGRAM_TEXT = 4096
TELEGRAM_CAPTION = 1024
TELEGRAM_ENTITIES = 100
TELEGRAM_CALLBACK_BYTES = 64
TELEGRAM_ROW_BUTTONS = 8
TELEGRAM_KEYBOARD_BUTTONS = 100
TELEGRAM_VOICE_NOTE_BYTES = 1_000_000
TELEGRAM_URL_FILE_BYTES = 20 * 1024 * 1024
TELEGRAM_BUTTON_URL_SCHEMES = frozenset({"http", "https", "tg"})


@dataclass(frozen=True)
class Problem:
    prop: str  # LINE: the property path; Telegram: the parameter
    message: str  # LINE: the detail message; Telegram: the error description
    refused: bool = True  # False: accepted, but degraded (see the module docstring)


# =========================================================================== counting
def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def graphemes(text: str) -> int:
    """User-perceived characters (an approximation of UAX #29 good enough for labels:
    combining marks, joiners, variation selectors, skin tones, tags and flag pairs
    belong to the character before them)."""
    count = 0
    previous = ""
    regional_run = 0
    for ch in text:
        code = ord(ch)
        regional = 0x1F1E6 <= code <= 0x1F1FF
        joins = (
            unicodedata.category(ch) in ("Mn", "Mc", "Me")
            or ch in "\u200d\ufe0e\ufe0f" or 0xFE00 <= code <= 0xFE0F
            or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F
            or previous == "\u200d"
            or (regional and regional_run % 2 == 1)
        )
        regional_run = regional_run + 1 if regional else 0
        if not joins:
            count += 1
        previous = ch
    return count


def json_bytes(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def is_https(url: str, https_origins: Sequence[str]) -> bool:
    return url.lower().startswith("https://") or any(
        url.startswith(origin.rstrip("/") + "/") for origin in https_origins)


def is_mp4_audio(data: bytes) -> bool:
    """An ISO base media file (m4a): an 'ftyp' box first."""
    return len(data) >= 12 and data[4:8] == b"ftyp"


def is_mp3(data: bytes) -> bool:
    return data[:3] == b"ID3" or (len(data) >= 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0)


def is_ogg_opus(data: bytes) -> bool:
    """An OGG stream whose first packet is an Opus header."""
    return data[:4] == b"OggS" and b"OpusHead" in data[:512]


# =========================================================================== LINE
def _line_action(action: Any, prop: str, label_limit: int,
                 https_origins: Sequence[str]) -> list[Problem]:
    if not isinstance(action, dict):
        return [Problem(prop, "must be an object")]
    problems: list[Problem] = []
    label = action.get("label")
    if not isinstance(label, str) or not label or graphemes(label) > label_limit:
        problems.append(Problem(f"{prop}.label", f"Length must be between 1 and {label_limit}"))
    kind = action.get("type")
    if kind == "postback":
        data = action.get("data")
        if not isinstance(data, str) or not data or len(data) > LINE_POSTBACK_DATA:
            problems.append(Problem(f"{prop}.data",
                                    f"Length must be between 1 and {LINE_POSTBACK_DATA}"))
        display = action.get("displayText")
        if display is not None and (not isinstance(display, str)
                                    or len(display) > LINE_DISPLAY_TEXT):
            problems.append(Problem(f"{prop}.displayText",
                                    f"Length must be between 0 and {LINE_DISPLAY_TEXT}"))
    elif kind == "uri":
        problems += _line_uri(action.get("uri"), f"{prop}.uri", https_origins)
    elif kind != "message":
        problems.append(Problem(f"{prop}.type", "unsupported action type"))
    return problems


def _line_uri(uri: Any, prop: str, https_origins: Sequence[str]) -> list[Problem]:
    if not isinstance(uri, str) or not uri or len(uri) > LINE_URI_CHARS:
        return [Problem(prop, f"Length must be between 1 and {LINE_URI_CHARS}")]
    scheme = urlsplit(uri).scheme.lower()
    if scheme not in LINE_URI_SCHEMES and not is_https(uri, https_origins):
        return [Problem(prop, "invalid uri scheme: must be https, tel or line")]
    return []


def _flex_errors(message: Json, prop: str, https_origins: Sequence[str]) -> list[Problem]:
    problems: list[Problem] = []
    alt = message.get("altText")
    if not isinstance(alt, str) or not alt or len(alt) > LINE_ALT_TEXT:
        problems.append(Problem(f"{prop}.altText", f"Length must be between 1 and {LINE_ALT_TEXT}"))
    contents = message.get("contents")
    if not isinstance(contents, dict) or contents.get("type") not in ("bubble", "carousel"):
        return [*problems, Problem(f"{prop}.contents", "must be a bubble or a carousel")]
    bubbles = contents.get("contents") if contents["type"] == "carousel" else [contents]
    if not isinstance(bubbles, list) or not 1 <= len(bubbles) <= LINE_CAROUSEL_BUBBLES:
        problems.append(Problem(f"{prop}.contents.contents",
                                f"Size must be between 1 and {LINE_CAROUSEL_BUBBLES}"))
        return problems
    if json_bytes(contents) > LINE_CAROUSEL_BYTES:
        problems.append(Problem(f"{prop}.contents", "carousel over 50 KB"))
    for j, bubble in enumerate(bubbles):
        where = f"{prop}.contents.contents[{j}]"
        if not isinstance(bubble, dict) or bubble.get("type") != "bubble":
            problems.append(Problem(where, "must be a bubble"))
        elif json_bytes(bubble) > LINE_BUBBLE_BYTES:
            problems.append(Problem(where, "bubble over 30 KB"))
        else:
            problems += _flex_components(bubble, where, https_origins)
    return problems


def _flex_components(node: Any, prop: str, https_origins: Sequence[str]) -> list[Problem]:
    """Flex text must not be empty; actions follow the action rules (labels <= 40)."""
    problems: list[Problem] = []
    if isinstance(node, dict):
        if node.get("type") == "text" and not node.get("text") and not node.get("contents"):
            problems.append(Problem(f"{prop}.text", "must not be empty"))
        for key, value in node.items():
            if key == "action" and isinstance(value, dict):
                problems += _line_action(value, f"{prop}.action", LINE_FLEX_BUTTON_LABEL,
                                         https_origins)
            else:
                problems += _flex_components(value, f"{prop}.{key}", https_origins)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            problems += _flex_components(item, f"{prop}[{i}]", https_origins)
    return problems


def _line_audio(message: Json, prop: str, media: MediaLookup | None,
                https_origins: Sequence[str]) -> list[Problem]:
    problems: list[Problem] = []
    url = message.get("originalContentUrl")
    if not isinstance(url, str) or not url or len(url) > LINE_MEDIA_URL_CHARS:
        return [Problem(f"{prop}.originalContentUrl",
                        f"Length must be between 1 and {LINE_MEDIA_URL_CHARS}")]
    if not is_https(url, https_origins):
        problems.append(Problem(f"{prop}.originalContentUrl", "must be an HTTPS URL"))
    duration = message.get("duration")
    if not isinstance(duration, int) or isinstance(duration, bool) or duration <= 0:
        problems.append(Problem(f"{prop}.duration", "must be a positive number of ms"))
    data = media(url) if media is not None and not problems else None
    if data is not None:
        if len(data) > LINE_AUDIO_BYTES:
            problems.append(Problem(f"{prop}.originalContentUrl",
                                    "audio file over 200 MB: LINE cannot play it", False))
        elif not (is_mp4_audio(data) or is_mp3(data)):
            problems.append(Problem(f"{prop}.originalContentUrl",
                                    "not an m4a (or mp3) file: LINE cannot play it", False))
    return problems


def line_message_problems(messages: Any, *, media: MediaLookup | None = None,
                          https_origins: Sequence[str] = ()) -> list[Problem]:
    """Problems of one reply/push request's `messages`; [] when LINE accepts it as is."""
    if not isinstance(messages, list) or not 1 <= len(messages) <= LINE_MAX_MESSAGES:
        return [Problem("messages", f"Size must be between 1 and {LINE_MAX_MESSAGES}")]
    problems: list[Problem] = []
    for i, message in enumerate(messages):
        prop = f"messages[{i}]"
        if not isinstance(message, dict):
            problems.append(Problem(prop, "must be an object"))
            continue
        kind = message.get("type")
        if kind == "text":
            text = message.get("text")
            if not isinstance(text, str) or not text or utf16_len(text) > LINE_TEXT_UTF16:
                problems.append(Problem(f"{prop}.text",
                                        f"Length must be between 1 and {LINE_TEXT_UTF16}"))
        elif kind == "audio":
            problems += _line_audio(message, prop, media, https_origins)
        elif kind == "flex":
            problems += _flex_errors(message, prop, https_origins)
        elif kind not in ("image", "video", "sticker", "location", "template", "imagemap"):
            problems.append(Problem(f"{prop}.type", "unknown message type"))
        quick = message.get("quickReply")
        if quick is not None:
            items = quick.get("items") if isinstance(quick, dict) else None
            if not isinstance(items, list) or not 1 <= len(items) <= LINE_QUICK_REPLY_ITEMS:
                problems.append(Problem(f"{prop}.quickReply.items",
                                        f"Size must be between 1 and {LINE_QUICK_REPLY_ITEMS}"))
            else:
                for j, item in enumerate(items):
                    action = item.get("action") if isinstance(item, dict) else None
                    problems += _line_action(action, f"{prop}.quickReply.items[{j}].action",
                                             LINE_QUICK_REPLY_LABEL, https_origins)
    return problems


def first_refusal(problems: Sequence[Problem]) -> Problem | None:
    return next((p for p in problems if p.refused), None)
