"""OutMessage -> LINE Messaging API wire JSON (pure: no SDK, no I/O).

Kept apart from the transport (adapters/line_messenger.py) so that the in-memory
messenger of the flow tests renders exactly what the real adapter sends and passes it
through the same platform rules as the local LINE stand-in (shared/fakes/platform_rules.py).

Limits (Messaging API reference): text <= 5000 UTF-16 units, <= 5 messages per call,
quick reply <= 13 items with labels <= 20, Flex Message button labels <= 40, flex carousel
<= 12 bubbles and 50 KB (bubble 30 KB), altText <= 1500, URI actions https/tel/line only.
Labels are fitted per message so that no two buttons of one message read alike
(shared/domain/labels.py).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from shared.domain import leaflet_format
from shared.domain.channels import (
    LINE_FLEX_BUTTON_LABEL,
    LINE_MESSAGES_PER_CALL,
    LINE_POSTBACK_DATA,
    LINE_QUICK_REPLY_ITEMS,
    LINE_QUICK_REPLY_LABEL,
    LINE_TEXT_LIMIT_UTF16,
    Channel,
)
from shared.domain.labels import fit_labels
from shared.domain.messages import Audio, Button, Card, Cards, Leaflet, OutMessage, Text
from shared.domain.text_split import split_for_line, truncate

log = logging.getLogger(__name__)

Wire = dict[str, Any]

# Flex limits (PLATFORM.md): bubble <= 30 KB, carousel <= 12 bubbles and <= 50 KB.
FLEX_CAROUSEL_BUBBLES = 12
FLEX_CAROUSEL_BYTES = 50_000
FLEX_ALT_TEXT = 1500
# URI action: up to 10,000 characters since line-bot-sdk 3.27 / the Messaging API news of
# 2026-10-27 (1,000 before); schemes LINE opens from a bot: https, tel, line.
URI_ACTION_CHARS = 10_000
URI_SCHEMES = frozenset({"https", "tel", "line"})
# Titles and subtitles are truncated so that one bubble stays a few KB at most.
CARD_TITLE_CHARS = 120
CARD_SUBTITLE_CHARS = 240

_RETRY_KEY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "medbot/line/x-line-retry-key")


def retry_key(key: str, batch: int) -> str:
    """The X-Line-Retry-Key of push batch `batch` of the send identified by `key`."""
    return str(uuid.uuid5(_RETRY_KEY_NAMESPACE, f"{key}\x1f{batch}"))


def loading_seconds(seconds: int) -> int:
    """LINE accepts 5..60 s in steps of 5; round up and clamp."""
    clamped = min(60, max(5, seconds))
    return -(-clamped // 5) * 5


def _link_allowed(url: str, local_origins: Sequence[str] = ()) -> bool:
    """Whether LINE opens the link. A link it refuses would fail the whole message, so
    it is dropped instead. `local_origins`: the local stack's plain-HTTP blob server,
    which stands for the HTTPS links GCS signs in production (the local LINE stand-in
    is told the same)."""
    if len(url) > URI_ACTION_CHARS:
        log.warning("line: dropped a link over %d chars", URI_ACTION_CHARS)
        return False
    local = any(url.startswith(origin.rstrip("/") + "/") for origin in local_origins)
    if urlsplit(url).scheme.lower() not in URI_SCHEMES and not local:
        log.warning("line: dropped a link LINE would refuse (scheme)")
        return False
    return True


def _action(button: Button, label: str, local_origins: Sequence[str] = ()) -> Wire | None:
    if button.url:
        if not _link_allowed(button.url, local_origins):
            return None
        return {"type": "uri", "label": label, "uri": button.url}
    data = button.data or truncate(button.label, LINE_POSTBACK_DATA)
    # displayText shows the whole tapped label in the chat, as a typed answer would be.
    return {
        "type": "postback",
        "label": label,
        "data": data,
        "displayText": truncate(button.label, LINE_POSTBACK_DATA),
    }


def quick_reply(buttons: Sequence[Button], local_origins: Sequence[str] = ()) -> Wire | None:
    """A quick reply whose labels tell the options apart within LINE's 20 characters."""
    if len(buttons) > LINE_QUICK_REPLY_ITEMS:  # OutMessage allows no more (MAX_BUTTONS)
        raise ValueError(f"{len(buttons)} buttons: LINE shows {LINE_QUICK_REPLY_ITEMS}")
    labels = fit_labels([b.label for b in buttons], LINE_QUICK_REPLY_LABEL).labels
    actions = [a for a in (_action(b, label, local_origins)
                           for b, label in zip(buttons, labels, strict=True)) if a is not None]
    if not actions:
        return None
    return {"items": [{"type": "action", "action": a} for a in actions]}


def _host_label(url: str) -> str:
    host = urlsplit(url).hostname or ""
    host = host.removeprefix("www.")
    return truncate(host or "Open", LINE_FLEX_BUTTON_LABEL)


def _bubble(card: Card) -> Wire:
    title = truncate(card.title.strip(), CARD_TITLE_CHARS) or _host_label(card.url)
    body: list[Wire] = [
        {"type": "text", "text": title, "weight": "bold", "wrap": True, "maxLines": 3}
    ]
    subtitle = truncate(card.subtitle.strip(), CARD_SUBTITLE_CHARS)
    if subtitle:
        body.append(
            {"type": "text", "text": subtitle, "size": "sm", "color": "#666666",
             "wrap": True, "maxLines": 4}
        )
    return {
        "type": "bubble",
        "size": "kilo",
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": body},
        "footer": {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {
                    "type": "button",
                    "style": "link",
                    "height": "sm",
                    "action": {"type": "uri", "label": _host_label(card.url),
                               "uri": card.url},
                }
            ],
        },
    }


def json_size(value: Wire) -> int:
    """Bytes of the JSON LINE receives (UTF-8), the unit of its flex size limits."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def _suggestion_bubble(title: str, suggestions: Sequence[Card],
                       local_origins: Sequence[str] = ()) -> Wire:
    """Google Search Suggestions: each query, exactly as given, a tappable text that
    opens its Google results page (no screen in between), under a plain heading."""
    rows: list[Wire] = [{"type": "text", "text": title or "Google", "weight": "bold",
                         "size": "sm", "color": "#5e5e5e", "wrap": True}]
    for suggestion in suggestions:
        row: Wire = {"type": "text", "text": suggestion.title, "wrap": True,
                     "color": "#1a73e8", "decoration": "underline"}
        if _link_allowed(suggestion.url, local_origins):
            row["action"] = {"type": "uri", "uri": suggestion.url,
                             "label": truncate(suggestion.title, LINE_FLEX_BUTTON_LABEL)
                             or "Google"}
        # else: still shown, exactly as given, though LINE cannot link it
        rows.append(row)
    return {"type": "bubble", "size": "kilo",
            "body": {"type": "box", "layout": "vertical", "spacing": "md", "contents": rows}}


def _bubbles(cards: Cards, local_origins: Sequence[str] = ()) -> list[Wire]:
    # Each card's bubble has one button, opening that card, under the card's title.
    bubbles = [_bubble(card) for card in cards.cards if _link_allowed(card.url, local_origins)]
    if cards.suggestions:  # in the same message as the sources, after them
        bubbles.append(_suggestion_bubble(cards.suggestions_title, cards.suggestions,
                                          local_origins))
    return bubbles


def _carousels(bubbles: Sequence[Wire]) -> list[list[Wire]]:
    """Bubbles grouped greedily into carousels within the count and size limits."""
    groups: list[list[Wire]] = []
    current: list[Wire] = []
    for bubble in bubbles:
        candidate = {"type": "carousel", "contents": [*current, bubble]}
        if current and (
            len(current) >= FLEX_CAROUSEL_BUBBLES or json_size(candidate) > FLEX_CAROUSEL_BYTES
        ):
            groups.append(current)
            current = []
        current.append(bubble)
    if current:
        groups.append(current)
    return groups


def _alt_text(cards: Cards) -> str:
    text = cards.alt_text.strip() or "\n".join(c.title for c in cards.cards)
    return truncate(text or "…", FLEX_ALT_TEXT)


def _legend(buttons: Sequence[Button]) -> list[str]:
    """The numbered full names of options whose labels had to be numbered to tell them
    apart (shared/domain/labels.py)."""
    return fit_labels([b.label for b in buttons], LINE_QUICK_REPLY_LABEL).legend


def _with_legend(message: Text) -> str:
    legend = _legend(message.buttons)
    return "\n\n".join([message.text, "\n".join(legend)]) if legend else message.text


def _render_one(message: OutMessage, local_origins: Sequence[str]) -> list[Wire]:
    if isinstance(message, Text):
        return [{"type": "text", "text": chunk} for chunk in split_for_line(_with_legend(message))]
    if isinstance(message, Leaflet):
        # LINE has no formatting: a "■" line starts each section (leaflet_format.py).
        pages = leaflet_format.pages(Channel.LINE, message.text, lead=message.lead,
                                     tail="\n".join(_legend(message.buttons)),
                                     shortened=message.shortened)
        return [{"type": "text", "text": page} for page in pages]
    if isinstance(message, Audio):
        # LINE needs an m4a HTTPS URL and the duration in ms (> 0).
        return [
            {
                "type": "audio",
                "originalContentUrl": message.url,
                "duration": max(1, message.duration_ms),
            }
        ]
    alt = _alt_text(message)
    return [
        {"type": "flex", "altText": alt, "contents": {"type": "carousel", "contents": group}}
        for group in _carousels(_bubbles(message, local_origins))
    ]


def rendered(messages: Sequence[OutMessage], *,
             local_origins: Sequence[str] = ()) -> list[tuple[int, Wire]]:
    """(index of the OutMessage it came from, LINE message object), in order.

    Buttons become a quick reply on the last LINE message rendered from their
    OutMessage. LINE shows only the latest message's quick reply, so if the send ends
    with messages that have none (a question, then its sources and audio), the latest
    quick reply moves to the final message instead of silently disappearing.
    """
    wire: list[tuple[int, Wire]] = []
    for index, message in enumerate(messages):
        parts = _render_one(message, local_origins)
        if isinstance(message, Audio) and message.title and parts and _untitled(messages, index):
            # LINE audio has no caption: its title in a text bubble before it.
            parts.insert(0, {"type": "text",
                             "text": truncate(message.title, LINE_TEXT_LIMIT_UTF16)})
        reply = quick_reply(message.buttons, local_origins) if message.buttons else None
        if reply is not None:
            target = parts[-1] if parts else (wire[-1][1] if wire else None)
            if target is None:
                log.warning("line: buttons without a message to carry them were dropped")
            else:
                target["quickReply"] = reply
        wire.extend((index, part) for part in parts)
    carriers = [w for _, w in wire if "quickReply" in w]
    if carriers and "quickReply" not in wire[-1][1]:
        wire[-1][1]["quickReply"] = carriers[-1].pop("quickReply")
    return wire


def _untitled(messages: Sequence[OutMessage], index: int) -> bool:
    """Whether the audio at `index` starts a run of audio that no text introduces."""
    before = messages[index - 1] if index else None
    return not isinstance(before, (Audio, Text, Leaflet))


def render_messages(messages: Sequence[OutMessage], *,
                    local_origins: Sequence[str] = ()) -> list[Wire]:
    """LINE message objects for `messages`, in order, each within LINE's limits."""
    return [w for _, w in rendered(messages, local_origins=local_origins)]


def batches(wire: Sequence[Wire]) -> list[list[Wire]]:
    """The API calls of a send: at most 5 messages each (reply or push)."""
    size = LINE_MESSAGES_PER_CALL
    return [list(wire[i : i + size]) for i in range(0, len(wire), size)]
