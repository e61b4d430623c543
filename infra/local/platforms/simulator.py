"""The chat simulator page (GET /, infra/local/simulator/) and the JSON API under
/sim/api/ it polls and posts to. Acceptance scenarios drive the stack through this API
too, so its paths and request/response shapes are an external interface: extend it,
never rename.

    GET  /sim/api/users            simulated users, channels, which webhooks are set
    GET  /sim/api/chat             ?channel&user[&since=version]: bubbles and loading
    POST /sim/api/send             {channel, user, text[, group]}: the user types (in a
                                   group chat the bot is in, with "group": its id)
    POST /sim/api/tap              {channel, user, entry_id, button}: the user taps
    POST /sim/api/audio            multipart file, channel, user[, duration_ms]
    POST /sim/api/follow           {channel, user}: the user adds the bot
    POST /sim/api/block            {channel, user}: the user blocks the bot (LINE
                                   unfollow; Telegram my_chat_member kicked)
    POST /sim/api/unblock          {channel, user}: ... and unblocks it (LINE follow;
                                   Telegram my_chat_member member)
    GET  /sim/api/calls            ?channel&user (or &group): {"calls": [{endpoint, status,
                                   at}]}, the API calls the bot made for that chat
    POST /sim/api/group            {channel, user[, title, room]}: the user adds the bot
                                   to a new group chat; answers the webhook summary and
                                   {"group": {channel, id, title, kind, members, bot_in}}
    GET  /sim/api/groups           every group chat and whether the bot is still in it
    POST /sim/api/clear            {channel, user}: forget the chat's bubbles
    GET  /sim/api/line-content/<id>, /sim/api/telegram-file/<id>: audio in a chat
    GET  /sim/api/outbox           e-mails sent (when the stack has an SMTP sink)
    GET  /sim/api/clock, POST /sim/api/clock/advance {seconds}: the simulated clock
    GET  /sim/api/menu, POST /sim/api/menu/tap: the native menus (menu_api.py)
Actions answer the webhook's summary (status, elapsed_ms, slow, error); an unknown
user, entry or file answers 404 {"error"}, a bad request 400 {"error"}, an action that
does not fit the chat (typing to a bot the user blocked, blocking it twice) 409
{"error"}.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, Response, jsonify, request, send_from_directory
from flask.typing import ResponseReturnValue

from infra.local.platforms.menu_api import add_menu_routes
from infra.local.platforms.records import (
    ChatConflict,
    ClockAdvance,
    Json,
    Outbox,
    as_int,
    channel_arg,
)
from infra.local.platforms.state import PlatformState

SIMULATOR_DIR = Path(__file__).parent.parent / "simulator"


def simulator_blueprint(
    state: PlatformState, outbox: Outbox | None, clock_advance: ClockAdvance | None
) -> Blueprint:
    """The page, its static files and the JSON endpoints it uses."""
    sim = Blueprint("simulator", __name__)

    def sim_body() -> Json:
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else dict(request.form)

    def now() -> datetime:
        return state.clock_now() if state.clock_now else datetime.now(UTC)

    # Application-wide, as they always were: an unknown user or entry is a 404, a bad
    # value a 400, whichever route raised it.
    @sim.app_errorhandler(KeyError)
    def unknown(exc: KeyError) -> ResponseReturnValue:
        return jsonify({"error": str(exc.args[0] if exc.args else exc)}), 404

    @sim.app_errorhandler(ValueError)
    def invalid(exc: ValueError) -> ResponseReturnValue:
        return jsonify({"error": str(exc)}), 400

    @sim.app_errorhandler(ChatConflict)
    def conflict(exc: ChatConflict) -> ResponseReturnValue:
        return jsonify({"error": str(exc)}), 409

    # ------------------------------------------------------------------ page
    @sim.get("/")
    def index() -> ResponseReturnValue:
        return send_from_directory(SIMULATOR_DIR, "index.html")

    @sim.get("/sim/static/<name>")
    def static_file(name: str) -> ResponseReturnValue:
        return send_from_directory(SIMULATOR_DIR, name)

    # ------------------------------------------------------------------ chats
    @sim.get("/sim/api/users")
    def users() -> ResponseReturnValue:
        return jsonify({"users": [asdict(u) for u in state.users.values()],
                        "channels": ["line", "telegram"],
                        "webhooks": {"line": bool(state.line_webhook_url),
                                     "telegram": bool(state.telegram_webhook_url)}})

    @sim.get("/sim/api/chat")
    def chat() -> ResponseReturnValue:
        channel = channel_arg(request.args.get("channel"))
        user = request.args.get("user", "")
        version = state.version
        blocked = state.blocked(channel, user)
        if request.args.get("since") == str(version):
            return jsonify({"version": version, "unchanged": True,
                            "loading": state.loading(channel, user), "blocked": blocked})
        return jsonify({
            "version": version,
            "entries": [e.public() for e in state.entries(channel, user)],
            "loading": state.loading(channel, user),
            "blocked": blocked,
        })

    @sim.post("/sim/api/send")
    def send() -> ResponseReturnValue:
        body = sim_body()
        text = str(body.get("text") or "")
        if not text.strip():
            raise ValueError("empty message")
        channel, user = channel_arg(body.get("channel")), str(body.get("user"))
        if body.get("group"):
            return jsonify(state.say_in_group(channel, user, str(body["group"]), text).summary())
        return jsonify(state.send_text(channel, user, text).summary())

    @sim.post("/sim/api/tap")
    def tap() -> ResponseReturnValue:
        body = sim_body()
        channel = channel_arg(body.get("channel"))
        user = str(body.get("user"))
        entry = next((e for e in state.entries(channel, user)
                      if e.id == as_int(body.get("entry_id"))), None)
        index = as_int(body.get("button")) or 0
        if entry is None or not 0 <= index < len(entry.buttons):
            raise KeyError("no such button")
        button = entry.buttons[index]
        if button.get("url"):
            raise ValueError("link buttons open in the browser")
        result = state.tap(channel, user, button["data"], message_id=entry.message_id,
                           label=button.get("display") or button["label"])
        return jsonify(result.summary())

    @sim.post("/sim/api/audio")
    def audio() -> ResponseReturnValue:
        upload = request.files.get("file")
        if upload is None:
            raise ValueError("no file")
        data = upload.read()
        mime = upload.mimetype or "application/octet-stream"
        duration = as_int(request.form.get("duration_ms")) or 3000
        result = state.send_audio(channel_arg(request.form.get("channel")),
                                  str(request.form.get("user")), data, mime=mime,
                                  duration_ms=duration)
        return jsonify(result.summary())

    @sim.post("/sim/api/follow")
    def follow() -> ResponseReturnValue:
        body = sim_body()
        result = state.follow(channel_arg(body.get("channel")), str(body.get("user")))
        return jsonify(result.summary())

    @sim.post("/sim/api/block")
    def block() -> ResponseReturnValue:
        body = sim_body()
        result = state.block(channel_arg(body.get("channel")), str(body.get("user")))
        return jsonify(result.summary())

    @sim.post("/sim/api/unblock")
    def unblock() -> ResponseReturnValue:
        body = sim_body()
        result = state.unblock(channel_arg(body.get("channel")), str(body.get("user")))
        return jsonify(result.summary())

    @sim.get("/sim/api/calls")
    def calls() -> ResponseReturnValue:
        channel = channel_arg(request.args.get("channel"))
        group = request.args.get("group")
        if group is not None and state.groups.get(channel, group) is None:
            raise KeyError("no such group")
        # A user's chat (404 for an unknown user), or a group's.
        chat = state.user(request.args.get("user", "")) if group is None else group
        return jsonify({"calls": [c.public() for c in state.calls_of(channel, chat)]})

    @sim.post("/sim/api/group")
    def group() -> ResponseReturnValue:
        body = sim_body()
        added, result = state.add_to_group(
            channel_arg(body.get("channel")), str(body.get("user")),
            str(body.get("title") or "Family"), room=bool(body.get("room")))
        return jsonify({**result.summary(), "group": added.public()})

    @sim.get("/sim/api/groups")
    def groups() -> ResponseReturnValue:
        return jsonify({"groups": [g.public() for g in state.groups.all()]})

    @sim.post("/sim/api/clear")
    def clear() -> ResponseReturnValue:
        body = sim_body()
        state.clear(channel_arg(body.get("channel")), str(body.get("user")))
        return jsonify({"ok": True})

    # ------------------------------------------------------------------ media
    @sim.get("/sim/api/line-content/<media_id>")
    def line_media(media_id: str) -> ResponseReturnValue:
        media = state.line.audio(media_id)
        if media is None:
            raise KeyError("no such media")
        return Response(media.data, mimetype=media.mime)

    @sim.get("/sim/api/telegram-file/<file_id>")
    def telegram_media(file_id: str) -> ResponseReturnValue:
        media = state.telegram.file_by_id(file_id)
        if media is None:
            raise KeyError("no such file")
        return Response(media.data, mimetype=media.mime)

    # ------------------------------------------------------------------ mail, clock
    @sim.get("/sim/api/outbox")
    def mail() -> ResponseReturnValue:
        mails = list(outbox()) if outbox else []
        return jsonify({"available": outbox is not None, "messages": [
            {"to": str(m.get("to", "")), "from": str(m.get("from", "")),
             "subject": str(m.get("subject", "")), "text": str(m.get("text", "")),
             "date": str(m.get("date", ""))}
            for m in mails
        ]})

    @sim.get("/sim/api/clock")
    def clock() -> ResponseReturnValue:
        return jsonify({"now": now().isoformat(), "simulated": state.clock_now is not None,
                        "controllable": clock_advance is not None})

    @sim.post("/sim/api/clock/advance")
    def advance() -> ResponseReturnValue:
        if clock_advance is None:
            return jsonify({"error": "the clock is not controllable here"}), 409
        seconds = float(sim_body().get("seconds") or 0)
        if not 0 < seconds <= 366 * 86400:
            raise ValueError("seconds must be positive and at most a year")
        clock_advance(seconds)
        state.bump()
        return jsonify({"now": now().isoformat()})

    add_menu_routes(sim, state)  # menu_api.py: the native menus
    return sim
