"""Native navigation end to end on the platform stand-ins: the ops commands (real
line-bot-sdk and python-telegram-bot) create LINE's rich menus and Telegram's command
menu; the stand-ins refuse what the platforms refuse; the simulator API shows each user
the menu their app would show and taps it as the platforms send taps."""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from infra import ops
from infra.local.platforms import PlatformServer, PlatformState
from infra.local.platforms.line_menus import image_size
from infra.menu_image import render
from shared.domain.events import normalize_line
from shared.domain.navigation import (
    COMMANDS,
    RICH_MENU_HEIGHT,
    RICH_MENU_MAX_IMAGE_BYTES,
    RICH_MENU_WIDTH,
    rich_menu_alias,
    rich_menu_layout,
)
from tests.servers.platforms import WebhookSink

pytestmark = pytest.mark.emulator


@pytest.fixture
def sim(platform_server: PlatformServer, webhook_sink: WebhookSink) -> Iterator[FlaskClient]:
    platform_server.state.line_webhook_url = webhook_sink.url + "/line"
    platform_server.state.telegram_webhook_url = webhook_sink.url + "/telegram"
    yield platform_server.app.test_client()


def install_rich_menus(server: PlatformServer, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", server.state.line_access_token)
    out = io.StringIO()
    assert ops.main(["line-rich-menu", "--api-base-url", server.url,
                     "--data-api-base-url", server.url], out=out) == 0
    return out.getvalue()


def register_telegram(server: PlatformServer, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", server.state.telegram_token)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret")
    out = io.StringIO()
    assert ops.main(["telegram-webhook", "--url", "https://example.org/telegram_webhook",
                     "--api-base-url", server.telegram_base_url], out=out) == 0
    return out.getvalue()


# --------------------------------------------------------------------------- LINE
def test_the_ops_command_creates_a_rich_menu_per_language(
        platform_server: PlatformServer, sim: FlaskClient,
        monkeypatch: pytest.MonkeyPatch) -> None:
    printed = install_rich_menus(platform_server, monkeypatch)
    menus = platform_server.state.line_menus
    assert len(menus.menus) == 3
    for language in ("zh-TW", "en", "ru"):
        alias = rich_menu_alias(language)
        assert alias in printed
        menu = menus.menus[menus.aliases[alias]]
        layout = rich_menu_layout(language)
        assert menu.body["chatBarText"] == layout.chat_bar_text
        assert [a["action"]["data"] for a in menu.body["areas"]] == \
            ["mode:edu", "mode:tr", "mode:med", "help"]
        assert [a["action"]["displayText"] for a in menu.body["areas"]] == \
            [a.label for a in layout.areas]
        assert menu.image is not None and len(menu.image) <= RICH_MENU_MAX_IMAGE_BYTES
        assert image_size(menu.image, "image/png") == (RICH_MENU_WIDTH, RICH_MENU_HEIGHT)
    assert menus.default == menus.aliases["medbot-zh-tw"]
    # Nobody is linked yet: every user sees the default (zh-TW) menu.
    shown = sim.get("/sim/api/menu?channel=line&user=en").json
    assert shown is not None and shown["rich_menu"]["chat_bar_text"] == "選單"
    image = sim.get(shown["rich_menu"]["image"])
    assert image.status_code == 200 and image.data[:4] == b"\x89PNG"


def test_running_it_again_replaces_the_menus(
        platform_server: PlatformServer, monkeypatch: pytest.MonkeyPatch) -> None:
    install_rich_menus(platform_server, monkeypatch)
    menus = platform_server.state.line_menus
    before = dict(menus.aliases)
    printed = install_rich_menus(platform_server, monkeypatch)
    assert len(menus.menus) == 3  # the old ones are deleted
    assert set(menus.aliases) == set(before)
    assert not set(menus.aliases.values()) & set(before.values())
    assert menus.default == menus.aliases["medbot-zh-tw"]
    assert "replaced" in printed


def test_a_linked_user_sees_their_language_and_a_tap_is_the_postback_line_sends(
        platform_server: PlatformServer, sim: FlaskClient, webhook_sink: WebhookSink,
        monkeypatch: pytest.MonkeyPatch) -> None:
    install_rich_menus(platform_server, monkeypatch)
    state = platform_server.state
    ivan = state.user("ru")
    state.line_menus.link(ivan.line_user_id, state.line_menus.aliases["medbot-ru"])
    shown = sim.get("/sim/api/menu?channel=line&user=ru").json
    assert shown is not None and shown["rich_menu"]["chat_bar_text"] == "Меню"

    answer = sim.post("/sim/api/menu/tap", json={"channel": "line", "user": "ru", "area": 2})
    assert answer.status_code == 200
    (event,) = json.loads(webhook_sink.received[-1].body)["events"]
    assert event["type"] == "postback" and event["postback"]["data"] == "mode:med"
    normalized = normalize_line(event)
    assert normalized is not None and normalized.data == "mode:med"
    bubble = state.entries("line", "ru")[-1]
    assert bubble.sender == "user" and bubble.text == "Лекарства"  # displayText
    assert sim.post("/sim/api/menu/tap", json={"channel": "line", "user": "ru",
                                               "area": 9}).status_code == 404


def _menu(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "size": {"width": 2500, "height": 843}, "selected": True, "name": "m",
        "chatBarText": "Menu",
        "areas": [{"bounds": {"x": 0, "y": 0, "width": 2500, "height": 843},
                   "action": {"type": "postback", "data": "help"}}]}
    body.update(changes)
    return body


def _auth(state: PlatformState) -> dict[str, str]:
    return {"Authorization": f"Bearer {state.line_access_token}"}


@pytest.mark.parametrize(("changes", "prop"), [
    ({"size": {"width": 700, "height": 300}}, "size.width"),
    ({"size": {"width": 1200, "height": 900}}, "size"),  # aspect ratio under 1.45
    ({"chatBarText": "a chat bar text that is long"}, "chatBarText"),
    ({"name": ""}, "name"),
    ({"areas": []}, "areas"),
    ({"areas": [{"bounds": {"x": 0, "y": 0, "width": 10, "height": 10},
                 "action": {"type": "postback", "data": "x"}}] * 21}, "areas"),
    ({"areas": [{"bounds": {"x": 2400, "y": 0, "width": 200, "height": 843},
                 "action": {"type": "postback", "data": "x"}}]}, "areas[0].bounds"),
    ({"areas": [{"bounds": {"x": 0, "y": 0, "width": 9, "height": 9},
                 "action": {"type": "postback", "data": "x" * 301}}]}, "areas[0].action.data"),
    ({"areas": [{"bounds": {"x": 0, "y": 0, "width": 9, "height": 9},
                 "action": {"type": "postback", "data": "x", "label": "l" * 21}}]},
     "areas[0].action.label"),
])
def test_the_line_stand_in_refuses_a_menu_line_refuses(
        platform_server: PlatformServer, changes: dict[str, Any], prop: str) -> None:
    client = platform_server.app.test_client()
    answer = client.post("/v2/bot/richmenu", json=_menu(**changes),
                         headers=_auth(platform_server.state))
    assert answer.status_code == 400
    assert answer.json is not None
    assert prop in [d["property"] for d in answer.json["details"]]
    assert platform_server.state.line_menus.menus == {}


def _png(width: int, height: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + \
        struct.pack(">II", width, height) + b"\x08\x02\x00\x00\x00" + b"\x00" * 20


def test_the_line_stand_in_refuses_images_line_refuses(platform_server: PlatformServer) -> None:
    state = platform_server.state
    client = platform_server.app.test_client()
    menu_id = client.post("/v2/bot/richmenu", json=_menu(),
                          headers=_auth(state)).json["richMenuId"]  # type: ignore[index]
    url = f"/v2/bot/richmenu/{menu_id}/content"

    def upload(data: bytes, mime: str) -> int:
        return client.post(url, data=data, headers={**_auth(state), "Content-Type": mime}) \
            .status_code

    # Linking or defaulting a menu without its image is refused.
    assert client.post(f"/v2/bot/user/all/richmenu/{menu_id}",
                       headers=_auth(state)).status_code == 400
    assert upload(_png(2500, 843), "image/gif") == 415
    assert upload(_png(1200, 405), "image/png") == 400  # not the menu's size
    assert upload(b"\x89PNG" + b"\x00" * RICH_MENU_MAX_IMAGE_BYTES, "image/png") == 413
    assert upload(render(rich_menu_layout("en")), "image/png") == 200
    assert upload(render(rich_menu_layout("en")), "image/png") == 400  # cannot be replaced
    assert client.post("/v2/bot/richmenu/alias", json={
        "richMenuAliasId": "Medbot-EN", "richMenuId": menu_id},
        headers=_auth(state)).status_code == 400  # alias ids are lowercase
    assert client.get("/v2/bot/richmenu/list").status_code == 401  # the token is required


# --------------------------------------------------------------------------- Telegram
def test_the_webhook_command_sets_the_command_menu_in_every_language(
        platform_server: PlatformServer, sim: FlaskClient,
        monkeypatch: pytest.MonkeyPatch) -> None:
    printed = register_telegram(platform_server, monkeypatch)
    assert "zh, en, ru, default" in printed
    by_user = {}
    for user in ("zh-TW", "en", "ru"):
        shown = sim.get(f"/sim/api/menu?channel=telegram&user={user}").json
        assert shown is not None
        assert [c["command"] for c in shown["commands"]] == list(COMMANDS)
        assert shown["menu_button"] == {"type": "commands"}
        by_user[user] = shown["commands"][0]["description"]
    assert by_user == {"zh-TW": "開始使用", "en": "Start MedBot", "ru": "Начать"}


def test_an_app_in_another_language_gets_the_default_list(
        platform_server: PlatformServer, sim: FlaskClient,
        monkeypatch: pytest.MonkeyPatch) -> None:
    register_telegram(platform_server, monkeypatch)
    commands, _ = platform_server.state.telegram_menus.shown_to("100000001", "de")
    assert commands[0]["description"] == "Start MedBot"


def test_picking_a_command_sends_it_as_the_app_does(
        platform_server: PlatformServer, sim: FlaskClient, webhook_sink: WebhookSink,
        monkeypatch: pytest.MonkeyPatch) -> None:
    register_telegram(platform_server, monkeypatch)
    platform_server.state.telegram_webhook_url = webhook_sink.url + "/telegram"
    answer = sim.post("/sim/api/menu/tap", json={"channel": "telegram", "user": "en",
                                                 "command": "education"})
    assert answer.status_code == 200
    assert json.loads(webhook_sink.received[-1].body)["message"]["text"] == "/education"
    assert sim.post("/sim/api/menu/tap", json={"channel": "telegram", "user": "en",
                                               "command": "nope"}).status_code == 404


@pytest.mark.parametrize(("params", "description"), [
    ({"commands": json.dumps([{"command": "Help", "description": "x"}])},
     "Bad Request: BOT_COMMAND_INVALID"),
    ({"commands": json.dumps([{"command": "/help", "description": "x"}])},
     "Bad Request: BOT_COMMAND_INVALID"),
    ({"commands": json.dumps([{"command": "help", "description": ""}])},
     "Bad Request: command description must be non-empty"),
    ({"commands": json.dumps([{"command": "help", "description": "x"}]),
      "language_code": "zh-TW"}, "Bad Request: invalid language code specified"),
    ({"commands": json.dumps([{"command": f"c{i}", "description": "x"} for i in range(101)])},
     "Bad Request: commands must be an array of at most 100"),
])
def test_the_telegram_stand_in_refuses_commands_telegram_refuses(
        platform_server: PlatformServer, params: dict[str, str], description: str) -> None:
    client = platform_server.app.test_client()
    state = platform_server.state
    answer = client.post(f"/bot{state.telegram_token}/setMyCommands", data=params)
    assert answer.status_code == 400
    assert answer.json == {"ok": False, "error_code": 400, "description": description}
    assert state.telegram_menus.shown_to("100000001", "en") == ([], {"type": "default"})
