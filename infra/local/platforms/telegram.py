"""The Telegram Bot API as the bot calls it, and the updates Telegram posts for what a
simulated user does.

Bot side (PTB: Bot(base_url=server.url + "/bot", base_file_url=server.url + "/file/bot")):
    /bot<token>/<method> for getMe, sendMessage, sendVoice, sendAudio, sendChatAction,
    answerCallbackQuery, editMessageText, editMessageReplyMarkup, deleteMessage, getFile,
    setWebhook, getWebhookInfo, deleteWebhook, leaveChat (groups.py); the command menu
    (telegram_menus.py); /file/bot<token>/<path> downloads.
Parameters come as a query, a form, multipart or JSON; requests are checked against the
Bot API's rules (validators.py) and answered `{"ok": false, "error_code",
"description"}`; a 429 carries parameters.retry_after. What Telegram accepts but degrades
is shown degraded: a voice note over 1 MB arrives as a file, formatting beyond 100
entities is dropped.

A user who blocked the bot (PlatformState.block: a my_chat_member update, member ->
kicked) makes every call into their chat answer 403 "Forbidden: bot was blocked by the
user", as the Bot API does, until they unblock it (kicked -> member).

User side: message, callback_query and my_chat_member updates with increasing
update_id, carrying the secret token header (X-Telegram-Bot-Api-Secret-Token). Only the
update types setWebhook's allowed_updates names are posted (not given: Telegram's
default, every type but chat_member, message_reaction and message_reaction_count).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, jsonify, make_response, request
from flask.typing import ResponseReturnValue

from infra.local.platforms.groups import SimGroup
from infra.local.platforms.records import (
    ApiCall,
    ApiError,
    ChatEntry,
    Json,
    Media,
    SimUser,
    Webhook,
    as_int,
)
from infra.local.platforms.validators import (
    telegram_buttons,
    telegram_checked,
    telegram_error,
    telegram_shown,
)

if TYPE_CHECKING:
    from infra.local.platforms.state import PlatformState

TELEGRAM_FILE_LIMIT = 20 * 1024 * 1024
TELEGRAM_UPLOAD_LIMIT = 50 * 1000 * 1000  # multipart uploads (Bot API: 50 MB)
TELEGRAM_DELETE_WINDOW_S = 48 * 3600

_Method = Callable[[Json, Mapping[str, bytes]], Any]

# What the Bot API answers (403) to any call into the chat of a user who blocked the bot.
BLOCKED_BY_USER = "Forbidden: bot was blocked by the user"
_CHAT_METHODS = frozenset({"sendmessage", "sendvoice", "sendaudio", "sendchataction",
                           "editmessagetext", "editmessagereplymarkup", "deletemessage",
                           "leavechat"})
# Delivered when setWebhook names no allowed_updates (Bot API: "all update types except
# chat_member, message_reaction, and message_reaction_count").
_NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def _markup(markup: Any) -> Any:
    return json.loads(markup) if isinstance(markup, str) else markup


class TelegramPlatform:
    """Telegram's side of the shared state: message ids per chat, open callback
    queries, stored files and the update counter; chats, calls and faults are the
    state's."""

    def __init__(self, state: PlatformState) -> None:
        self._state = state
        self._message_ids: dict[str, int] = {}
        self._callbacks: dict[str, bool] = {}  # id -> answered
        self._files: dict[str, tuple[str, Media]] = {}  # file_id -> (file_path, media)
        self._update_id = 500_000_000
        self.allowed_updates: frozenset[str] | None = None  # None: the default set
        self._methods: dict[str, _Method] = {
            "getme": self._get_me,
            "sendmessage": self._send_message,
            "sendvoice": lambda params, files: self._send_media("voice", params, files),
            "sendaudio": lambda params, files: self._send_media("audio", params, files),
            "sendchataction": self._chat_action,
            "answercallbackquery": self._answer_callback,
            "editmessagetext": self._edit_text,
            "editmessagereplymarkup": self._edit_markup,
            "deletemessage": self._delete,
            "getfile": self._get_file,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._webhook_info,
            "leavechat": self._leave_chat,
        }

    @property
    def bot_user(self) -> Json:
        head = self._state.telegram_token.split(":", 1)[0]
        return {"id": int(head) if head.isdigit() else 1, "is_bot": True,
                "first_name": "MedBot", "username": "medbot_local_bot"}

    # ------------------------------------------------------------------ files
    def add_file(self, data: bytes, *, mime: str = "audio/ogg") -> tuple[str, str]:
        """Store a file as if a user had sent it; returns (file_id, path)."""
        file_id = "AwACAg" + secrets.token_urlsafe(24)
        with self._state.lock:
            path = f"voice/file_{len(self._files)}.{'oga' if 'ogg' in mime else 'm4a'}"
            self._files[file_id] = (path, Media(data, mime))
        return file_id, path

    def file(self, path: str) -> Media | None:
        with self._state.lock:
            return next((m for p, m in self._files.values() if p == path), None)

    def file_by_id(self, file_id: str) -> Media | None:
        with self._state.lock:
            found = self._files.get(file_id)
        return found[1] if found else None

    # ================================================================== bot side
    def register(self, methods: Mapping[str, _Method]) -> None:
        """More Bot API methods (lowercase names), served by another module
        (telegram_menus.py: the command menu)."""
        self._methods.update(methods)

    def private_chat(self, chat_id: Any) -> Json:
        """The chat object of a simulated user; "chat not found" otherwise."""
        return self._chat(chat_id)

    def call(self, method: str, params: Json, files: Mapping[str, bytes]) -> Any:
        handler = self._methods.get(method.lower())
        if handler is None:
            raise telegram_error(404, "Not Found")
        if method.lower() in _CHAT_METHODS and self._state.blocked(
                "telegram", str(params.get("chat_id"))):
            raise telegram_error(403, BLOCKED_BY_USER)
        return handler(params, files)

    def _chat(self, chat_id: Any) -> Json:
        group = self._state.groups.get("telegram", chat_id)
        if group is not None:
            if not group.bot_in:
                raise telegram_error(403, "Forbidden: bot is not a member of the supergroup chat")
            return {"id": int(group.chat_id), "type": group.kind, "title": group.title}
        try:
            user = self._state.user(str(chat_id))
        except KeyError:
            raise telegram_error(400, "Bad Request: chat not found") from None
        return {"id": user.telegram_id, "type": "private", "first_name": user.name}

    def _next_message_id(self, chat_id: str) -> int:
        with self._state.lock:
            self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
            return self._message_ids[chat_id]

    def _find(self, chat_id: Any, message_id: Any) -> ChatEntry | None:
        wanted = as_int(message_id)
        return next((e for e in self._state.chat_entries("telegram", str(chat_id))
                     if e.message_id == wanted and not e.deleted), None)

    def _message(self, chat: Json, content: Json, markup: Any) -> Json:
        message: Json = {
            "message_id": self._next_message_id(str(chat["id"])),
            "from": self.bot_user,
            "chat": chat,
            "date": int(self._state.now()),
            **content,
        }
        if markup:
            message["reply_markup"] = _markup(markup)
        return message

    def _get_me(self, params: Json, files: Mapping[str, bytes]) -> Any:
        return self.bot_user

    def _send_message(self, params: Json, files: Mapping[str, bytes]) -> Any:
        chat = self._chat(params.get("chat_id"))
        text = str(params.get("text") or "")
        problems = telegram_checked("sendMessage", params, files, self._state.fetch_media)
        segments = telegram_shown(text, params.get("parse_mode"), problems)
        plain = "".join(s["text"] for s in segments)
        buttons = telegram_buttons(params.get("reply_markup"))
        message = self._message(chat, {"text": plain}, params.get("reply_markup"))
        self._state.add_entry(channel="telegram", chat_id=str(chat["id"]), sender="bot",
                              kind="text", text=plain, segments=segments, buttons=buttons,
                              message_id=message["message_id"], via="sendMessage", raw=message)
        self._state.stop_loading("telegram", str(chat["id"]))
        return message

    def _send_media(self, kind: str, params: Json, files: Mapping[str, bytes]) -> Any:
        chat = self._chat(params.get("chat_id"))
        if kind in files and len(files[kind]) > TELEGRAM_UPLOAD_LIMIT:
            raise telegram_error(413, "Request Entity Too Large")
        problems = telegram_checked(f"send{kind.title()}", params, files,
                                    self._state.fetch_media)
        buttons = telegram_buttons(params.get("reply_markup"))
        source = params.get(kind)
        duration = as_int(params.get("duration")) or 0
        if kind in files:  # an upload: keep it so the page can play it
            mime = "audio/ogg" if kind == "voice" else "audio/mpeg"
            file_id, _ = self.add_file(files[kind], mime=mime)
            url = f"/sim/api/telegram-file/{file_id}"
        else:
            file_id, url = "AwACAg" + secrets.token_urlsafe(24), str(source)
        media: Json = {"file_id": file_id, "file_unique_id": secrets.token_hex(8),
                       "duration": duration}
        # A voice note over 1 MB (or not OGG/Opus) arrives as a file, as on Telegram.
        as_file = any(not p.refused and p.prop == kind for p in problems)
        content: Json = {"document": {k: v for k, v in media.items() if k != "duration"}} \
            if as_file else {kind: media}
        caption = telegram_shown(str(params.get("caption") or ""), params.get("parse_mode"),
                                 problems)
        message = self._message(chat, content, params.get("reply_markup"))
        self._state.add_entry(channel="telegram", chat_id=str(chat["id"]), sender="bot",
                              kind="audio", audio_url=url, duration_ms=duration * 1000,
                              buttons=buttons, text="".join(c["text"] for c in caption),
                              message_id=message["message_id"], as_file=as_file,
                              via=f"send{kind.title()}", raw=message)
        self._state.stop_loading("telegram", str(chat["id"]))
        return message

    def _chat_action(self, params: Json, files: Mapping[str, bytes]) -> Any:
        chat = self._chat(params.get("chat_id"))
        if not params.get("action"):
            raise telegram_error(400, "Bad Request: wrong parameter action in request")
        self._state.start_loading("telegram", str(chat["id"]), 5)
        return True

    def _answer_callback(self, params: Json, files: Mapping[str, bytes]) -> Any:
        query_id = str(params.get("callback_query_id") or "")
        with self._state.lock:
            if self._callbacks.get(query_id, True):  # unknown or answered already
                raise telegram_error(400, "Bad Request: query is too old and response "
                                          "timeout expired or query ID is invalid")
            self._callbacks[query_id] = True
            self._state.answered_callbacks.append(query_id)
        return True

    def _edit_text(self, params: Json, files: Mapping[str, bytes]) -> Any:
        entry = self._find(params.get("chat_id"), params.get("message_id"))
        if entry is None:
            raise telegram_error(400, "Bad Request: message to edit not found")
        problems = telegram_checked("editMessageText", params, files, self._state.fetch_media)
        segments = telegram_shown(str(params.get("text") or ""), params.get("parse_mode"),
                                  problems)
        plain = "".join(s["text"] for s in segments)
        buttons = telegram_buttons(params.get("reply_markup"))
        if plain == entry.text and buttons == entry.buttons:
            raise telegram_error(400, "Bad Request: message is not modified")
        with self._state.lock:
            entry.text, entry.segments, entry.buttons, entry.edited = plain, segments, buttons, True
            entry.raw = {**entry.raw, "text": plain, "edit_date": int(self._state.now())}
            self._set_markup(entry, params.get("reply_markup"))
            self._state.bump()
        return entry.raw

    def _edit_markup(self, params: Json, files: Mapping[str, bytes]) -> Any:
        entry = self._find(params.get("chat_id"), params.get("message_id"))
        if entry is None:
            raise telegram_error(400, "Bad Request: message to edit not found")
        telegram_checked("editMessageReplyMarkup", params, files, None)
        buttons = telegram_buttons(params.get("reply_markup"))
        if buttons == entry.buttons:
            raise telegram_error(400, "Bad Request: message is not modified")
        with self._state.lock:
            entry.buttons, entry.edited = buttons, True
            self._set_markup(entry, params.get("reply_markup"))
            self._state.bump()
        return entry.raw

    @staticmethod
    def _set_markup(entry: ChatEntry, markup: Any) -> None:
        entry.raw = dict(entry.raw)
        if markup:
            entry.raw["reply_markup"] = _markup(markup)
        else:
            entry.raw.pop("reply_markup", None)

    def _delete(self, params: Json, files: Mapping[str, bytes]) -> Any:
        entry = self._find(params.get("chat_id"), params.get("message_id"))
        if entry is None:
            raise telegram_error(400, "Bad Request: message to delete not found")
        if self._state.now() - entry.at > TELEGRAM_DELETE_WINDOW_S:
            raise telegram_error(400, "Bad Request: message can't be deleted for everyone")
        with self._state.lock:
            entry.deleted = True
            self._state.bump()
        return True

    def _leave_chat(self, params: Json, files: Mapping[str, bytes]) -> Any:
        """The bot leaves a group: True, then Telegram posts my_chat_member (-> left)."""
        chat = self._chat(params.get("chat_id"))
        group = self._state.groups.with_bot("telegram", chat["id"])
        if group is None:  # a private chat
            raise telegram_error(400, "Bad Request: chat member status can't be changed "
                                      "in private chats")
        self._state.groups.remove_bot(group)
        self._state.add_entry(channel="telegram", chat_id=group.chat_id, sender="bot",
                              kind="event", text="MedBot left", via="leaveChat")
        self._state.post_soon("telegram", self._membership_in(group, None, "member", "left"))
        return True

    def _get_file(self, params: Json, files: Mapping[str, bytes]) -> Any:
        file_id = str(params.get("file_id") or "")
        with self._state.lock:
            found = self._files.get(file_id)
        if found is None:
            raise telegram_error(400, "Bad Request: invalid file_id")
        path, media = found
        if len(media.data) > TELEGRAM_FILE_LIMIT:
            raise telegram_error(400, "Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": hashlib.sha1(
            file_id.encode(), usedforsecurity=False).hexdigest()[:16],
            "file_size": len(media.data), "file_path": path}

    def _set_webhook(self, params: Json, files: Mapping[str, bytes]) -> Any:
        allowed = params.get("allowed_updates")
        if isinstance(allowed, str):  # a form field carries the JSON array as text
            try:
                allowed = json.loads(allowed)
            except ValueError:
                raise telegram_error(400, "Bad Request: can't parse allowed_updates") from None
        if allowed is not None and not (isinstance(allowed, list)
                                        and all(isinstance(a, str) for a in allowed)):
            raise telegram_error(400, "Bad Request: can't parse allowed_updates")
        with self._state.lock:
            self._state.telegram_webhook_url = str(params.get("url") or "") or None
            secret = params.get("secret_token")
            if secret:
                self._state.telegram_secret = str(secret)
            # Not given: the previous setting stays; an empty list: the default set.
            if allowed is not None:
                self.allowed_updates = frozenset(allowed) or None
        return True

    def delivers(self, kind: str) -> bool:
        """Whether an update of this kind reaches the webhook (setWebhook's
        allowed_updates, or the default set)."""
        with self._state.lock:
            allowed = self.allowed_updates
        return kind not in _NOT_BY_DEFAULT if allowed is None else kind in allowed

    def _delete_webhook(self, params: Json, files: Mapping[str, bytes]) -> Any:
        with self._state.lock:
            self._state.telegram_webhook_url = None
        return True

    def _webhook_info(self, params: Json, files: Mapping[str, bytes]) -> Any:
        info: Json = {"url": self._state.telegram_webhook_url or "",
                      "has_custom_certificate": False, "pending_update_count": 0}
        if self.allowed_updates is not None:
            info["allowed_updates"] = sorted(self.allowed_updates)
        return info

    # ================================================================== user side
    def send_text(self, who: SimUser, text: str) -> Webhook:
        chat_id = str(who.telegram_id)
        message_id = self._next_message_id(chat_id)
        self._state.add_entry(channel="telegram", chat_id=chat_id, sender="user", kind="text",
                              text=text, message_id=message_id, via="webhook")
        return self._update({"message": self._user_message(who, message_id, {"text": text})})

    def tap(self, who: SimUser, data: str, *, label: str | None = None,
            message_id: int | None = None) -> Webhook:
        """A callback_query on the bot message `message_id` (default: the latest bot
        message with a button carrying `data`); KeyError when there is none."""
        chat_id = str(who.telegram_id)
        carrier = self._carrier(chat_id, data, message_id)
        query_id = str(secrets.randbelow(10**18) + 10**18)
        with self._state.lock:
            self._callbacks[query_id] = False
        self._state.add_entry(channel="telegram", chat_id=chat_id, sender="user", kind="tap",
                              text=label or data, via="webhook")
        query = {"id": query_id, "from": self._from(who), "message": carrier,
                 "chat_instance": str(abs(hash(chat_id)) % 10**18), "data": data}
        return self._update({"callback_query": query})

    def _carrier(self, chat_id: str, data: str, message_id: int | None) -> Json:
        for entry in reversed(self._state.chat_entries("telegram", chat_id)):
            if entry.sender != "bot" or entry.deleted:
                continue
            if message_id is not None and entry.message_id == message_id:
                return entry.raw
            if message_id is None and any(b["data"] == data for b in entry.buttons):
                return entry.raw
        raise KeyError("no bot message carries that button")

    def send_audio(self, who: SimUser, data: bytes, *, mime: str, duration_ms: int) -> Webhook:
        """A voice message if OGG, else an audio file."""
        chat_id = str(who.telegram_id)
        file_id, _ = self.add_file(data, mime=mime)
        message_id = self._next_message_id(chat_id)
        self._state.add_entry(channel="telegram", chat_id=chat_id, sender="user", kind="audio",
                              audio_url=f"/sim/api/telegram-file/{file_id}",
                              duration_ms=duration_ms, message_id=message_id, via="webhook")
        key = "voice" if "ogg" in mime else "audio"
        media = {"file_id": file_id, "file_unique_id": secrets.token_hex(8),
                 "duration": max(1, round(duration_ms / 1000)), "mime_type": mime,
                 "file_size": len(data)}
        return self._update({"message": self._user_message(who, message_id, {key: media})})

    def follow(self, who: SimUser) -> Webhook:
        """Telegram has no follow event: adding a bot sends '/start'."""
        return self.send_text(who, "/start")

    def block(self, who: SimUser) -> Webhook:
        """my_chat_member: the bot goes from member to kicked in the user's chat."""
        return self._membership(who, "member", "kicked", "blocked")

    def unblock(self, who: SimUser) -> Webhook:
        """my_chat_member: the bot goes from kicked back to member."""
        return self._membership(who, "kicked", "member", "unblocked")

    def join(self, who: SimUser, group: SimGroup) -> list[Webhook]:
        """`who` adds the bot to `group`: my_chat_member (left -> member), then the
        service message that lists the bot in new_chat_members."""
        self._state.add_entry(channel="telegram", chat_id=group.chat_id, sender="user",
                              kind="event", text="added MedBot", via="webhook")
        chat = {"id": int(group.chat_id), "type": group.kind, "title": group.title}
        message_id = self._next_message_id(group.chat_id)
        service = {"message_id": message_id, "from": self._from(who), "chat": chat,
                   "date": int(self._state.now()), "new_chat_members": [self.bot_user]}
        return [self._membership_in(group, who, "left", "member"),
                self._update({"message": service})]

    def say_in_group(self, who: SimUser, group: SimGroup, text: str) -> Webhook:
        self._state.add_entry(channel="telegram", chat_id=group.chat_id, sender="user",
                              kind="text", text=text, via="webhook")
        chat = {"id": int(group.chat_id), "type": group.kind, "title": group.title}
        message = {"message_id": self._next_message_id(group.chat_id), "from": self._from(who),
                   "chat": chat, "date": int(self._state.now()), "text": text}
        return self._update({"message": message})

    def _membership_in(self, group: SimGroup, who: SimUser | None, old: str,
                       new: str) -> Webhook:
        """my_chat_member in a group; `who` None: the bot itself changed it (left)."""
        change = {"chat": {"id": int(group.chat_id), "type": group.kind, "title": group.title},
                  "from": self._from(who) if who else self.bot_user,
                  "date": int(self._state.now()),
                  "old_chat_member": {"user": self.bot_user, "status": old},
                  "new_chat_member": {"user": self.bot_user, "status": new}}
        return self._update({"my_chat_member": change})

    def _membership(self, who: SimUser, old: str, new: str, shown: str) -> Webhook:
        chat_id = str(who.telegram_id)
        self._state.add_entry(channel="telegram", chat_id=chat_id, sender="user",
                              kind="event", text=shown, via="webhook")

        def member(status: str) -> Json:  # ChatMemberBanned carries until_date (0: forever)
            return {"user": self.bot_user, "status": status,
                    **({"until_date": 0} if status == "kicked" else {})}

        change = {"chat": {"id": who.telegram_id, "type": "private", "first_name": who.name},
                  "from": self._from(who), "date": int(self._state.now()),
                  "old_chat_member": member(old), "new_chat_member": member(new)}
        return self._update({"my_chat_member": change})

    def redelivery(self, body: bytes, headers: dict[str, str]) -> Webhook:
        """The same update again (same update_id), as Telegram retries it."""
        return Webhook(body, headers, str(json.loads(body)["update_id"]))

    def _from(self, who: SimUser) -> Json:
        return {"id": who.telegram_id, "is_bot": False, "first_name": who.name,
                "language_code": who.telegram_language_code}

    def _user_message(self, who: SimUser, message_id: int, content: Json) -> Json:
        return {"message_id": message_id, "from": self._from(who),
                "chat": {"id": who.telegram_id, "type": "private", "first_name": who.name},
                "date": int(self._state.now()), **content}

    def _update(self, update: Json) -> Webhook:
        with self._state.lock:
            self._update_id += 1
            update = {"update_id": self._update_id, **update}
        body = json.dumps(update, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json",
                   "X-Telegram-Bot-Api-Secret-Token": self._state.telegram_secret}
        kind = next(k for k in update if k != "update_id")
        return Webhook(body, headers, str(update["update_id"]), withheld=not self.delivers(kind))


# =========================================================================== HTTP
def _params() -> tuple[Json, dict[str, bytes]]:
    """Bot API parameters from the query, a form, multipart or JSON (all are allowed)."""
    params: Json = dict(request.args)
    if request.is_json:
        params.update(request.get_json(silent=True) or {})
    else:
        params.update(request.form.to_dict())
    files = {name: f.read() for name, f in request.files.items()}
    for key in ("reply_markup", "link_preview_options"):
        if isinstance(params.get(key), str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                raise telegram_error(400, f"Bad Request: can't parse {key}") from None
    return params, files


def _unauthorized() -> ResponseReturnValue:
    return jsonify({"ok": False, "error_code": 401, "description": "Unauthorized"}), 401


def telegram_blueprint(state: PlatformState) -> Blueprint:
    """The Bot API and file download routes, answering as Telegram answers."""
    api = Blueprint("telegram", __name__)

    def authorized(token: str) -> bool:
        return hmac.compare_digest(token.encode(), state.telegram_token.encode())

    def failed() -> ResponseReturnValue | None:
        failure = state.fault_status("telegram")
        if failure is None:
            return None
        status, fault = failure
        body: Json = {"ok": False, "error_code": status, "description": "Internal Server Error"}
        if status == 429:
            body = {"ok": False, "error_code": 429,
                    "description": f"Too Many Requests: retry after {fault.retry_after}",
                    "parameters": {"retry_after": fault.retry_after}}
        return jsonify(body), status

    @api.route("/bot<token>/<method>", methods=["GET", "POST"])
    def method(token: str, method: str) -> ResponseReturnValue:
        chat = request.values.get("chat_id")
        if not authorized(token):
            state.record_call(ApiCall("telegram", method, 401, chat))
            return _unauthorized()
        early = failed()
        if early is not None:
            response = make_response(early)
        else:
            try:
                params, files = _params()
                chat = str(params.get("chat_id")) if params.get("chat_id") is not None else chat
                result = state.telegram.call(method, params, files)
                response = make_response(jsonify({"ok": True, "result": result}))
            except ApiError as exc:
                response = make_response(jsonify(exc.body), exc.status)
        state.record_call(ApiCall("telegram", method, response.status_code, chat))
        return response

    @api.get("/file/bot<token>/<path:file_path>")
    def download(token: str, file_path: str) -> ResponseReturnValue:
        if not authorized(token):
            return _unauthorized()
        early = failed()
        if early is not None:
            return early
        media = state.telegram.file(file_path)
        state.record_call(ApiCall("telegram", "download", 200 if media else 404))
        if media is None:
            return jsonify({"ok": False, "error_code": 404, "description": "Not Found"}), 404
        return Response(media.data, mimetype=media.mime)

    return api
