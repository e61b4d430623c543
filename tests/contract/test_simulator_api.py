"""The chat simulator's JSON API (Flask test client) and the webhooks it makes the fake
platforms send: signed as LINE and Telegram sign them, shaped as they shape them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from infra.local.platforms import PlatformServer, PlatformState, create_platform_app
from shared.adapters.line_messenger import LineMessenger
from shared.adapters.telegram_messenger import TelegramMessenger
from shared.domain.events import normalize_line, normalize_telegram
from shared.domain.messages import Button, Text
from tests.servers.platforms import WebhookSink

pytestmark = pytest.mark.emulator

ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def hook_json(sink: WebhookSink, index: int = -1) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(sink.received[index].body)
    return result


def expected_line_signature(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@pytest.fixture
def client(platform_state: PlatformState, webhook_sink: WebhookSink) -> FlaskClient:
    platform_state.line_webhook_url = webhook_sink.url + "/line"
    platform_state.telegram_webhook_url = webhook_sink.url + "/telegram"
    return create_platform_app(platform_state).test_client()


@pytest.fixture
def live(platform_server: PlatformServer, webhook_sink: WebhookSink) -> Iterator[FlaskClient]:
    """The test client of a running server, for round trips with the real adapters."""
    platform_server.state.line_webhook_url = webhook_sink.url + "/line"
    platform_server.state.telegram_webhook_url = webhook_sink.url + "/telegram"
    yield platform_server.app.test_client()


def test_page_and_assets_are_served_without_any_cdn(client: FlaskClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert b"MedBot chat simulator" in page.data
    for name in ("app.js", "style.css"):
        asset = client.get(f"/sim/static/{name}")
        assert asset.status_code == 200
        assert b"https://" not in asset.data and b"http://" not in asset.data
    assert b"https://" not in page.data


def test_line_text_from_user_is_a_signed_webhook(
    client: FlaskClient, platform_state: PlatformState, webhook_sink: WebhookSink
) -> None:
    answer = client.post("/sim/api/send", json={"channel": "line", "user": "zh-TW",
                                                "text": "我要吃藥"})

    assert answer.status_code == 200
    assert answer.json is not None and answer.json["status"] == 200
    (hook,) = webhook_sink.received
    assert hook.path == "/line"
    expected = expected_line_signature(hook.body, platform_state.line_channel_secret)
    assert hmac.compare_digest(hook.headers["x-line-signature"], expected)
    body = hook_json(webhook_sink)
    assert body["destination"].startswith("U")
    (event,) = body["events"]
    assert ULID.match(event["webhookEventId"])
    assert event["deliveryContext"] == {"isRedelivery": False}
    assert re.fullmatch(r"U[0-9a-f]{32}", event["source"]["userId"])
    assert event["message"] == {**event["message"], "type": "text", "text": "我要吃藥"}
    normalized = normalize_line(event)
    assert normalized is not None and normalized.kind == "text"
    assert normalized.reply_token == event["replyToken"]


def test_a_tampered_body_no_longer_matches_the_signature(
    client: FlaskClient, platform_state: PlatformState, webhook_sink: WebhookSink
) -> None:
    client.post("/sim/api/send", json={"channel": "line", "user": "en", "text": "hi"})
    hook = webhook_sink.received[0]
    tampered = hook.body.replace(b"hi", b"ho")
    assert expected_line_signature(tampered, platform_state.line_channel_secret) != (
        hook.headers["x-line-signature"])


def test_telegram_updates_carry_secret_increasing_ids_and_language(
    client: FlaskClient, platform_state: PlatformState, webhook_sink: WebhookSink
) -> None:
    client.post("/sim/api/send", json={"channel": "telegram", "user": "ru", "text": "привет"})
    client.post("/sim/api/send", json={"channel": "telegram", "user": "zh-TW", "text": "/start"})

    first, second = webhook_sink.received
    assert second.path == "/telegram"
    assert first.headers["x-telegram-bot-api-secret-token"] == platform_state.telegram_secret
    a, b = hook_json(webhook_sink, 0), hook_json(webhook_sink, 1)
    assert b["update_id"] == a["update_id"] + 1
    assert a["message"]["from"]["language_code"] == "ru"
    assert b["message"]["from"]["language_code"] == "zh-hant"
    event = normalize_telegram(b)
    assert event is not None and event.kind == "follow"


def test_line_round_trip_reply_quick_reply_and_tap(
    live: FlaskClient, platform_server: PlatformServer, webhook_sink: WebhookSink
) -> None:
    state = platform_server.state
    live.post("/sim/api/send", json={"channel": "line", "user": "en", "text": "hello"})
    event = hook_json(webhook_sink)["events"][0]
    bot = LineMessenger(state.line_access_token, api_base_url=platform_server.url,
                        data_api_base_url=platform_server.url)
    try:
        bot.send(event["source"]["userId"], [Text(text="Language?", buttons=[
            Button(label="English", data="lang:en"), Button(label="中文", data="lang:zh-TW")])],
            key="k", reply_token=event["replyToken"])
    finally:
        bot.close()

    chat = live.get("/sim/api/chat?channel=line&user=en").json
    assert chat is not None
    user_entry, bot_entry = chat["entries"]
    assert (user_entry["sender"], user_entry["text"]) == ("user", "hello")
    assert bot_entry["via"] == "reply" and bot_entry["quick_reply"] is True
    assert [b["label"] for b in bot_entry["buttons"]] == ["English", "中文"]

    live.post("/sim/api/tap", json={"channel": "line", "user": "en",
                                    "entry_id": bot_entry["id"], "button": 1})
    tap = hook_json(webhook_sink)["events"][0]
    assert tap["type"] == "postback" and tap["postback"] == {"data": "lang:zh-TW"}
    assert tap["webhookEventId"] != event["webhookEventId"]


def test_telegram_round_trip_inline_button_and_ack(
    live: FlaskClient, platform_server: PlatformServer, webhook_sink: WebhookSink
) -> None:
    state = platform_server.state
    bot = TelegramMessenger(state.telegram_token, base_url=platform_server.telegram_base_url,
                            base_file_url=platform_server.telegram_file_url)
    try:
        chat_id = state.chat_id("telegram", "ru")
        bot.send(chat_id, [Text(text="Приняли?", buttons=[
            Button(label="Принял", data="taken:m1:0800")])], key="k")
        entry = state.bot_entries("telegram", "ru")[0]

        live.post("/sim/api/tap", json={"channel": "telegram", "user": "ru",
                                        "entry_id": entry.id, "button": 0})
        query = hook_json(webhook_sink)["callback_query"]
        assert query["data"] == "taken:m1:0800"
        assert query["message"]["message_id"] == entry.message_id
        normalized = normalize_telegram(hook_json(webhook_sink))
        assert normalized is not None and normalized.kind == "postback"

        bot.acknowledge(query["id"])
        assert state.answered_callbacks == [query["id"]]
    finally:
        bot.close()


def test_voice_upload_becomes_an_audio_message_the_bot_can_download(
    live: FlaskClient, platform_server: PlatformServer, webhook_sink: WebhookSink
) -> None:
    audio = b"\x00\x00\x00\x18ftypM4A " + bytes(200)
    answer = live.post("/sim/api/audio", data={
        "channel": "line", "user": "en", "duration_ms": "2500",
        "file": (io.BytesIO(audio), "voice.m4a", "audio/mp4"),
    }, content_type="multipart/form-data")
    assert answer.status_code == 200

    message = hook_json(webhook_sink)["events"][0]["message"]
    assert message["type"] == "audio" and message["duration"] == 2500
    bot = LineMessenger(platform_server.state.line_access_token,
                        api_base_url=platform_server.url, data_api_base_url=platform_server.url)
    try:
        assert bot.fetch_audio(message["id"], max_bytes=10_000) == audio
    finally:
        bot.close()
    chat = live.get("/sim/api/chat?channel=line&user=en").json
    assert chat is not None
    assert live.get(chat["entries"][0]["audio_url"]).data == audio


def test_redelivery_keeps_the_event_id_and_is_signed_again(
    client: FlaskClient, platform_state: PlatformState, webhook_sink: WebhookSink
) -> None:
    client.post("/sim/api/send", json={"channel": "line", "user": "en", "text": "hi"})
    platform_state.redeliver_last("line")

    first, again = hook_json(webhook_sink, 0), hook_json(webhook_sink, 1)
    assert again["events"][0]["webhookEventId"] == first["events"][0]["webhookEventId"]
    assert again["events"][0]["deliveryContext"] == {"isRedelivery": True}
    hook = webhook_sink.received[1]
    assert hook.headers["x-line-signature"] == expected_line_signature(
        hook.body, platform_state.line_channel_secret)


def test_clock_and_outbox_panels() -> None:
    now = [datetime(2030, 1, 1, 8, 0, tzinfo=UTC)]

    def advance(seconds: float) -> None:
        now[0] += timedelta(seconds=seconds)

    mails = [{"to": "a@example.org", "subject": "Leaflet", "text": "Body", "date": "x"}]
    app = create_platform_app(PlatformState(), outbox=lambda: mails,
                              clock_now=lambda: now[0], clock_advance=advance)
    client = app.test_client()

    clock = client.get("/sim/api/clock").json
    assert clock == {"now": "2030-01-01T08:00:00+00:00", "simulated": True, "controllable": True}
    moved = client.post("/sim/api/clock/advance", json={"seconds": 3600}).json
    assert moved == {"now": "2030-01-01T09:00:00+00:00"}
    outbox = client.get("/sim/api/outbox").json
    assert outbox is not None and outbox["available"] is True
    assert outbox["messages"][0]["subject"] == "Leaflet"


def test_clock_without_a_simulated_clock_cannot_move(client: FlaskClient) -> None:
    clock = client.get("/sim/api/clock").json
    assert clock is not None
    assert (clock["simulated"], clock["controllable"]) == (False, False)
    assert datetime.fromisoformat(clock["now"]) > datetime(2020, 1, 1, tzinfo=UTC)
    assert client.post("/sim/api/clock/advance", json={"seconds": 60}).status_code == 409


def test_bad_requests(client: FlaskClient, platform_state: PlatformState) -> None:
    assert client.post("/sim/api/send", json={"channel": "line", "user": "nobody",
                                              "text": "x"}).status_code == 404
    assert client.post("/sim/api/send", json={"channel": "sms", "user": "en",
                                              "text": "x"}).status_code == 400
    assert client.post("/sim/api/send", json={"channel": "line", "user": "en",
                                              "text": " "}).status_code == 400
    platform_state.line_webhook_url = None
    answer = client.post("/sim/api/send", json={"channel": "line", "user": "en", "text": "x"})
    assert answer.json is not None and answer.json["status"] is None


def test_chat_polling_reports_unchanged_versions(client: FlaskClient) -> None:
    first = client.get("/sim/api/chat?channel=line&user=en").json
    assert first is not None
    again = client.get(f"/sim/api/chat?channel=line&user=en&since={first['version']}").json
    assert again is not None and again["unchanged"] is True
    client.post("/sim/api/send", json={"channel": "line", "user": "en", "text": "hi"})
    changed = client.get(f"/sim/api/chat?channel=line&user=en&since={first['version']}").json
    assert changed is not None and len(changed["entries"]) == 1


# The routes are an external interface (the SDKs' base URLs, the page, acceptance
# scenarios driving /sim/api/*): moving code between modules must not drop or rename one.
SERVED_ROUTES = {
    ("/", ("GET",)),
    ("/sim/static/<name>", ("GET",)),
    ("/sim/api/users", ("GET",)),
    ("/sim/api/chat", ("GET",)),
    ("/sim/api/send", ("POST",)),
    ("/sim/api/tap", ("POST",)),
    ("/sim/api/audio", ("POST",)),
    ("/sim/api/follow", ("POST",)),
    ("/sim/api/block", ("POST",)),
    ("/sim/api/unblock", ("POST",)),
    ("/sim/api/calls", ("GET",)),
    ("/sim/api/group", ("POST",)),
    ("/sim/api/groups", ("GET",)),
    ("/sim/api/clear", ("POST",)),
    ("/sim/api/line-content/<media_id>", ("GET",)),
    ("/sim/api/telegram-file/<file_id>", ("GET",)),
    ("/sim/api/outbox", ("GET",)),
    ("/sim/api/clock", ("GET",)),
    ("/sim/api/clock/advance", ("POST",)),
    ("/v2/bot/message/reply", ("POST",)),
    ("/v2/bot/message/push", ("POST",)),
    ("/v2/bot/chat/loading/start", ("POST",)),
    ("/v2/bot/message/<message_id>/content", ("GET",)),
    ("/v2/bot/profile/<user_id>", ("GET",)),
    ("/v2/bot/info", ("GET",)),
    ("/v2/bot/group/<group_id>/leave", ("POST",)),
    ("/v2/bot/room/<room_id>/leave", ("POST",)),
    ("/bot<token>/<method>", ("GET", "POST")),
    ("/file/bot<token>/<path:file_path>", ("GET",)),
    # The native menus (issue 12): the simulator's view and LINE's rich-menu API.
    ("/sim/api/menu", ("GET",)),
    ("/sim/api/menu/tap", ("POST",)),
    ("/sim/api/rich-menu-image/<menu_id>", ("GET",)),
    ("/v2/bot/richmenu", ("POST",)),
    ("/v2/bot/richmenu/validate", ("POST",)),
    ("/v2/bot/richmenu/list", ("GET",)),
    ("/v2/bot/richmenu/<menu_id>", ("GET",)),
    ("/v2/bot/richmenu/<menu_id>", ("DELETE",)),
    ("/v2/bot/richmenu/<menu_id>/content", ("GET",)),
    ("/v2/bot/richmenu/<menu_id>/content", ("POST",)),
    ("/v2/bot/richmenu/alias", ("POST",)),
    ("/v2/bot/richmenu/alias/list", ("GET",)),
    ("/v2/bot/richmenu/alias/<alias>", ("GET",)),
    ("/v2/bot/richmenu/alias/<alias>", ("POST",)),
    ("/v2/bot/richmenu/alias/<alias>", ("DELETE",)),
    ("/v2/bot/user/<user_id>/richmenu", ("GET",)),
    ("/v2/bot/user/<user_id>/richmenu", ("DELETE",)),
    ("/v2/bot/user/<user_id>/richmenu/<menu_id>", ("POST",)),
    ("/v2/bot/user/all/richmenu", ("GET",)),
    ("/v2/bot/user/all/richmenu", ("DELETE",)),
    ("/v2/bot/user/all/richmenu/<menu_id>", ("POST",)),
}


def test_the_app_serves_every_platform_and_simulator_route() -> None:
    app = create_platform_app(PlatformState())
    served = {(rule.rule, tuple(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})))
              for rule in app.url_map.iter_rules()}
    assert served == SERVED_ROUTES
    assert set(app.blueprints) == {"line", "telegram", "simulator"}


def test_errors_keep_their_shapes_on_every_route(client: FlaskClient) -> None:
    # The simulator answers {"error"} (404 unknown, 400 invalid); each platform keeps
    # its own error shape (LINE {"message"}, Telegram {"ok": false, ...}).
    assert client.get("/sim/api/telegram-file/nope").json == {"error": "no such file"}
    assert client.post("/sim/api/tap", json={"channel": "sms"}).status_code == 400
    line = client.post("/v2/bot/message/push", json={"to": "x", "messages": []})
    assert line.status_code == 401 and "message" in (line.json or {})
    telegram = client.post("/bot123456789:LOCAL-telegram-token/noSuchMethod", json={})
    assert telegram.status_code == 404
    assert telegram.json == {"ok": False, "error_code": 404, "description": "Not Found"}


def test_the_platforms_run_standalone() -> None:
    answer = subprocess.run([sys.executable, "-m", "infra.local.platforms", "--help"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert answer.returncode == 0
    assert "--line-webhook" in answer.stdout and "--telegram-webhook" in answer.stdout
