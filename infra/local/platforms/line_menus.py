"""LINE rich menus as the Messaging API serves them (bot side), and what a user's chat
shows (the simulator page).

    POST   /v2/bot/richmenu                       create (validated): {richMenuId}
    POST   /v2/bot/richmenu/validate              validate only
    GET    /v2/bot/richmenu/list                  {richmenus: [...]}
    GET    /v2/bot/richmenu/{id}                  one menu
    DELETE /v2/bot/richmenu/{id}
    POST   /v2/bot/richmenu/{id}/content          the image (data host): JPEG or PNG,
    GET    /v2/bot/richmenu/{id}/content          at most 1 MB, exactly the menu's size
    POST/GET/DELETE /v2/bot/user/all/richmenu[/{id}]         the default menu
    POST/GET/DELETE /v2/bot/user/{userId}/richmenu[/{id}]    a user's own menu
    POST   /v2/bot/richmenu/alias                 {richMenuAliasId, richMenuId}
    GET/POST/DELETE /v2/bot/richmenu/alias/{aliasId}, GET /v2/bot/richmenu/alias/list

Rules from the Messaging API reference (and line/line-openapi messaging-api.yml): a menu
is 800-2500 px wide and at least 250 px high with width / height >= 1.45; name 1-300
characters, chatBarText 1-14, at most 20 areas, each inside the menu; postback data up to
300 characters, displayText up to 300, a label up to 20; at most 1000 menus a channel;
an uploaded image cannot be replaced; a menu without an image cannot be the default or
linked to a user; alias ids match ^[a-z0-9_-]{1,32}$ and are unique. Statuses follow the
reference; where it gives no error text, the wording here is ours. What a user sees is
their linked menu, else the default.
"""

from __future__ import annotations

import re
import secrets
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from infra.local.platforms.records import ApiError, Json
from infra.local.platforms.validators import line_error

if TYPE_CHECKING:
    from infra.local.platforms.state import PlatformState

MAX_RICH_MENUS = 1000
MAX_AREAS = 20
MAX_IMAGE_BYTES = 1024 * 1024
_ALIAS = re.compile(r"[a-z0-9_-]{1,32}")
_USER = re.compile(r"U[0-9a-f]{32}")
_ACTION_TYPES = {"postback", "message", "uri", "datetimepicker", "camera", "cameraRoll",
                 "location", "richmenuswitch", "clipboard"}

Call = Callable[[str, "str | None", Callable[[], ResponseReturnValue]], ResponseReturnValue]


@dataclass
class RichMenu:
    id: str
    body: Json  # size, selected, name, chatBarText, areas (as created)
    image: bytes | None = None
    mime: str = ""

    def public(self) -> Json:
        return {"richMenuId": self.id, **self.body}


@dataclass
class LineRichMenus:
    """The channel's rich menus, aliases, default and per-user links."""

    state: PlatformState
    menus: dict[str, RichMenu] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    default: str | None = None
    links: dict[str, str] = field(default_factory=dict)  # LINE user id -> menu id

    # ------------------------------------------------------------------ menus
    def create(self, body: Json) -> Json:
        checked = _checked_menu(body)
        with self.state.lock:
            if len(self.menus) >= MAX_RICH_MENUS:
                raise line_error("The number of rich menus exceeds the limit (1000)")
            menu = RichMenu("richmenu-" + secrets.token_hex(16), checked)
            self.menus[menu.id] = menu
            self.state.bump()
            return {"richMenuId": menu.id}

    def validate(self, body: Json) -> Json:
        _checked_menu(body)
        return {}

    def get(self, menu_id: str) -> RichMenu:
        with self.state.lock:
            menu = self.menus.get(menu_id)
        if menu is None:
            raise ApiError(404, {"message": "Not found"})
        return menu

    def listing(self) -> Json:
        with self.state.lock:
            return {"richmenus": [m.public() for m in self.menus.values()]}

    def delete(self, menu_id: str) -> None:
        with self.state.lock:
            self.get(menu_id)
            del self.menus[menu_id]
            if self.default == menu_id:
                self.default = None
            self.links = {u: m for u, m in self.links.items() if m != menu_id}
            self.state.bump()

    def set_image(self, menu_id: str, data: bytes, mime: str) -> None:
        menu = self.get(menu_id)
        kind = mime.split(";")[0].strip().lower()
        if kind not in ("image/png", "image/jpeg"):
            raise ApiError(415, {"message": "Unsupported Media Type"})
        if len(data) > MAX_IMAGE_BYTES:
            raise ApiError(413, {"message": "Request Entity Too Large"})
        size = image_size(data, kind)
        if size is None:
            raise line_error("The image could not be read as " + kind)
        expected = (menu.body["size"]["width"], menu.body["size"]["height"])
        if size != expected:
            raise line_error(f"The image is {size[0]}x{size[1]} px; the rich menu is "
                             f"{expected[0]}x{expected[1]}")
        with self.state.lock:
            if menu.image is not None:
                raise line_error("An image has already been uploaded to the richmenu")
            menu.image, menu.mime = data, kind
            self.state.bump()

    def image(self, menu_id: str) -> RichMenu:
        menu = self.get(menu_id)
        if menu.image is None:
            raise ApiError(404, {"message": "Not found"})
        return menu

    # ------------------------------------------------------------------ who sees which
    def _with_image(self, menu_id: str) -> RichMenu:
        menu = self.get(menu_id)
        if menu.image is None:
            raise line_error("must upload richmenu image before applying it to user")
        return menu

    def set_default(self, menu_id: str) -> None:
        self._with_image(menu_id)
        with self.state.lock:
            self.default = menu_id
            self.state.bump()

    def default_id(self) -> Json:
        with self.state.lock:
            if self.default is None:
                raise ApiError(404, {"message": "no default richmenu"})
            return {"richMenuId": self.default}

    def cancel_default(self) -> None:
        with self.state.lock:
            self.default = None
            self.state.bump()

    def link(self, user_id: str, menu_id: str) -> None:
        if not _USER.fullmatch(user_id):
            raise line_error("The value for the 'userId' parameter is invalid")
        self._with_image(menu_id)
        with self.state.lock:
            self.links[user_id] = menu_id
            self.state.bump()

    def unlink(self, user_id: str) -> None:
        with self.state.lock:
            self.links.pop(user_id, None)
            self.state.bump()

    def linked(self, user_id: str) -> Json:
        with self.state.lock:
            if user_id not in self.links:
                raise ApiError(404, {"message": "the user has no richmenu"})
            return {"richMenuId": self.links[user_id]}

    def shown_to(self, user_id: str) -> RichMenu | None:
        """The menu a user's chat shows: their own, else the default."""
        with self.state.lock:
            menu_id = self.links.get(user_id) or self.default
            return self.menus.get(menu_id) if menu_id else None

    # ------------------------------------------------------------------ aliases
    def create_alias(self, body: Json) -> None:
        alias, menu_id = body.get("richMenuAliasId"), body.get("richMenuId")
        if not isinstance(alias, str) or not _ALIAS.fullmatch(alias):
            raise line_error("The request body has 1 error(s)",
                             [("richMenuAliasId", "must match ^[a-z0-9_-]{1,32}$")])
        self._with_image(str(menu_id))
        with self.state.lock:
            if alias in self.aliases:
                raise line_error("conflict richmenu alias id")
            self.aliases[alias] = str(menu_id)

    def update_alias(self, alias: str, body: Json) -> None:
        self.get_alias(alias)
        menu_id = str(body.get("richMenuId"))
        self._with_image(menu_id)
        with self.state.lock:
            self.aliases[alias] = menu_id

    def get_alias(self, alias: str) -> Json:
        with self.state.lock:
            if alias not in self.aliases:
                raise line_error("richmenu alias not found")
            return {"richMenuAliasId": alias, "richMenuId": self.aliases[alias]}

    def delete_alias(self, alias: str) -> None:
        self.get_alias(alias)
        with self.state.lock:
            del self.aliases[alias]

    def alias_list(self) -> Json:
        with self.state.lock:
            return {"aliases": [{"richMenuAliasId": a, "richMenuId": m}
                                for a, m in self.aliases.items()]}


# --------------------------------------------------------------------------- validation
def _checked_menu(body: Any) -> Json:
    if not isinstance(body, dict):
        raise line_error("The request body is not valid JSON")
    problems: list[tuple[str, str]] = []
    size = _object(body.get("size"))
    width, height = size.get("width"), size.get("height")
    if not (isinstance(width, int) and 800 <= width <= 2500):
        problems.append(("size.width", "must be between 800 and 2500"))
    if not (isinstance(height, int) and height >= 250):
        problems.append(("size.height", "must be at least 250"))
    elif isinstance(width, int) and width / height < 1.45:
        problems.append(("size", "width / height must be at least 1.45"))
    if not isinstance(body.get("selected"), bool):
        problems.append(("selected", "must be a boolean"))
    for prop, most in (("name", 300), ("chatBarText", 14)):
        value = body.get(prop)
        if not isinstance(value, str) or not 1 <= len(value) <= most:
            problems.append((prop, f"must be 1-{most} characters"))
    areas = body.get("areas")
    if not isinstance(areas, list) or not 1 <= len(areas) <= MAX_AREAS:
        problems.append(("areas", f"must be 1-{MAX_AREAS} areas"))
        areas = []
    for i, area in enumerate(areas):
        problems.extend(_area_problems(f"areas[{i}]", area, width, height))
    if problems:
        raise line_error(f"The request body has {len(problems)} error(s)", problems)
    keys = ("size", "selected", "name", "chatBarText", "areas")
    return {k: body[k] for k in keys}


def _area_problems(where: str, area: Any, width: Any, height: Any) -> list[tuple[str, str]]:
    if not isinstance(area, dict):
        return [(where, "must be an object")]
    problems: list[tuple[str, str]] = []
    bounds = _object(area.get("bounds"))
    x, y, w, h = (bounds.get(k) for k in ("x", "y", "width", "height"))
    if not (isinstance(x, int) and isinstance(y, int) and isinstance(w, int)
            and isinstance(h, int)) or x < 0 or y < 0 or w < 1 or h < 1:
        problems.append((f"{where}.bounds", "x, y >= 0 and width, height >= 1"))
    elif isinstance(width, int) and isinstance(height, int) \
            and (x + w > width or y + h > height):
        problems.append((f"{where}.bounds", "must lie inside the rich menu"))
    action = _object(area.get("action"))
    kind = action.get("type")
    if kind not in _ACTION_TYPES:
        return [*problems, (f"{where}.action.type", "unknown action type")]
    limits = {"postback": (("data", 1, 300, True), ("displayText", 1, 300, False)),
              "message": (("text", 1, 300, True),), "uri": (("uri", 1, 1000, True),),
              "richmenuswitch": (("richMenuAliasId", 1, 32, True), ("data", 1, 300, True))}
    for prop, least, most, required in limits.get(str(kind), ()):
        value = action.get(prop)
        if value is None and not required:
            continue
        if not isinstance(value, str) or not least <= len(value) <= most:
            problems.append((f"{where}.action.{prop}", f"must be {least}-{most} characters"))
    label = action.get("label")
    if label is not None and (not isinstance(label, str) or len(label) > 20):
        problems.append((f"{where}.action.label", "must be at most 20 characters"))
    return problems


def _object(value: Any) -> Json:
    return value if isinstance(value, dict) else {}


def image_size(data: bytes, mime: str) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR or a JPEG's start-of-frame marker."""
    if mime == "image/png":
        if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
            return None
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 9 <= len(data):
        if data[i] != 0xFF:
            return None
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3):  # start of frame: height, then width
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return int(width), int(height)
        i += 2 + length
    return None


# --------------------------------------------------------------------------- HTTP
def add_rich_menu_routes(api: Blueprint, state: PlatformState, call: Call,
                         body: Callable[[], Json]) -> None:
    """The rich-menu routes on the LINE blueprint (`call` checks the token, injects
    faults and records the call, as for every other endpoint)."""
    menus = state.line_menus

    def ok(action: Callable[[], None]) -> Callable[[], ResponseReturnValue]:
        def run() -> ResponseReturnValue:
            action()
            return jsonify({})

        return run

    @api.post("/v2/bot/richmenu")
    def create_menu() -> ResponseReturnValue:
        return call("richmenu", None, lambda: jsonify(menus.create(body())))

    @api.post("/v2/bot/richmenu/validate")
    def validate_menu() -> ResponseReturnValue:
        return call("richmenu.validate", None, lambda: jsonify(menus.validate(body())))

    @api.get("/v2/bot/richmenu/list")
    def list_menus() -> ResponseReturnValue:
        return call("richmenu.list", None, lambda: jsonify(menus.listing()))

    @api.get("/v2/bot/richmenu/<menu_id>")
    def get_menu(menu_id: str) -> ResponseReturnValue:
        return call("richmenu.get", None, lambda: jsonify(menus.get(menu_id).public()))

    @api.delete("/v2/bot/richmenu/<menu_id>")
    def delete_menu(menu_id: str) -> ResponseReturnValue:
        return call("richmenu.delete", None, ok(lambda: menus.delete(menu_id)))

    @api.post("/v2/bot/richmenu/<menu_id>/content")
    def upload(menu_id: str) -> ResponseReturnValue:
        data, mime = request.get_data(), request.headers.get("Content-Type", "")
        return call("richmenu.content", None,
                    ok(lambda: menus.set_image(menu_id, data, mime)))

    @api.get("/v2/bot/richmenu/<menu_id>/content")
    def download(menu_id: str) -> ResponseReturnValue:
        def run() -> ResponseReturnValue:
            menu = menus.image(menu_id)
            return Response(menu.image, mimetype=menu.mime)

        return call("richmenu.content.get", None, run)

    @api.post("/v2/bot/user/all/richmenu/<menu_id>")
    def set_default(menu_id: str) -> ResponseReturnValue:
        return call("richmenu.default", None, ok(lambda: menus.set_default(menu_id)))

    @api.get("/v2/bot/user/all/richmenu")
    def get_default() -> ResponseReturnValue:
        return call("richmenu.default.get", None, lambda: jsonify(menus.default_id()))

    @api.delete("/v2/bot/user/all/richmenu")
    def cancel_default() -> ResponseReturnValue:
        return call("richmenu.default.delete", None, ok(lambda: menus.cancel_default()))

    @api.post("/v2/bot/user/<user_id>/richmenu/<menu_id>")
    def link(user_id: str, menu_id: str) -> ResponseReturnValue:
        return call("richmenu.link", user_id,
                    ok(lambda: menus.link(user_id, menu_id)))

    @api.get("/v2/bot/user/<user_id>/richmenu")
    def linked(user_id: str) -> ResponseReturnValue:
        return call("richmenu.link.get", user_id, lambda: jsonify(menus.linked(user_id)))

    @api.delete("/v2/bot/user/<user_id>/richmenu")
    def unlink(user_id: str) -> ResponseReturnValue:
        return call("richmenu.unlink", user_id, ok(lambda: menus.unlink(user_id)))

    @api.post("/v2/bot/richmenu/alias")
    def create_alias() -> ResponseReturnValue:
        return call("richmenu.alias", None, ok(lambda: menus.create_alias(body())))

    @api.get("/v2/bot/richmenu/alias/list")
    def alias_list() -> ResponseReturnValue:
        return call("richmenu.alias.list", None, lambda: jsonify(menus.alias_list()))

    @api.get("/v2/bot/richmenu/alias/<alias>")
    def get_alias(alias: str) -> ResponseReturnValue:
        return call("richmenu.alias.get", None, lambda: jsonify(menus.get_alias(alias)))

    @api.post("/v2/bot/richmenu/alias/<alias>")
    def update_alias(alias: str) -> ResponseReturnValue:
        return call("richmenu.alias.update", None,
                    ok(lambda: menus.update_alias(alias, body())))

    @api.delete("/v2/bot/richmenu/alias/<alias>")
    def delete_alias(alias: str) -> ResponseReturnValue:
        return call("richmenu.alias.delete", None,
                    ok(lambda: menus.delete_alias(alias)))
