"""What each platform refuses, in its own error shape, and how what it accepts is shown.

The rules themselves live in shared/fakes/platform_rules.py (written from the platforms'
references, deliberately not from the app's constants) and are shared with the
in-memory messenger of the flow tests. This module turns a refusal into the answer the
platform gives (LINE: 400 with `details`; Telegram: `ok: false` with a description),
and a message the platform accepted into the bubble the simulator page draws: LINE Flex
as cards, quick replies and inline keyboards as buttons, Telegram HTML as segments.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from infra.local.platforms.records import ApiError, Json
from shared.fakes.platform_rules import (
    TELEGRAM_ENTITIES,
    MediaLookup,
    Problem,
    first_refusal,
    line_message_problems,
)
from shared.fakes.telegram_rules import telegram_call_problems
from shared.fakes.telegram_rules import telegram_segments as _segments_and_entities


# =========================================================================== errors
def line_error(message: str, details: list[tuple[str, str]] | None = None) -> ApiError:
    """LINE's 400: a message and, per refused property, {message, property}."""
    body: Json = {"message": message}
    if details:
        body["details"] = [{"message": m, "property": p} for p, m in details]
    return ApiError(400, body)


def telegram_error(code: int, description: str) -> ApiError:
    return ApiError(code, {"ok": False, "error_code": code, "description": description})


# =========================================================================== LINE
def line_message_errors(
    messages: Any, *, media: MediaLookup | None = None, https_origins: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """(property, message) pairs LINE would refuse the batch for; [] when it accepts it."""
    return [(p.prop, p.message) for p in
            line_message_problems(messages, media=media, https_origins=https_origins)
            if p.refused]


def line_checked(
    messages: Any, *, media: MediaLookup | None, https_origins: Sequence[str]
) -> list[Problem]:
    """The batch's problems (what LINE accepts but degrades); raises LINE's 400 when it
    would refuse the batch."""
    problems = line_message_problems(messages, media=media, https_origins=https_origins)
    refused = [p for p in problems if p.refused]
    if refused:
        raise line_error(f"The request body has {len(refused)} error(s)",
                         [(p.prop, p.message) for p in refused])
    return problems


def _flex_texts_and_link(node: Any, texts: list[str], links: list[str],
                         tappable: list[Json] | None = None) -> None:
    if isinstance(node, dict):
        if node.get("type") == "text" and isinstance(node.get("text"), str):
            texts.append(node["text"])
        action = node.get("action")
        if isinstance(action, dict) and action.get("type") == "uri":
            links.append(str(action.get("uri", "")))
            if tappable is not None:  # what the user sees and where a tap takes them
                shown = node.get("text") if node.get("type") == "text" else action.get("label")
                tappable.append({"text": str(shown or ""), "url": str(action.get("uri", "")),
                                 "component": str(node.get("type", ""))})
        for key in ("header", "hero", "body", "footer", "contents"):
            if key in node:
                _flex_texts_and_link(node[key], texts, links, tappable)
    elif isinstance(node, list):
        for item in node:
            _flex_texts_and_link(item, texts, links, tappable)


def line_cards(message: Json) -> list[Json]:
    """A Flex message (bubble or carousel) as cards: title, subtitle, first link and
    every tappable link."""
    contents = message.get("contents") or {}
    bubbles = contents.get("contents") if contents.get("type") == "carousel" else [contents]
    cards: list[Json] = []
    for bubble in bubbles or []:
        texts: list[str] = []
        links: list[str] = []
        tappable: list[Json] = []
        _flex_texts_and_link(bubble, texts, links, tappable)
        cards.append({
            "title": texts[0] if texts else "",
            "subtitle": "\n".join(texts[1:]),
            "url": links[0] if links else "",
            "links": tappable,
        })
    return cards


def line_buttons(message: Json) -> list[Json]:
    """A message's quick reply items as the page shows them."""
    items = (message.get("quickReply") or {}).get("items") or []
    buttons: list[Json] = []
    for item in items:
        action = item.get("action") or {}
        buttons.append({
            "label": action.get("label", ""),
            "data": action.get("data", ""),
            "url": action.get("uri"),
            "display": action.get("displayText") or action.get("text"),
            "row": 0,
        })
    return buttons


# =========================================================================== Telegram
def telegram_segments(text: str, parse_mode: str | None) -> list[Json]:
    """Telegram HTML (or plain text) as the segments a user sees; markup Telegram cannot
    parse raises its 400 ("can't parse entities")."""
    try:
        return _segments_and_entities(text, parse_mode)[0]
    except ValueError as exc:
        raise telegram_error(400, f"Bad Request: can't parse entities: {exc}") from None


def telegram_checked(method: str, params: Json, files: Mapping[str, bytes],
                     media: MediaLookup | None) -> list[Problem]:
    """The request's problems; raises the platform's error for the first refusal."""
    problems = telegram_call_problems(method, params, uploads=files, media=media)
    refusal = first_refusal(problems)
    if refusal is not None:
        raise telegram_error(400, refusal.message)
    return problems


def telegram_shown(text: str, parse_mode: Any, problems: Sequence[Problem]) -> list[Json]:
    """The segments a user sees: formatting beyond the 100th entity is ignored."""
    segments = telegram_segments(text, parse_mode)
    if any(not p.refused and "entities" in p.message for p in problems):
        count = 0
        for segment in segments:
            if segment["url"] or segment["b"] or segment["i"]:
                count += 1
                if count > TELEGRAM_ENTITIES:
                    segment.update(url=None, b=False, i=False)
    return segments


def telegram_buttons(markup: Any) -> list[Json]:
    """The inline keyboard as the page shows it (already checked by the rules)."""
    if markup is None:
        return []
    if isinstance(markup, str):
        markup = json.loads(markup)
    buttons: list[Json] = []
    for r, row in enumerate(markup.get("inline_keyboard") or []):
        for button in row:
            data = button.get("callback_data")
            buttons.append({"label": button.get("text"), "data": data or "",
                            "url": button.get("url"), "row": r})
    return buttons
