"""Chat channels and the limits each platform imposes (see ../shared/PLATFORM.md)."""

from __future__ import annotations

import re
from enum import StrEnum


class Channel(StrEnum):
    LINE = "line"
    TELEGRAM = "telegram"


# LINE: text <= 5000 UTF-16 code units, <= 5 messages per reply/push call,
# quick reply <= 13 items with labels <= 20 chars, Flex Message button labels <= 40,
# postback data <= 300 chars (Messaging API reference, "Action objects").
LINE_TEXT_LIMIT_UTF16 = 5000
LINE_MESSAGES_PER_CALL = 5
LINE_QUICK_REPLY_ITEMS = 13
LINE_QUICK_REPLY_LABEL = 20
LINE_FLEX_BUTTON_LABEL = 40
LINE_POSTBACK_DATA = 300
# LINE audio message: HTTPS URL of an m4a file, at most 200 MB (no length limit since
# the May 2020 Messaging API update), duration in ms.
LINE_AUDIO_MAX_BYTES = 200 * 1024 * 1024
# A reply token is single use and valid for about one minute; keep a margin.
LINE_REPLY_TOKEN_TTL_MS = 50_000
# Telegram: text <= 4096 characters, captions <= 1024, callback_data <= 64 bytes.
TELEGRAM_TEXT_LIMIT = 4096
TELEGRAM_CAPTION_LIMIT = 1024
TELEGRAM_CALLBACK_DATA_BYTES = 64
# The Bot API documents no limit for a button's text, and clients shorten a long one in
# the middle; MedBot keeps labels to what one full-width button shows on a phone.
TELEGRAM_BUTTON_LABEL = 64
# sendVoice by URL: OGG/Opus of at most 1 MB shows as a voice note; 1-20 MB arrives as a
# file (Bot API "Sending files"; python-telegram-bot FileSizeLimit.VOICE_NOTE_FILE_SIZE).
TELEGRAM_VOICE_MAX_BYTES = 1_000_000

# The most buttons one message may carry on every channel (LINE's quick reply holds 13).
# A longer list of options is paged (shared/domain/paging.py), never cut.
MAX_BUTTONS = LINE_QUICK_REPLY_ITEMS

# Button data must fit the smaller of the two platform limits.
BUTTON_DATA_BYTES = TELEGRAM_CALLBACK_DATA_BYTES

_PLATFORM_ID = {
    Channel.LINE: re.compile(r"^U[0-9a-f]{32}$"),
    Channel.TELEGRAM: re.compile(r"^-?[0-9]{1,20}$"),
}


def button_label_limit(channel: Channel) -> int:
    """The longest button label a channel shows in a message's list of options."""
    return LINE_QUICK_REPLY_LABEL if channel is Channel.LINE else TELEGRAM_BUTTON_LABEL


def is_valid_platform_id(channel: Channel, platform_id: str) -> bool:
    return bool(_PLATFORM_ID[channel].fullmatch(platform_id))


def user_key(channel: Channel, platform_id: str) -> str:
    """Document id of a user. Validated so it can never escape a storage prefix."""
    if not is_valid_platform_id(channel, platform_id):
        raise ValueError("invalid platform user id")
    return f"{channel.value}-{platform_id}"
