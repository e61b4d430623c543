"""Inbound chat events, normalised from LINE and Telegram payloads (pure parsing)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from shared.domain.channels import Channel, is_valid_platform_id

# follow: LINE follow, Telegram /start; unfollow: LINE unfollow, Telegram my_chat_member
# "kicked" (the patient blocked the bot); back: Telegram my_chat_member "member" (they
# unblocked it; /start usually follows).
EventKind = Literal["text", "postback", "audio", "follow", "unfollow", "back"]


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


class GroupArrival(BaseModel):
    """The bot was added to a group chat (it says where to find it, then leaves)."""

    channel: Channel
    event_id: str
    chat_id: str  # LINE groupId / roomId; Telegram chat id
    reply_token: str | None = None
    timestamp_ms: int = 0


_PRESENT = ("member", "administrator")


def group_arrival(channel: Channel, raw: dict[str, Any]) -> GroupArrival | None:
    """The bot's own arrival in a group (LINE join; Telegram my_chat_member from
    absent to present in a group, supergroup or channel); None for anything else."""
    if channel is Channel.LINE:
        source = raw.get("source")
        if not isinstance(source, dict):
            return None
        chat = source.get({"group": "groupId", "room": "roomId"}.get(
            str(source.get("type")), ""))
        if raw.get("type") != "join" or not isinstance(chat, str) or not chat:
            return None
        token = raw.get("replyToken")
        return GroupArrival(channel=channel, event_id=str(raw.get("webhookEventId") or ""),
                            chat_id=chat, reply_token=token if isinstance(token, str) else None,
                            timestamp_ms=int(raw.get("timestamp") or 0))
    change = raw.get("my_chat_member")
    if not isinstance(change, dict):
        return None
    chat = change.get("chat")
    if not isinstance(chat, dict):
        return None
    new, old = change.get("new_chat_member"), change.get("old_chat_member")
    status = new.get("status") if isinstance(new, dict) else None
    was = old.get("status") if isinstance(old, dict) else None
    if chat.get("type") == "private" or status not in _PRESENT or was in _PRESENT:
        return None
    if not isinstance(chat.get("id"), int):
        return None
    return GroupArrival(channel=channel, event_id=str(raw.get("update_id")),
                        chat_id=str(chat["id"]),
                        timestamp_ms=int(change.get("date") or 0) * 1000)


def normalize_telegram(update: dict[str, Any]) -> InboundEvent | None:
    """A Telegram update as an InboundEvent; None for updates MedBot ignores."""
    update_id = update.get("update_id")
    change = update.get("my_chat_member")
    # In a private chat: the patient blocked the bot or came back.
    if isinstance(change, dict) and not isinstance(update.get("message"), dict) \
            and not isinstance(update.get("callback_query"), dict):
        status = (change.get("new_chat_member") or {}).get("status")
        kind = {"kicked": "unfollow", "member": "back"}.get(str(status))
        if kind is None:
            return None
        return _telegram_event(update_id, change.get("from") or {}, change.get("chat") or {},
                               kind=kind, timestamp_ms=int(change.get("date") or 0) * 1000)
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
