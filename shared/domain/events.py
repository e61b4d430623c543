"""Inbound chat events, normalised from LINE and Telegram payloads (pure parsing)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from shared.domain.channels import Channel, is_valid_platform_id

EventKind = Literal["text", "postback", "audio", "follow", "unfollow"]


class InboundEvent(BaseModel):
    """One thing a user did, in the project's own terms."""

    channel: Channel
    event_id: str
    user_id: str  # platform user id (LINE userId / Telegram from.id)
    chat_id: str  # where replies go (LINE: the user; Telegram: the chat)
    kind: EventKind
    text: str | None = None
    data: str | None = None  # postback / callback data
    media_id: str | None = None  # LINE message id / Telegram file_id of audio
    media_size: int | None = None
    media_duration_ms: int | None = None
    reply_token: str | None = None
    callback_id: str | None = None
    message_id: int | None = None  # Telegram message that carried the tapped button
    language_code: str | None = None
    timestamp_ms: int = 0


def line_events(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The events of one LINE webhook body (possibly several users, possibly none)."""
    events = body.get("events")
    if not isinstance(events, list):
        raise ValueError("LINE body has no events list")
    return [e for e in events if isinstance(e, dict)]


def line_event_id(event: dict[str, Any]) -> str | None:
    value = event.get("webhookEventId")
    return value if isinstance(value, str) and value else None


def normalize_line(event: dict[str, Any]) -> InboundEvent | None:
    """A LINE webhook event as an InboundEvent; None for events MedBot ignores."""
    source = event.get("source") or {}
    user_id = source.get("userId")
    if source.get("type") != "user" or not isinstance(user_id, str):
        return None  # groups and rooms are not supported: medical chats are 1:1
    if not is_valid_platform_id(Channel.LINE, user_id):
        return None
    common: dict[str, Any] = {
        "channel": Channel.LINE,
        "event_id": str(event.get("webhookEventId") or ""),
        "user_id": user_id,
        "chat_id": user_id,
        "reply_token": event.get("replyToken"),
        "timestamp_ms": int(event.get("timestamp") or 0),
    }
    etype = event.get("type")
    if etype == "message":
        message = event.get("message") or {}
        mtype = message.get("type")
        if mtype == "text":
            return InboundEvent(kind="text", text=str(message.get("text", "")), **common)
        if mtype == "audio":
            return InboundEvent(
                kind="audio",
                media_id=str(message.get("id", "")),
                media_duration_ms=message.get("duration"),
                **common,
            )
        return InboundEvent(kind="text", text="", **common)
    if etype == "postback":
        data = (event.get("postback") or {}).get("data")
        return InboundEvent(kind="postback", data=str(data or ""), **common)
    if etype == "follow":
        return InboundEvent(kind="follow", **common)
    if etype == "unfollow":
        return InboundEvent(kind="unfollow", **common)
    return None


def normalize_telegram(update: dict[str, Any]) -> InboundEvent | None:
    """A Telegram update as an InboundEvent; None for updates MedBot ignores."""
    update_id = update.get("update_id")
    if isinstance(update.get("callback_query"), dict):
        query = update["callback_query"]
        sender = query.get("from") or {}
        message = query.get("message") or {}
        chat = message.get("chat") or {}
        return _telegram_event(
            update_id,
            sender,
            chat,
            kind="postback",
            data=str(query.get("data") or ""),
            callback_id=str(query.get("id") or ""),
            message_id=message.get("message_id"),
            timestamp_ms=int(message.get("date") or 0) * 1000,
        )
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    sender = message.get("from") or {}
    chat = message.get("chat") or {}
    stamp = int(message.get("date") or 0) * 1000
    voice = message.get("voice") or message.get("audio")
    if isinstance(voice, dict):
        return _telegram_event(
            update_id,
            sender,
            chat,
            kind="audio",
            media_id=str(voice.get("file_id") or ""),
            media_size=voice.get("file_size"),
            media_duration_ms=int(voice.get("duration") or 0) * 1000,
            timestamp_ms=stamp,
        )
    text = message.get("text")
    if isinstance(text, str) and text.startswith("/start") and text.strip() == "/start":
        return _telegram_event(update_id, sender, chat, kind="follow", timestamp_ms=stamp)
    return _telegram_event(
        update_id, sender, chat, kind="text", text=text if isinstance(text, str) else "",
        timestamp_ms=stamp,
    )


def _telegram_event(
    update_id: Any, sender: dict[str, Any], chat: dict[str, Any], **fields: Any
) -> InboundEvent | None:
    user_id = str(sender.get("id", ""))
    chat_id = str(chat.get("id", ""))
    if chat.get("type", "private") != "private":
        return None  # medical chats are 1:1
    if not (
        is_valid_platform_id(Channel.TELEGRAM, user_id)
        and is_valid_platform_id(Channel.TELEGRAM, chat_id)
    ):
        return None
    return InboundEvent(
        channel=Channel.TELEGRAM,
        event_id=str(update_id),
        user_id=user_id,
        chat_id=chat_id,
        language_code=sender.get("language_code"),
        **fields,
    )
