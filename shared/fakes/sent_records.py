"""What the in-memory messenger (recording_messenger.py) records of each send: the
messages a call completed, retractions, and the platform calls a send was planned into."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.domain.messages import OutMessage


@dataclass(frozen=True)
class SentRecord:
    chat_id: str
    messages: tuple[OutMessage, ...]  # the messages this call completed
    key: str
    used_reply_token: bool
    ids: tuple[tuple[str, ...], ...] = ()  # the bubble ids of each message


@dataclass(frozen=True)
class Retraction:
    chat_id: str
    message_ids: tuple[str, ...]
    note: str | None


@dataclass(frozen=True)
class Part:
    """One platform call of a send: the OutMessages it carries (by index) and its wire."""

    sources: tuple[int, ...]
    wire: Any  # LINE: list of message objects; Telegram: a BotCall
    texts: tuple[str, ...]  # the plain text bubbles it shows
    labels: tuple[tuple[str, ...], ...] = ()  # the button labels of each bubble with some
