"""The simulator's view of the platforms' native menus (part of the JSON API under
/sim/api/, an external interface: extend, never rename).

    GET  /sim/api/menu?channel&user   what the user's app shows: LINE {rich_menu: {id,
         name, chat_bar_text, selected, width, height, image, areas: [{x, y, width,
         height, action}]} or null}; Telegram {commands: [{command, description}],
         menu_button: {type, ...}}
    GET  /sim/api/rich-menu-image/<id>        a rich menu's image
    POST /sim/api/menu/tap {channel, user, area | command}: the user taps a rich-menu
         area (LINE: its postback, message or alias switch, as LINE sends them) or picks
         a command from the menu (Telegram: the app sends "/command")
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from infra.local.platforms.records import Json, as_int, channel_arg
from infra.local.platforms.state import PlatformState


def add_menu_routes(sim: Blueprint, state: PlatformState) -> None:
    def sim_body() -> Json:
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else dict(request.form)

    @sim.get("/sim/api/menu")
    def native_menu() -> ResponseReturnValue:
        channel = channel_arg(request.args.get("channel"))
        who = state.user(request.args.get("user", ""))
        if channel == "telegram":
            commands, button = state.telegram_menus.shown_to(
                str(who.telegram_id), who.telegram_language_code)
            return jsonify({"channel": channel, "commands": commands, "menu_button": button})
        shown = state.line_menus.shown_to(who.line_user_id)
        if shown is None:
            return jsonify({"channel": channel, "rich_menu": None})
        body = shown.body
        return jsonify({"channel": channel, "rich_menu": {
            "id": shown.id, "name": body["name"], "chat_bar_text": body["chatBarText"],
            "selected": body["selected"], "width": body["size"]["width"],
            "height": body["size"]["height"],
            "image": f"/sim/api/rich-menu-image/{shown.id}" if shown.image else None,
            "areas": [{**a["bounds"], "action": a["action"]} for a in body["areas"]],
        }})

    @sim.get("/sim/api/rich-menu-image/<menu_id>")
    def native_menu_image(menu_id: str) -> ResponseReturnValue:
        try:
            shown = state.line_menus.image(menu_id)
        except Exception:
            raise KeyError("no such rich-menu image") from None
        return Response(shown.image, mimetype=shown.mime)

    @sim.post("/sim/api/menu/tap")
    def native_menu_tap() -> ResponseReturnValue:
        body = sim_body()
        channel = channel_arg(body.get("channel"))
        who = state.user(str(body.get("user")))
        if channel == "telegram":
            commands, _ = state.telegram_menus.shown_to(str(who.telegram_id),
                                                        who.telegram_language_code)
            name = str(body.get("command") or "")
            if not any(c["command"] == name for c in commands):
                raise KeyError("no such command in this user's menu")
            return jsonify(state.send_text(channel, who, f"/{name}").summary())
        shown = state.line_menus.shown_to(who.line_user_id)
        index = as_int(body.get("area"))
        if shown is None or index is None or not 0 <= index < len(shown.body["areas"]):
            raise KeyError("no such rich-menu area")
        action = shown.body["areas"][index]["action"]
        kind = action.get("type")
        if kind == "postback":
            label = action.get("displayText") or action.get("label")
            return jsonify(state.tap(channel, who, action["data"], label=label).summary())
        if kind == "message":
            return jsonify(state.send_text(channel, who, action["text"]).summary())
        if kind == "richmenuswitch":
            target = state.line_menus.get_alias(action["richMenuAliasId"])["richMenuId"]
            state.line_menus.link(who.line_user_id, target)
            return jsonify(state.tap(channel, who, action["data"]).summary())
        raise ValueError(f"a {kind} area opens on the phone, not in the chat")
