"""What a recorded Telegram call shows a user: its text bubble and its button labels
(RecordingMessenger's reading of the wire it rendered)."""

from __future__ import annotations

from typing import Any

from shared.domain.messages import Leaflet, OutMessage
from shared.fakes.telegram_rules import telegram_segments


def telegram_texts(call: Any, message: OutMessage) -> tuple[str, ...]:
    """The text a Telegram message shows: a plain one as sent, a leaflet page (HTML) as
    its words without the tags (a link list is not a text bubble)."""
    if call.method != "sendMessage":
        return ()
    if "parse_mode" not in call.params:
        return (call.params["text"],)
    if isinstance(message, Leaflet):
        segments, _ = telegram_segments(call.params["text"], call.params["parse_mode"])
        return ("".join(segment["text"] for segment in segments),)
    return ()


def keyboard_labels(params: dict[str, Any]) -> tuple[tuple[str, ...], ...]:
    markup = params.get("reply_markup")
    if not markup:
        return ()
    return (tuple(b["text"] for row in markup["inline_keyboard"] for b in row),)
