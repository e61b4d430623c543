"""The care worker's decisions: nothing to send, or messages to one user (a caregiver
or the patient) in their own app and chat, read from their profile."""

from __future__ import annotations

from typing import Any

from shared.domain.channels import Channel
from shared.domain.decision import Decision
from shared.domain.messages import OutMessage
from shared.ports import Doc


def nothing(task: dict[str, Any]) -> Decision:
    return Decision(channel=Channel.LINE, chat_id="-", user_key=str(task.get("user") or "-"))


def addressed(profile: Doc, user: str, send_key: str, messages: list[OutMessage]) -> Decision:
    channel = Channel(str(profile.get("channel") or user.split("-", 1)[0]))
    return Decision(channel=channel, chat_id=str(profile.get("chat_id") or "-"),
                    user_key=user, messages=messages, send_key=send_key)
