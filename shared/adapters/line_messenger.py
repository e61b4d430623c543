"""Messenger for LINE, on line-bot-sdk v3 (the only module that imports linebot).

Rendering is pure (OutMessage -> LINE wire JSON, shared/wire/line.py) and kept apart from
transport, so its limits are easy to test and the flow tests' in-memory messenger sends
exactly what this adapter sends. The SDK then validates the JSON into its models.

A send is a sequence of API calls ("parts"): the first by reply while the token is
fresh, the rest by push, at most 5 messages each. `start` skips the parts an earlier
attempt delivered and `on_part` reports each delivered part, so plumbing/delivery.py can
resume a send where it stopped. A push carries X-Line-Retry-Key = uuid5(key, part
index), so a retried part is not delivered twice (LINE answers 409 for a key it already
accepted). A reply has no retry key: if a retried task finds its reply token spent, the
first part goes out again by push.

send() returns the sentMessages ids LINE reports (also for a 409, whose body lists what
the first attempt sent). LINE cannot delete or edit a sent message: retract() is a no-op.
429: "You have reached your monthly limit" is final for the month (not retryable); any
other 429 is a rate limit, retryable, with LINE's Retry-After when it sends one.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

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

from shared.domain.channels import Channel
from shared.domain.errors import MediaTooLarge, MessengerError, is_transient
from shared.domain.messages import OutMessage, Text
from shared.domain.navigation import rich_menu_alias
from shared.wire.line import (  # re-exported: the renderer's public names
    Wire,
    batches,
    json_size,
    loading_seconds,
    quick_reply,
    render_messages,
    retry_key,
)

__all__ = ["LineMessenger", "Wire", "batches", "json_size", "loading_seconds",
           "quick_reply", "render_messages", "retry_key"]

log = logging.getLogger(__name__)

OnPart = Callable[[int, list[str]], None]


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


def _retry_after(exc: ApiException) -> float | None:
    headers = getattr(exc, "headers", None) or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def _as_error(what: str, exc: ApiException) -> MessengerError:
    status = int(exc.status or 0)
    message = _error_message(exc)
    retryable = is_transient(status or None)
    if status == 429 and "monthly limit" in message.lower():
        retryable = False  # the free message quota is spent until next month
    return MessengerError(
        f"LINE {what} failed: {status} {message}".strip(),
        retryable=retryable,
        status=status or None,
        retry_after_s=_retry_after(exc) if status == 429 else None,
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
        local_origins: Sequence[str] = (),
    ) -> None:
        self._timeout = timeout_s
        # The local stack's plain-HTTP blob server (shared/wire/line.py: _link_allowed).
        self._local_origins = tuple(local_origins)
        self._media_retry_delays = tuple(media_retry_delays)
        self._client = ApiClient(Configuration(host=api_base_url, access_token=access_token))
        # The blob API's generated code names api-data.line.me, but a Configuration
        # host takes precedence over it; a second client points it at the data host.
        self._data_client = ApiClient(
            Configuration(host=data_api_base_url, access_token=access_token)
        )
        self._api = MessagingApi(self._client)
        self._blob = MessagingApiBlob(self._data_client)
        self._chat_link: str | None = None
        # Rich-menu alias -> id (a cache: LINE is the truth, re-read when a link fails).
        self._menu_ids: dict[str, str] = {}

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
        start: int = 0,
        on_part: OnPart | None = None,
    ) -> list[str]:
        groups = batches(render_messages(messages, local_origins=self._local_origins))
        ids: list[str] = []
        replied = False
        for index in range(start, len(groups)):
            part: list[str] | None = None
            if index == 0 and reply_token:
                part = self._reply(reply_token, groups[0])
                replied = part is not None
            if part is None:
                part = self._push(chat_id, groups[index], retry_key(key, index))
            ids += part
            if on_part is not None:
                on_part(index, part)
        if groups[start:]:
            log.info("line: sent %d messages in %d calls (reply=%s)",
                     sum(len(g) for g in groups[start:]), len(groups) - start, replied)
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

    def edit(self, chat_id: str, message_id: str, message: Text) -> bool:
        """LINE cannot edit a sent message: the caller answers with a new one."""
        return False

    # ------------------------------------------------------------------ other calls
    def leave(self, chat_id: str) -> None:
        """Leave a group ("C...") or a multi-person chat ("R..."); one the bot is not in
        any more (404) is already left."""
        if chat_id[:1] not in ("C", "R"):
            raise MessengerError("LINE leave: not a group or room id", retryable=False)
        call = (self._api.leave_group_with_http_info if chat_id.startswith("C")
                else self._api.leave_room_with_http_info)
        try:
            call(chat_id, _request_timeout=self._timeout)
        except ApiException as exc:
            if exc.status == 404:
                log.info("line: already out of the chat")
                return
            raise _as_error("leave", exc) from None
        except urllib3.exceptions.HTTPError as exc:
            raise MessengerError(f"LINE leave failed: {type(exc).__name__}") from None
        log.info("line: left a group chat")

    def chat_link(self) -> str | None:
        """https://line.me/R/ti/p/<LINE ID> (the LINE URL scheme; "@" percent-encoded),
        the LINE ID from Get bot info, asked once."""
        if self._chat_link is None:
            try:
                info = self._api.get_bot_info(_request_timeout=self._timeout)
            except (ApiException, urllib3.exceptions.HTTPError) as exc:
                log.warning("line: bot info failed: %s", getattr(exc, "status", None)
                            or type(exc).__name__)
                return None
            basic = str(info.premium_id or info.basic_id or "")
            if not basic:
                return None
            self._chat_link = "https://line.me/R/ti/p/" + quote(basic, safe="")
        return self._chat_link

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

    def profile_language(self, user_id: str) -> str | None:
        """GET /v2/bot/profile/{userId}: `language` is there once the user has agreed to
        LINE's privacy policy."""
        try:
            profile = self._api.get_profile(user_id, _request_timeout=self._timeout)
        except (ApiException, urllib3.exceptions.HTTPError) as exc:
            log.warning("line: profile failed: %s",
                        getattr(exc, "status", None) or type(exc).__name__)
            return None
        return str(profile.language) if getattr(profile, "language", None) else None

    def show_menu(self, chat_id: str, language: str) -> None:
        """Link the user to the rich menu of their language (alias -> id: looked up
        once, and again when LINE says the menu is gone after the ops command replaced
        it)."""
        alias = rich_menu_alias(language)
        for fresh in (False, True):
            menu_id = self._menu_ids.get(alias) if not fresh else None
            try:
                if menu_id is None:
                    menu_id = str(self._api.get_rich_menu_alias(
                        alias, _request_timeout=self._timeout).rich_menu_id)
                    self._menu_ids[alias] = menu_id
                self._api.link_rich_menu_id_to_user(chat_id, menu_id,
                                                    _request_timeout=self._timeout)
                return
            except ApiException as exc:
                self._menu_ids.pop(alias, None)
                if fresh or exc.status not in (400, 404):
                    log.warning("line: rich menu not linked: %s", exc.status)
                    return
            except urllib3.exceptions.HTTPError as exc:
                log.warning("line: rich menu not linked: %s", type(exc).__name__)
                return

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

