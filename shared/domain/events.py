"""Inbound chat events, normalised from LINE and Telegram payloads (pure parsing).

What is not text, a button or a voice message still reaches the dialog: an image,
video, file, sticker, location or contact is a text event whose `attachment` says what
came (and whose text is the caption, if the patient wrote one: captions are read as
text), so every one gets an answer. A location carries its coordinates. Telegram's
"/start" (with a deep-link payload "/start <payload>", or "/start@bot") is the user
starting the bot: a follow, with the payload in `data`.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final, Literal

from pydantic import BaseModel

from shared.domain.channels import Channel, is_valid_platform_id

# follow: LINE follow, Telegram /start; unfollow: LINE unfollow, Telegram my_chat_member
# "kicked" (the patient blocked the bot); back: Telegram my_chat_member "member" (they
# unblocked it; /start usually follows).
EventKind = Literal["text", "postback", "audio", "follow", "unfollow", "back"]
Attachment = Literal["image", "video", "file", "sticker", "location", "contact"]

# Telegram deep links: t.me/<bot>?start=<payload>, 1-64 of A-Z, a-z, 0-9, _ and -.
_START: Final = re.compile(r"/start(?:@[A-Za-z0-9_]{1,64})?(?:\s+(?P<payload>\S+))?\s*")
_PAYLOAD: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")


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
    # Telegram's from.first_name (LINE gives a name only through a profile call): how a
    # caregiver is named to the patient who invited them (features/circle).
    display_name: str | None = None
    timestamp_ms: int = 0
    attachment: Attachment | None = None  # what came besides (or instead of) text
    latitude: float | None = None  # a shared location
    longitude: float | None = None


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
        attachment = _LINE_ATTACHMENTS.get(str(mtype))
        if attachment == "location":
            return InboundEvent(kind="text", text="", attachment=attachment,
                                **_coordinates(message), **common)
        return InboundEvent(kind="text", text="", attachment=attachment, **common)
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


_LINE_ATTACHMENTS: Final[dict[str, Attachment]] = {
    "image": "image", "video": "video", "file": "file", "sticker": "sticker",
    "location": "location",
}
# Telegram message fields, in the order they are looked for.
_TELEGRAM_ATTACHMENTS: Final[tuple[tuple[str, Attachment], ...]] = (
    ("photo", "image"), ("video", "video"), ("video_note", "video"), ("animation", "video"),
    ("document", "file"), ("sticker", "sticker"), ("location", "location"),
    ("venue", "location"), ("contact", "contact"),
)


def _coordinates(place: Any) -> dict[str, float]:
    """Latitude and longitude, when both are real coordinates."""
    if not isinstance(place, dict):
        return {}
    raw = (place.get("latitude"), place.get("longitude"))
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in raw):
        return {}
    lat, lon = float(raw[0]), float(raw[1])  # type: ignore[arg-type]  # checked above
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90
            and -180 <= lon <= 180):
        return {}
    return {"latitude": lat, "longitude": lon}


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
    start = _START.fullmatch(text) if isinstance(text, str) else None
    if start is not None:
        payload = start["payload"]
        return _telegram_event(
            update_id, sender, chat, kind="follow", timestamp_ms=stamp,
            data=payload if payload and _PAYLOAD.fullmatch(payload) else None)
    if isinstance(text, str):
        return _telegram_event(update_id, sender, chat, kind="text", text=text,
                               timestamp_ms=stamp)
    caption = message.get("caption")
    found = next(((kind, message[field]) for field, kind in _TELEGRAM_ATTACHMENTS
                  if message.get(field)), None)
    where: dict[str, float] = {}
    if found is not None and found[0] == "location":
        place = found[1].get("location") if isinstance(found[1], dict) and "location" in \
            found[1] else found[1]
        where = _coordinates(place)
    return _telegram_event(
        update_id, sender, chat, kind="text",
        text=caption if isinstance(caption, str) else "",
        attachment=found[0] if found else None, timestamp_ms=stamp, **where,
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
        display_name=_name(sender.get("first_name")),
        **fields,
    )


def _name(value: Any) -> str | None:
    """A display name as shown to others: printable, one line, at most 40 characters."""
    if not isinstance(value, str):
        return None
    name = " ".join("".join(ch for ch in value if ch.isprintable()).split())[:40]
    return name or None
