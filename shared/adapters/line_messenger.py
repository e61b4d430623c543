"""Messenger for LINE, on line-bot-sdk v3 (the only module that imports linebot).

Rendering is pure (OutMessage -> LINE wire JSON) and kept apart from transport, so its
limits are easy to test: text <= 5000 UTF-16 units, <= 5 messages per call, quick reply
<= 13 items with labels <= 20, flex carousel <= 12 bubbles and 50 KB (bubble 30 KB),
altText <= 1500. The SDK then validates the JSON into its models and sends it.

Idempotency: a push carries X-Line-Retry-Key = uuid5(key, batch index), so a retried
task pushes nothing twice (LINE answers 409 for a key it already accepted). A reply has
no retry key: if a retried task finds its reply token spent, the first batch goes out
again by push. Callers that must not repeat a reply record their sends (delivery.py).

send() returns the sentMessages ids LINE reports (also for a 409, whose body lists what
the first attempt sent). LINE cannot delete or edit a sent message: retract() is a no-op.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import urllib3
from linebot.v3.messaging import (  # type: ignore[import-untyped]
    ApiClient,
    ApiException,
    Configuration,
    Message,
    MessagingApi,
    MessagingApiBlob,
    PushMessageRequest,
    ReplyMessageRequest,
    ShowLoadingAnimationRequest,
)

from shared.domain.channels import (
    LINE_MESSAGES_PER_CALL,
    LINE_POSTBACK_DATA,
    LINE_QUICK_REPLY_ITEMS,
    LINE_QUICK_REPLY_LABEL,
    Channel,
)
from shared.domain.errors import MediaTooLarge, MessengerError
from shared.domain.messages import Audio, Button, Card, Cards, OutMessage, Text
from shared.domain.text_split import split_for_line, truncate

log = logging.getLogger(__name__)

Wire = dict[str, Any]

# Flex limits (PLATFORM.md): bubble <= 30 KB, carousel <= 12 bubbles and <= 50 KB.
FLEX_CAROUSEL_BUBBLES = 12
FLEX_CAROUSEL_BYTES = 50_000
FLEX_ALT_TEXT = 1500
URI_ACTION_CHARS = 1000
# Titles and subtitles are truncated so that one bubble stays a few KB at most.
CARD_TITLE_CHARS = 120
CARD_SUBTITLE_CHARS = 240
CARD_BUTTON_LABEL = 20

_RETRY_KEY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "medbot/line/x-line-retry-key")


# ----------------------------------------------------------------------------- rendering
def retry_key(key: str, batch: int) -> str:
    """The X-Line-Retry-Key of push batch `batch` of the send identified by `key`."""
    return str(uuid.uuid5(_RETRY_KEY_NAMESPACE, f"{key}\x1f{batch}"))


def loading_seconds(seconds: int) -> int:
    """LINE accepts 5..60 s in steps of 5; round up and clamp."""
    clamped = min(60, max(5, seconds))
    return -(-clamped // 5) * 5


def _action(button: Button) -> Wire | None:
    label = truncate(button.label, LINE_QUICK_REPLY_LABEL) or "…"
    if button.url:
        if len(button.url) > URI_ACTION_CHARS:
            log.warning("line: dropped a link button over %d chars", URI_ACTION_CHARS)
            return None
        return {"type": "uri", "label": label, "uri": button.url}
    data = button.data or truncate(button.label, LINE_POSTBACK_DATA)
    # displayText shows the tapped label in the chat, as a typed answer would be.
    return {
        "type": "postback",
        "label": label,
        "data": data,
        "displayText": truncate(button.label, LINE_POSTBACK_DATA),
    }


def quick_reply(buttons: Sequence[Button]) -> Wire | None:
    if len(buttons) > LINE_QUICK_REPLY_ITEMS:
        log.warning("line: %d buttons, quick reply shows %d", len(buttons), LINE_QUICK_REPLY_ITEMS)
    actions = [a for a in map(_action, buttons[:LINE_QUICK_REPLY_ITEMS]) if a is not None]
    if not actions:
        return None
    return {"items": [{"type": "action", "action": a} for a in actions]}


def _host_label(url: str) -> str:
    host = urlsplit(url).hostname or ""
    host = host.removeprefix("www.")
    return truncate(host or "Open", CARD_BUTTON_LABEL)


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
                    "action": {"type": "uri", "label": _host_label(card.url), "uri": card.url},
                }
            ],
        },
    }


def json_size(value: Wire) -> int:
    """Bytes of the JSON LINE receives (UTF-8), the unit of its flex size limits."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def _suggestion_bubble(title: str, suggestions: Sequence[Card]) -> Wire:
    """Google Search Suggestions: each query, exactly as given, a tappable text that
    opens its Google results page (no screen in between), under a plain heading."""
    rows: list[Wire] = [{"type": "text", "text": title or "Google", "weight": "bold",
                         "size": "sm", "color": "#5e5e5e", "wrap": True}]
    for suggestion in suggestions:
        row: Wire = {"type": "text", "text": suggestion.title, "wrap": True,
                     "color": "#1a73e8", "decoration": "underline"}
        if len(suggestion.url) <= URI_ACTION_CHARS:
            row["action"] = {"type": "uri", "uri": suggestion.url,
                             "label": truncate(suggestion.title, CARD_BUTTON_LABEL) or "Google"}
        else:  # still shown, exactly as given, though LINE cannot link it
            log.warning("line: a search suggestion's link is over %d chars", URI_ACTION_CHARS)
        rows.append(row)
    return {"type": "bubble", "size": "kilo",
            "body": {"type": "box", "layout": "vertical", "spacing": "md", "contents": rows}}


def _bubbles(cards: Cards) -> list[Wire]:
    bubbles: list[Wire] = []
    for card in cards.cards:
        if len(card.url) > URI_ACTION_CHARS:
            log.warning("line: dropped a card whose link is over %d chars", URI_ACTION_CHARS)
            continue
        bubbles.append(_bubble(card))
    if cards.suggestions:  # in the same message as the sources, after them
        bubbles.append(_suggestion_bubble(cards.suggestions_title, cards.suggestions))
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


def _render_one(message: OutMessage) -> list[Wire]:
    if isinstance(message, Text):
        return [{"type": "text", "text": chunk} for chunk in split_for_line(message.text)]
    if isinstance(message, Audio):
        # LINE needs an m4a/mp3 HTTPS URL and the duration in ms (> 0).
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
        for group in _carousels(_bubbles(message))
    ]


def render_messages(messages: Sequence[OutMessage]) -> list[Wire]:
    """LINE message objects for `messages`, in order, each within LINE's limits.

    Buttons become a quick reply on the last LINE message rendered from their
    OutMessage. LINE shows only the latest message's quick reply, so if the send ends
    with messages that have none (a question, then its sources and audio), the latest
    quick reply moves to the final message instead of silently disappearing.
    """
    wire: list[Wire] = []
    for message in messages:
        rendered = _render_one(message)
        reply = quick_reply(message.buttons) if message.buttons else None
        if reply is not None:
            target = rendered[-1] if rendered else (wire[-1] if wire else None)
            if target is None:
                log.warning("line: buttons without a message to carry them were dropped")
            else:
                target["quickReply"] = reply
        wire.extend(rendered)
    carriers = [w for w in wire if "quickReply" in w]
    if carriers and "quickReply" not in wire[-1]:
        wire[-1]["quickReply"] = carriers[-1].pop("quickReply")
    return wire


def batches(wire: Sequence[Wire]) -> list[list[Wire]]:
    size = LINE_MESSAGES_PER_CALL
    return [list(wire[i : i + size]) for i in range(0, len(wire), size)]


# ----------------------------------------------------------------------------- transport
def _error_message(exc: ApiException) -> str:
    """LINE's own error summary (never message content: LINE does not echo it)."""
    try:
        body = json.loads(exc.body) if isinstance(exc.body, str | bytes) else {}
    except ValueError:
        body = {}
    message = body.get("message") if isinstance(body, dict) else None
    return str(message) if message else str(exc.reason or "")


def _sent_ids(sent: Any) -> list[str]:
    """Ids from a sentMessages list: SDK models (SentMessage) or plain JSON objects."""
    ids: list[str] = []
    for item in sent if isinstance(sent, list) else []:
        value = item.get("id") if isinstance(item, dict) else getattr(item, "id", None)
        if value:
            ids.append(str(value))
    return ids


def _response_ids(response: Any) -> list[str]:
    return _sent_ids(getattr(getattr(response, "data", None), "sent_messages", None))


def _conflict_ids(exc: ApiException) -> list[str]:
    """The ids a 409 (retry key already accepted) reports for the earlier push."""
    try:
        body = json.loads(exc.body) if isinstance(exc.body, str | bytes) else {}
    except ValueError:
        return []
    return _sent_ids(body.get("sentMessages")) if isinstance(body, dict) else []


def _as_error(what: str, exc: ApiException) -> MessengerError:
    status = int(exc.status or 0)
    retryable = status == 0 or status == 429 or status >= 500
    return MessengerError(
        f"LINE {what} failed: {status} {_error_message(exc)}".strip(),
        retryable=retryable,
        status=status or None,
    )


class LineMessenger:
    channel = Channel.LINE

    def __init__(
        self,
        access_token: str,
        *,
        api_base_url: str = "https://api.line.me",
        data_api_base_url: str = "https://api-data.line.me",
        timeout_s: float = 10.0,
        media_retry_delays: Sequence[float] = (0.25, 0.5, 1.0, 2.0),
    ) -> None:
        self._timeout = timeout_s
        self._media_retry_delays = tuple(media_retry_delays)
        self._client = ApiClient(Configuration(host=api_base_url, access_token=access_token))
        # The blob API's generated code names api-data.line.me, but a Configuration
        # host takes precedence over it; a second client points it at the data host.
        self._data_client = ApiClient(
            Configuration(host=data_api_base_url, access_token=access_token)
        )
        self._api = MessagingApi(self._client)
        self._blob = MessagingApiBlob(self._data_client)

    def close(self) -> None:
        self._client.close()
        self._data_client.close()

    # ------------------------------------------------------------------ send
    def send(
        self,
        chat_id: str,
        messages: Sequence[OutMessage],
        *,
        key: str,
        reply_token: str | None = None,
    ) -> list[str]:
        groups = batches(render_messages(messages))
        if not groups:
            return []
        ids: list[str] = []
        first_push = 0
        if reply_token:
            replied = self._reply(reply_token, groups[0])
            if replied is not None:
                ids += replied
                first_push = 1
        for index in range(first_push, len(groups)):
            ids += self._push(chat_id, groups[index], retry_key(key, index))
        log.info(
            "line: sent %d messages in %d calls (reply=%s)",
            sum(len(g) for g in groups), len(groups), first_push == 1,
        )
        return ids

    def _reply(self, token: str, wire: list[Wire]) -> list[str] | None:
        """The sent ids; None if LINE rejected the token (spent or expired)."""
        request = ReplyMessageRequest(
            reply_token=token, messages=[Message.from_dict(w) for w in wire]
        )
        try:
            response = self._api.reply_message_with_http_info(
                request, _request_timeout=self._timeout
            )
        except ApiException as exc:
            if exc.status == 400 and "reply token" in _error_message(exc).lower():
                log.info("line: reply token rejected, falling back to push")
                return None
            raise _as_error("reply", exc) from None
        except urllib3.exceptions.HTTPError as exc:
            # Unknown outcome: the token may be spent. The task retries; by push then.
            raise MessengerError(f"LINE reply failed: {type(exc).__name__}") from None
        return _response_ids(response)

    def _push(self, chat_id: str, wire: list[Wire], key: str) -> list[str]:
        request = PushMessageRequest(to=chat_id, messages=[Message.from_dict(w) for w in wire])
        try:
            response = self._api.push_message_with_http_info(
                request, x_line_retry_key=key, _request_timeout=self._timeout
            )
        except ApiException as exc:
            if exc.status == 409:
                log.info("line: push already accepted for this retry key")
                return _conflict_ids(exc)
            raise _as_error("push", exc) from None
        except urllib3.exceptions.HTTPError as exc:
            # Safe to retry: the same retry key makes LINE drop a duplicate.
            raise MessengerError(f"LINE push failed: {type(exc).__name__}") from None
        # Pushes count against the channel's monthly quota: a log-based metric in
        # Terraform counts this line.
        log.info("line push", extra={"messages": len(wire)})
        return _response_ids(response)

    def retract(
        self, chat_id: str, message_ids: Sequence[str], *, note: str | None = None
    ) -> None:
        """LINE has no API to delete or edit a sent message: nothing to do."""

    # ------------------------------------------------------------------ other calls
    def show_loading(self, chat_id: str, seconds: int = 20) -> None:
        """Best effort: a missing animation must not fail the job that follows it."""
        request = ShowLoadingAnimationRequest(
            chat_id=chat_id, loading_seconds=loading_seconds(seconds)
        )
        try:
            self._api.show_loading_animation_with_http_info(
                request, _request_timeout=self._timeout
            )
        except ApiException as exc:
            log.warning("line: loading animation failed: %s", exc.status)
        except urllib3.exceptions.HTTPError as exc:
            log.warning("line: loading animation failed: %s", type(exc).__name__)

    def acknowledge(self, callback_id: str) -> None:
        """LINE postbacks need no acknowledgement."""

    def fetch_audio(self, media_id: str, max_bytes: int) -> bytes:
        """Content of a user's audio message from the data API.

        LINE answers 202 while it is still preparing the file, so a few short retries
        follow. The SDK reads the whole body before the size check; LINE itself caps
        what users can upload, and nothing over `max_bytes` is returned.
        """
        for delay in (*self._media_retry_delays, None):
            try:
                response = self._blob.get_message_content_with_http_info(
                    media_id, _request_timeout=self._timeout
                )
            except ApiException as exc:
                raise _as_error("content download", exc) from None
            except urllib3.exceptions.HTTPError as exc:
                name = type(exc).__name__
                raise MessengerError(f"LINE content download failed: {name}") from None
            if response.status_code == 202:
                if delay is None:
                    raise MessengerError("LINE content still preparing", status=202)
                time.sleep(delay)
                continue
            data = bytes(response.raw_data or b"")
            if len(data) > max_bytes:
                raise MediaTooLarge(len(data), max_bytes)
            return data
        raise AssertionError("unreachable")

