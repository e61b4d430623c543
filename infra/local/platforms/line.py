"""The LINE Messaging API as the bot calls it, and the webhooks LINE posts for what a
simulated user does.

Bot side (line-bot-sdk: Configuration(host=server.url), also as the data host):
    POST /v2/bot/message/reply      reply tokens this server issued: single use, 60 s
    POST /v2/bot/message/push       X-Line-Retry-Key: a repeated key -> 409, not stored
    POST /v2/bot/chat/loading/start loadingSeconds 5..60 in steps of 5
    GET  /v2/bot/message/{id}/content  audio users sent (202 while "preparing")
    GET  /v2/bot/profile/{userId}   display name and language
    GET  /v2/bot/info               the account's LINE ID (basicId), name, chat mode
    POST /v2/bot/group/{id}/leave, /v2/bot/room/{id}/leave: the bot leaves (groups.py)
    rich menus, their images, aliases, the default and per-user links (line_menus.py)
Every call needs the channel access token (401 otherwise); messages are checked against
LINE's rules (validators.py). A 429 carries Retry-After.

A user who blocked the account (PlatformState.block: an unfollow event) gets nothing:
reply and push answer 200 and deliver nothing, as LINE does; their profile is 404.

User side: message, postback, follow and unfollow events, signed with the channel secret
(x-line-signature: base64 HMAC-SHA256 of the body), each with a webhookEventId (ULID),
a reply token and deliveryContext.isRedelivery.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, jsonify, make_response, request
from flask.typing import ResponseReturnValue

from infra.local.platforms.groups import SimGroup
from infra.local.platforms.line_menus import add_rich_menu_routes
from infra.local.platforms.records import ApiCall, ApiError, Json, Media, SimUser, Webhook, ulid
from infra.local.platforms.validators import line_buttons, line_cards, line_checked, line_error
from shared.fakes.platform_rules import Problem

if TYPE_CHECKING:
    from infra.local.platforms.state import PlatformState

LINE_REPLY_TOKEN_TTL_S = 60.0
LINE_BASIC_ID = "@123medbot"  # a LINE ID: "@", digits and letters

_LINE_USER_ID = re.compile(r"^U[0-9a-f]{32}$")
_LINE_GROUP_ID = re.compile(r"^[CR][0-9a-f]{32}$")
_NO_REPLY = frozenset({"unfollow", "leave"})  # events that carry no reply token


def line_signature(body: bytes, channel_secret: str) -> str:
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _message_id() -> str:
    """LINE's message ids are 18 decimal digits."""
    return str(secrets.randbelow(10**17) + 10**17)


def _unseen(messages: list[Json]) -> list[Json]:
    """sentMessages for messages that reach no one: the OpenAPI spec requires 1-5 items
    in every 200 answer, and says nothing of ids for a user who blocked the account."""
    return [{"id": _message_id(), "quoteToken": secrets.token_urlsafe(16)} for _ in messages]


@dataclass
class _ReplyToken:
    chat_id: str
    issued: float  # monotonic
    used: bool = False


class LinePlatform:
    """LINE's side of the shared state: reply tokens, retry keys and the audio users
    sent; the chats, calls and faults are the state's."""

    def __init__(self, state: PlatformState) -> None:
        self._state = state
        self._reply_tokens: dict[str, _ReplyToken] = {}
        self._retry_keys: dict[str, list[Json]] = {}
        self._media: dict[str, Media] = {}

    # ------------------------------------------------------------------ setup (tests)
    def issue_reply_token(self, chat_id: str) -> str:
        """A fresh reply token for chat_id, as a webhook would carry."""
        token = secrets.token_hex(16)
        with self._state.lock:
            self._reply_tokens[token] = _ReplyToken(chat_id, time.monotonic())
        return token

    def expire_reply_tokens(self) -> None:
        """Age every issued reply token past LINE's one-minute limit."""
        with self._state.lock:
            for token in self._reply_tokens.values():
                token.issued -= LINE_REPLY_TOKEN_TTL_S + 1

    def add_audio(self, data: bytes, *, mime: str = "audio/x-m4a", preparing: int = 0) -> str:
        """Store audio as if a user had sent it; returns the message id."""
        message_id = _message_id()
        with self._state.lock:
            self._media[message_id] = Media(data, mime, preparing)
        return message_id

    def audio(self, message_id: str) -> Media | None:
        """Audio a user sent, for the simulator page (never 'preparing')."""
        with self._state.lock:
            return self._media.get(message_id)

    # ================================================================== bot side
    def reply(self, body: Json) -> Json:
        token = body.get("replyToken")
        with self._state.lock:
            issued = self._reply_tokens.get(token) if isinstance(token, str) else None
            fresh = (
                issued is not None
                and not issued.used
                and time.monotonic() - issued.issued <= LINE_REPLY_TOKEN_TTL_S
            )
            if not fresh or issued is None:
                raise line_error("Invalid reply token")
        problems = self._checked(body.get("messages"))
        with self._state.lock:
            if issued.used:  # taken by a concurrent reply while the media were checked
                raise line_error("Invalid reply token")
            issued.used = True
            if self._state.blocked("line", issued.chat_id):
                return {"sentMessages": _unseen(body["messages"])}
            return {"sentMessages": self._store(issued.chat_id, body["messages"], "reply",
                                                problems)}

    def reply_chat(self, token: Any) -> str | None:
        """The chat a reply token was issued for (None: not one of ours)."""
        with self._state.lock:
            issued = self._reply_tokens.get(token) if isinstance(token, str) else None
            return issued.chat_id if issued else None

    def push(self, body: Json, retry_key: str | None) -> Json:
        to = body.get("to")
        if not isinstance(to, str) or not (_LINE_USER_ID.match(to) or _LINE_GROUP_ID.match(to)):
            raise line_error("The property, 'to', in the request body is invalid")
        if _LINE_GROUP_ID.match(to) and self._state.groups.with_bot("line", to) is None:
            raise line_error("Failed to send messages")  # a chat the bot is not in
        if retry_key is not None:
            try:
                uuid.UUID(retry_key)
            except ValueError:
                raise line_error(
                    "The value for the 'X-Line-Retry-Key' header is invalid"
                ) from None
        problems = self._checked(body.get("messages"))
        with self._state.lock:
            if retry_key is not None and retry_key in self._retry_keys:
                raise ApiError(409, {
                    "message": "The retry key is already accepted",
                    "sentMessages": self._retry_keys[retry_key],
                })
            # LINE answers 200 for a user who blocked the account, delivers nothing and
            # does not count it (FAQ "Do I get an error when I send a message to a user
            # who has blocked...?").
            sent = _unseen(body["messages"]) if self._state.blocked("line", to) else \
                self._store(to, body["messages"], "push", problems)
            if retry_key is not None:
                self._retry_keys[retry_key] = sent
            return {"sentMessages": sent}

    def _checked(self, messages: Any) -> list[Problem]:
        return line_checked(messages, media=self._state.fetch_media,
                            https_origins=self._state.https_origins)

    def _store(self, chat_id: str, messages: list[Json], via: str,
               problems: Sequence[Problem] = ()) -> list[Json]:
        sent: list[Json] = []
        for i, message in enumerate(messages):
            kind = message.get("type")
            common: Json = {"channel": "line", "chat_id": chat_id, "sender": "bot", "via": via,
                            "raw": message, "buttons": line_buttons(message),
                            "quick_reply": "quickReply" in message}
            if kind == "audio":
                unplayable = any(p.prop.startswith(f"messages[{i}].") for p in problems)
                self._state.add_entry(kind="audio", audio_url=message["originalContentUrl"],
                                      duration_ms=message["duration"], unplayable=unplayable,
                                      **common)
            elif kind == "flex":
                self._state.add_entry(kind="cards", cards=line_cards(message),
                                      alt_text=message.get("altText", ""), **common)
            else:
                self._state.add_entry(kind="text", text=str(message.get("text", f"[{kind}]")),
                                      **common)
            sent.append({"id": _message_id(), "quoteToken": secrets.token_urlsafe(16)})
        self._state.stop_loading("line", chat_id)  # a message ends the animation
        return sent

    def loading(self, body: Json) -> None:
        chat_id = body.get("chatId")
        seconds = body.get("loadingSeconds", 20)
        if not isinstance(chat_id, str) or not _LINE_USER_ID.match(chat_id):
            raise line_error("The property, 'chatId', in the request body is invalid")
        if not isinstance(seconds, int) or not 5 <= seconds <= 60 or seconds % 5:
            raise line_error("The request body has 1 error(s)",
                             [("loadingSeconds", "must be 5..60 in steps of 5")])
        self._state.start_loading("line", chat_id, seconds)

    def content(self, message_id: str) -> Media | None:
        """The media, or None while LINE is still 'preparing' it (answer 202)."""
        with self._state.lock:
            media = self._media.get(message_id)
            if media is None:
                raise ApiError(404, {"message": "Not found"})
            if media.preparing > 0:
                media.preparing -= 1
                return None
            return media

    @property
    def bot_info(self) -> Json:
        """Get bot info: the account's ids and settings (a bot: chat mode off)."""
        return {"userId": self._state.line_bot_user_id, "basicId": LINE_BASIC_ID,
                "displayName": "MedBot", "chatMode": "bot", "markAsReadMode": "auto"}

    def profile(self, user_id: str) -> Json:
        try:
            user = self._state.user(user_id)
        except KeyError:
            raise ApiError(404, {"message": "Not found"}) from None
        if self._state.blocked("line", user_id):  # LINE: no profile of a blocking user
            raise ApiError(404, {"message": "Not found"})
        return {"userId": user.line_user_id, "displayName": user.name, "language": user.language}

    # ================================================================== user side
    def send_text(self, who: SimUser, text: str) -> Webhook:
        self._state.add_entry(channel="line", chat_id=who.line_user_id, sender="user",
                              kind="text", text=text, via="webhook")
        message = {"type": "text", "id": _message_id(),
                   "quoteToken": secrets.token_urlsafe(16), "text": text}
        return self._webhook(who, {"type": "message", "message": message})

    def tap(self, who: SimUser, data: str, *, label: str | None = None,
            message_id: int | None = None) -> Webhook:
        """A postback (LINE has no per-message tap target: `message_id` is unused)."""
        self._state.add_entry(channel="line", chat_id=who.line_user_id, sender="user",
                              kind="tap", text=label or data, via="webhook")
        return self._webhook(who, {"type": "postback", "postback": {"data": data}})

    def send_audio(self, who: SimUser, data: bytes, *, mime: str, duration_ms: int) -> Webhook:
        media_id = self.add_audio(data, mime=mime)
        self._state.add_entry(channel="line", chat_id=who.line_user_id, sender="user",
                              kind="audio", audio_url=f"/sim/api/line-content/{media_id}",
                              duration_ms=duration_ms, via="webhook")
        message = {"type": "audio", "id": media_id, "duration": duration_ms,
                   "contentProvider": {"type": "line"}}
        return self._webhook(who, {"type": "message", "message": message})

    def follow(self, who: SimUser) -> Webhook:
        self._state.add_entry(channel="line", chat_id=who.line_user_id, sender="user",
                              kind="event", text="follow", via="webhook")
        return self._webhook(who, {"type": "follow", "follow": {"isUnblocked": False}})

    def block(self, who: SimUser) -> Webhook:
        """An unfollow event (it carries no reply token)."""
        self._state.add_entry(channel="line", chat_id=who.line_user_id, sender="user",
                              kind="event", text="blocked", via="webhook")
        return self._webhook(who, {"type": "unfollow"})

    def unblock(self, who: SimUser) -> Webhook:
        """A follow event that says the user unblocked the account (isUnblocked)."""
        self._state.add_entry(channel="line", chat_id=who.line_user_id, sender="user",
                              kind="event", text="unblocked", via="webhook")
        return self._webhook(who, {"type": "follow", "follow": {"isUnblocked": True}})

    def join(self, who: SimUser, group: SimGroup) -> Webhook:
        """`who` adds the bot to `group`: a join event (with a reply token)."""
        self._state.add_entry(channel="line", chat_id=group.chat_id, sender="user",
                              kind="event", text="added MedBot", via="webhook")
        return self._webhook(who, {"type": "join"}, group=group)

    def say_in_group(self, who: SimUser, group: SimGroup, text: str) -> Webhook:
        self._state.add_entry(channel="line", chat_id=group.chat_id, sender="user",
                              kind="text", text=text, via="webhook")
        message = {"type": "text", "id": _message_id(),
                   "quoteToken": secrets.token_urlsafe(16), "text": text}
        return self._webhook(who, {"type": "message", "message": message}, group=group)

    def leave(self, chat_id: str, kind: str) -> Webhook | None:
        """The bot leaves a group or room (the leave group / leave room API): the leave
        event that follows, or ApiError 404 when the bot is not in it."""
        group = self._state.groups.with_bot("line", chat_id)
        if group is None or group.kind != kind or not self._state.groups.remove_bot(group):
            raise ApiError(404, {"message": "Not found"})
        self._state.add_entry(channel="line", chat_id=chat_id, sender="bot", kind="event",
                              text="MedBot left", via="leave")
        return self._webhook(None, {"type": "leave"}, group=group)

    def redelivery(self, body: bytes, headers: dict[str, str]) -> Webhook:
        """The same events again, marked isRedelivery and signed anew."""
        payload = json.loads(body)
        for event in payload["events"]:
            event["deliveryContext"] = {"isRedelivery": True}
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {**headers,
                   "x-line-signature": line_signature(body, self._state.line_channel_secret)}
        return Webhook(body, headers, payload["events"][0]["webhookEventId"])

    def _webhook(self, who: SimUser | None, event: Json, *,
                 group: SimGroup | None = None) -> Webhook:
        """One event from `who` (in their chat) or in `group`; a reply token unless the
        event type carries none (unfollow, leave)."""
        now_ms = int(self._state.now() * 1000)
        chat_id = group.chat_id if group is not None else who.line_user_id if who else ""
        token = self.issue_reply_token(chat_id) if event["type"] not in _NO_REPLY else None
        if group is not None:
            source: Json = {"type": group.kind, f"{group.kind}Id": group.chat_id}
            if who is not None and event["type"] == "message":  # only message events
                source["userId"] = who.line_user_id
        else:
            source = {"type": "user", "userId": who.line_user_id if who else ""}
        event = {
            **event,
            "webhookEventId": ulid(now_ms),
            "deliveryContext": {"isRedelivery": False},
            "timestamp": now_ms,
            "source": source,
            "mode": "active",
            **({"replyToken": token} if token else {}),
        }
        body = json.dumps({"destination": self._state.line_bot_user_id, "events": [event]},
                          ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "LineBotWebhook/2.0",
            "x-line-signature": line_signature(body, self._state.line_channel_secret),
        }
        return Webhook(body, headers, event["webhookEventId"], token)


# =========================================================================== HTTP
def line_blueprint(state: PlatformState) -> Blueprint:
    """The Messaging API routes, answering as LINE answers (errors, request ids)."""
    api = Blueprint("line", __name__)

    def refused() -> ResponseReturnValue | None:
        expected = f"Bearer {state.line_access_token}"
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return jsonify({"message": "Authentication failed. Confirm that the access "
                                       "token in the authorization header is valid."}), 401
        failure = state.fault_status("line")
        if failure is None:
            return None
        status, fault = failure
        if status == 429:
            return (jsonify({"message": "Too many requests"}), status,
                    {"Retry-After": str(fault.retry_after)})
        return jsonify({"message": "Internal server error"}), status

    def call(endpoint: str, chat_id: str | None, run: Callable[[], ResponseReturnValue],
             retry_key: str | None = None) -> ResponseReturnValue:
        early = refused()
        if early is not None:
            response = make_response(early)
            state.record_call(ApiCall("line", endpoint, response.status_code, chat_id, retry_key))
            return response
        try:
            response = make_response(run())
        except ApiError as exc:
            response = make_response(jsonify(exc.body), exc.status)
            if exc.status == 409:
                response.headers["x-line-accepted-request-id"] = str(uuid.uuid4())
        response.headers.setdefault("x-line-request-id", str(uuid.uuid4()))
        state.record_call(ApiCall("line", endpoint, response.status_code, chat_id, retry_key))
        return response

    def body() -> Json:
        given = request.get_json(silent=True)
        if not isinstance(given, dict):
            raise line_error("The request body is not valid JSON")
        return given

    @api.post("/v2/bot/message/reply")
    def reply() -> ResponseReturnValue:
        token = (request.get_json(silent=True) or {}).get("replyToken")
        return call("reply", state.line.reply_chat(token),
                    lambda: jsonify(state.line.reply(body())))

    @api.post("/v2/bot/message/push")
    def push() -> ResponseReturnValue:
        key = request.headers.get("X-Line-Retry-Key")
        to = (request.get_json(silent=True) or {}).get("to")
        return call("push", to, lambda: jsonify(state.line.push(body(), key)), key)

    @api.post("/v2/bot/chat/loading/start")
    def loading() -> ResponseReturnValue:
        def run() -> ResponseReturnValue:
            state.line.loading(body())
            return jsonify({}), 202

        chat = (request.get_json(silent=True) or {}).get("chatId")
        return call("loading", chat, run)

    @api.get("/v2/bot/message/<message_id>/content")
    def content(message_id: str) -> ResponseReturnValue:
        def run() -> ResponseReturnValue:
            media = state.line.content(message_id)
            if media is None:
                return Response(status=202)
            return Response(media.data, mimetype=media.mime)

        return call("content", None, run)

    def leave(kind: str, chat_id: str) -> ResponseReturnValue:
        def run() -> ResponseReturnValue:
            follow_up = state.line.leave(chat_id, kind)
            if follow_up is not None:
                state.post_soon("line", follow_up)
            return jsonify({})

        return call("leave", chat_id, run)

    @api.post("/v2/bot/group/<group_id>/leave")
    def leave_group(group_id: str) -> ResponseReturnValue:
        return leave("group", group_id)

    @api.post("/v2/bot/room/<room_id>/leave")
    def leave_room(room_id: str) -> ResponseReturnValue:
        return leave("room", room_id)

    @api.get("/v2/bot/info")
    def bot_info() -> ResponseReturnValue:
        return call("info", None, lambda: jsonify(state.line.bot_info))

    @api.get("/v2/bot/profile/<user_id>")
    def profile(user_id: str) -> ResponseReturnValue:
        return call("profile", user_id, lambda: jsonify(state.line.profile(user_id)))

    add_rich_menu_routes(api, state, call, body)  # line_menus.py
    return api
