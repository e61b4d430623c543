"""Chat channels and the limits each platform imposes (see ../shared/PLATFORM.md)."""

from __future__ import annotations

import re
from enum import StrEnum


class Channel(StrEnum):
    LINE = "line"
    TELEGRAM = "telegram"


# LINE: text <= 5000 UTF-16 code units, <= 5 messages per reply/push call,
# quick reply <= 13 items with labels <= 20 chars, postback data <= 300 chars.
LINE_TEXT_LIMIT_UTF16 = 5000
LINE_MESSAGES_PER_CALL = 5
LINE_QUICK_REPLY_ITEMS = 13
LINE_QUICK_REPLY_LABEL = 20
LINE_POSTBACK_DATA = 300
# A reply token is single use and valid for about one minute; keep a margin.
LINE_REPLY_TOKEN_TTL_MS = 50_000
# Telegram: text <= 4096 characters, callback_data <= 64 bytes.
TELEGRAM_TEXT_LIMIT = 4096
TELEGRAM_CALLBACK_DATA_BYTES = 64

# Button data must fit the smaller of the two platform limits.
BUTTON_DATA_BYTES = TELEGRAM_CALLBACK_DATA_BYTES

_PLATFORM_ID = {
    Channel.LINE: re.compile(r"^U[0-9a-f]{32}$"),
    Channel.TELEGRAM: re.compile(r"^-?[0-9]{1,20}$"),
}


def is_valid_platform_id(channel: Channel, platform_id: str) -> bool:
    return bool(_PLATFORM_ID[channel].fullmatch(platform_id))


def user_key(channel: Channel, platform_id: str) -> str:
    """Document id of a user. Validated so it can never escape a storage prefix."""
    if not is_valid_platform_id(channel, platform_id):
        raise ValueError("invalid platform user id")
    return f"{channel.value}-{platform_id}"
