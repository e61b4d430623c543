"""Group chats on the fake platforms (POST /sim/api/group, GET /sim/api/groups): a user
adds the bot to a group, the platform posts what it posts (LINE join; Telegram
my_chat_member and the new_chat_members service message), the bot answers there and
leaves through the real adapters (LINE leave group / leave room; Telegram leaveChat),
and the platform posts the leave (LINE leave event; Telegram my_chat_member -> left)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from infra.local.platforms import PlatformServer
from shared.adapters.line_messenger import LineMessenger
from shared.adapters.telegram_messenger import TelegramMessenger
from shared.domain.errors import MessengerError
from shared.domain.messages import Text
from tests.servers.platforms import WebhookSink

pytestmark = pytest.mark.emulator


def js(response: TestResponse) -> dict[str, Any]:
    body = response.json
    assert isinstance(body, dict)
    return body


def hooks(sink: WebhookSink, since: int = 0) -> list[dict[str, Any]]:
    return [json.loads(h.body) for h in sink.received[since:]]


def wait_for_hooks(sink: WebhookSink, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(sink.received) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(sink.received) >= count, "the platform did not post the follow-up"


@pytest.fixture
def live(platform_server: PlatformServer, webhook_sink: WebhookSink) -> Iterator[FlaskClient]:
    platform_server.state.line_webhook_url = webhook_sink.url + "/line"
    platform_server.state.telegram_webhook_url = webhook_sink.url + "/telegram"
    yield platform_server.app.test_client()


@pytest.mark.parametrize("room", [False, True])
def test_line_join_reply_and_leave(live: FlaskClient, platform_server: PlatformServer,
                                   webhook_sink: WebhookSink, room: bool) -> None:
    state = platform_server.state
    answer = js(live.post("/sim/api/group", json={"channel": "line", "user": "en",
                                                   "title": "Ward 5", "room": room}))
    group = answer["group"]
    kind, key = ("room", "roomId") if room else ("group", "groupId")
    assert answer["status"] == 200 and group["kind"] == kind and group["bot_in"] is True
    assert group["id"].startswith("R" if room else "C") and len(group["id"]) == 33
    (join,) = hooks(webhook_sink)[-1]["events"]
    assert join["type"] == "join" and join["source"] == {"type": kind, key: group["id"]}

    bot = LineMessenger(state.line_access_token, api_base_url=platform_server.url,
                        data_api_base_url=platform_server.url)
    try:
        bot.send(group["id"], [Text(text="I work in private chats")], key="g",
                 reply_token=join["replyToken"])
        bot.leave(group["id"])
        wait_for_hooks(webhook_sink, 2)
        (leave,) = hooks(webhook_sink)[-1]["events"]
        assert leave["type"] == "leave" and "replyToken" not in leave
        assert leave["source"] == {"type": kind, key: group["id"]}
        with pytest.raises(MessengerError) as caught:
            bot.send(group["id"], [Text(text="still here?")], key="g2")
        assert caught.value.permanent
    finally:
        bot.close()

    assert state.bot_texts("line", group["id"]) == ["I work in private chats"]
    listed = js(live.get("/sim/api/groups"))["groups"]
    assert [(g["id"], g["bot_in"]) for g in listed] == [(group["id"], False)]
    calls = js(live.get(f"/sim/api/calls?channel=line&group={group['id']}"))["calls"]
    assert [(c["endpoint"], c["status"]) for c in calls] == [
        ("reply", 200), ("leave", 200), ("push", 400)]


def test_line_group_messages_carry_the_group_and_the_user(
    live: FlaskClient, platform_server: PlatformServer, webhook_sink: WebhookSink
) -> None:
    group = js(live.post("/sim/api/group", json={"channel": "line", "user": "ru"}))["group"]
    said = live.post("/sim/api/send", json={"channel": "line", "user": "ru",
                                            "group": group["id"], "text": "hi all"})
    assert js(said)["status"] == 200
    (event,) = hooks(webhook_sink)[-1]["events"]
    assert event["source"] == {"type": "group", "groupId": group["id"],
                               "userId": platform_server.state.chat_id("line", "ru")}
    assert event["message"]["text"] == "hi all"


def test_telegram_added_to_a_group_answer_and_leave_chat(
    live: FlaskClient, platform_server: PlatformServer, webhook_sink: WebhookSink
) -> None:
    state = platform_server.state
    group = js(live.post("/sim/api/group", json={"channel": "telegram", "user": "en",
                                                  "title": "Family"}))["group"]
    assert int(group["id"]) < 0 and group["kind"] == "supergroup"
    member, service = hooks(webhook_sink)
    change = member["my_chat_member"]
    assert change["chat"] == {"id": int(group["id"]), "type": "supergroup", "title": "Family"}
    assert (change["old_chat_member"]["status"], change["new_chat_member"]["status"]) == (
        "left", "member")
    assert change["from"]["id"] == 100000001
    assert service["message"]["new_chat_members"] == [state.telegram_bot_user]
    assert service["update_id"] == member["update_id"] + 1

    bot = TelegramMessenger(state.telegram_token, base_url=platform_server.telegram_base_url,
                            base_file_url=platform_server.telegram_file_url)
    try:
        bot.send(group["id"], [Text(text="I work in private chats")], key="g")
        bot.leave(group["id"])
        wait_for_hooks(webhook_sink, 3)
        left = hooks(webhook_sink)[-1]["my_chat_member"]
        assert left["new_chat_member"]["status"] == "left"
        assert left["from"] == state.telegram_bot_user
        with pytest.raises(MessengerError) as caught:
            bot.send(group["id"], [Text(text="still here?")], key="g2")
        assert (caught.value.status, caught.value.permanent) == (403, True)
    finally:
        bot.close()
    assert state.bot_texts("telegram", group["id"]) == ["I work in private chats"]
    calls = js(live.get(f"/sim/api/calls?channel=telegram&group={group['id']}"))["calls"]
    assert [(c["endpoint"], c["status"]) for c in calls] == [
        ("sendMessage", 200), ("leaveChat", 200), ("sendMessage", 403)]


def test_group_errors(live: FlaskClient) -> None:
    assert live.get("/sim/api/calls?channel=line&group=Cnope").status_code == 404
    assert live.post("/sim/api/send", json={"channel": "telegram", "user": "en",
                                            "group": "-42", "text": "hi"}).status_code == 404
    assert live.post("/sim/api/group", json={"channel": "line", "user": "nobody"}
                     ).status_code == 404
