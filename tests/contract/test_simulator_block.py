"""A simulated user blocks and unblocks the bot (POST /sim/api/block, /sim/api/unblock),
and GET /sim/api/calls lists what the bot asked the platform for that chat.

What the fake platforms do, from the platforms' own references:
* LINE: blocking posts an unfollow event (no reply token); unblocking a follow event
  with follow.isUnblocked = true. A push or reply to a user who blocked the account is
  answered 200 and delivered to no one (LINE FAQ: "no error will occur and status code
  200 will be returned ... no message will be sent"); their profile is 404.
* Telegram: my_chat_member updates (member -> kicked, kicked -> member); while blocked,
  every call into the chat answers 403 {"ok": false, "error_code": 403, "description":
  "Forbidden: bot was blocked by the user"}. setWebhook's allowed_updates decides whether
  my_chat_member is posted at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from infra.local.platforms import PlatformServer, PlatformState, create_platform_app
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


def last_hook(sink: WebhookSink) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(sink.received[-1].body)
    return result


@pytest.fixture
def live(platform_server: PlatformServer, webhook_sink: WebhookSink) -> Iterator[FlaskClient]:
    platform_server.state.line_webhook_url = webhook_sink.url + "/line"
    platform_server.state.telegram_webhook_url = webhook_sink.url + "/telegram"
    yield platform_server.app.test_client()


@pytest.fixture
def line_bot(platform_server: PlatformServer) -> Iterator[LineMessenger]:
    bot = LineMessenger(platform_server.state.line_access_token,
                        api_base_url=platform_server.url, data_api_base_url=platform_server.url)
    yield bot
    bot.close()


@pytest.fixture
def telegram_bot(platform_server: PlatformServer) -> Iterator[TelegramMessenger]:
    bot = TelegramMessenger(platform_server.state.telegram_token,
                            base_url=platform_server.telegram_base_url,
                            base_file_url=platform_server.telegram_file_url)
    yield bot
    bot.close()


# ---------------------------------------------------------------------------- LINE
def test_line_block_is_an_unfollow_and_pushes_then_reach_no_one(
    live: FlaskClient, platform_server: PlatformServer, webhook_sink: WebhookSink,
    line_bot: LineMessenger,
) -> None:
    state = platform_server.state
    chat_id = state.chat_id("line", "en")

    answer = live.post("/sim/api/block", json={"channel": "line", "user": "en"})

    assert answer.status_code == 200 and answer.json is not None
    assert js(answer)["status"] == 200
    (event,) = last_hook(webhook_sink)["events"]
    assert event["type"] == "unfollow" and "replyToken" not in event
    assert event["source"] == {"type": "user", "userId": chat_id}
    assert js(live.get("/sim/api/chat?channel=line&user=en"))["blocked"] is True

    # LINE accepts the push (200) and delivers nothing: no error for the bot to see.
    line_bot.send(chat_id, [Text(text="Time for your dose")], key="r1")
    assert state.bot_texts("line", "en") == []
    assert [(c.endpoint, c.status) for c in state.calls_of("line", "en")] == [("push", 200)]
    profile = requests.get(f"{platform_server.url}/v2/bot/profile/{chat_id}", timeout=5,
                           headers={"Authorization": f"Bearer {state.line_access_token}"})
    assert profile.status_code == 404


def test_line_unblock_is_a_follow_marked_unblocked_and_pushes_arrive_again(
    live: FlaskClient, platform_server: PlatformServer, webhook_sink: WebhookSink,
    line_bot: LineMessenger,
) -> None:
    state = platform_server.state
    live.post("/sim/api/block", json={"channel": "line", "user": "zh-TW"})

    answer = live.post("/sim/api/unblock", json={"channel": "line", "user": "zh-TW"})

    assert answer.status_code == 200
    (event,) = last_hook(webhook_sink)["events"]
    assert event["type"] == "follow" and event["follow"] == {"isUnblocked": True}
    assert event["replyToken"]
    assert js(live.get("/sim/api/chat?channel=line&user=zh-TW"))["blocked"] is False
    line_bot.send(state.chat_id("line", "zh-TW"), [Text(text="歡迎回來")], key="w",
                  reply_token=event["replyToken"])
    assert state.bot_texts("line", "zh-TW") == ["歡迎回來"]


def test_line_reply_to_a_user_who_blocked_meanwhile_is_dropped(
    live: FlaskClient, platform_server: PlatformServer, webhook_sink: WebhookSink,
    line_bot: LineMessenger,
) -> None:
    state = platform_server.state
    live.post("/sim/api/send", json={"channel": "line", "user": "en", "text": "hi"})
    token = last_hook(webhook_sink)["events"][0]["replyToken"]
    live.post("/sim/api/block", json={"channel": "line", "user": "en"})

    line_bot.send(state.chat_id("line", "en"), [Text(text="Hello")], key="k",
                  reply_token=token)

    assert state.bot_texts("line", "en") == []
    assert [(c.endpoint, c.status) for c in state.calls_of("line", "en")] == [("reply", 200)]


def test_line_add_friend_while_blocked_unblocks(
    live: FlaskClient, webhook_sink: WebhookSink
) -> None:
    live.post("/sim/api/block", json={"channel": "line", "user": "ru"})
    live.post("/sim/api/follow", json={"channel": "line", "user": "ru"})
    (event,) = last_hook(webhook_sink)["events"]
    assert event["follow"] == {"isUnblocked": True}
    assert js(live.get("/sim/api/chat?channel=line&user=ru"))["blocked"] is False


# ---------------------------------------------------------------------------- Telegram
def test_telegram_block_is_my_chat_member_kicked_and_sends_get_403(
    live: FlaskClient, platform_server: PlatformServer, webhook_sink: WebhookSink,
    telegram_bot: TelegramMessenger,
) -> None:
    state = platform_server.state
    chat_id = state.chat_id("telegram", "ru")

    answer = live.post("/sim/api/block", json={"channel": "telegram", "user": "ru"})

    assert answer.status_code == 200 and js(answer)["status"] == 200
    hook = webhook_sink.received[-1]
    assert hook.headers["x-telegram-bot-api-secret-token"] == state.telegram_secret
    change = last_hook(webhook_sink)["my_chat_member"]
    assert change["chat"] == {"id": int(chat_id), "type": "private", "first_name": "Иван"}
    assert change["from"]["id"] == int(chat_id) and change["from"]["is_bot"] is False
    assert change["old_chat_member"]["status"] == "member"
    assert change["new_chat_member"] == {"user": state.telegram_bot_user, "status": "kicked",
                                         "until_date": 0}

    with pytest.raises(MessengerError) as caught:
        telegram_bot.send(chat_id, [Text(text="Пора принять лекарство")], key="r1")
    assert (caught.value.status, caught.value.retryable) == (403, False)
    assert state.bot_texts("telegram", "ru") == []
    # The exact answer, for any call into the chat.
    for method in ("sendMessage", "sendChatAction", "deleteMessage"):
        raw = requests.post(f"{platform_server.telegram_base_url}{state.telegram_token}/"
                            f"{method}", json={"chat_id": chat_id, "text": "x",
                                               "action": "typing", "message_id": 1},
                            timeout=5)
        assert raw.status_code == 403
        assert raw.json() == {"ok": False, "error_code": 403,
                              "description": "Forbidden: bot was blocked by the user"}
    assert [(c.endpoint, c.status) for c in state.calls_of("telegram", "ru")] == [
        ("sendMessage", 403), ("sendMessage", 403), ("sendChatAction", 403),
        ("deleteMessage", 403)]


def test_telegram_unblock_is_my_chat_member_member_and_sends_arrive_again(
    live: FlaskClient, platform_server: PlatformServer, webhook_sink: WebhookSink,
    telegram_bot: TelegramMessenger,
) -> None:
    state = platform_server.state
    live.post("/sim/api/block", json={"channel": "telegram", "user": "en"})

    live.post("/sim/api/unblock", json={"channel": "telegram", "user": "en"})

    change = last_hook(webhook_sink)["my_chat_member"]
    assert (change["old_chat_member"]["status"], change["new_chat_member"]["status"]) == (
        "kicked", "member")
    telegram_bot.send(state.chat_id("telegram", "en"), [Text(text="Welcome back")], key="w")
    assert state.bot_texts("telegram", "en") == ["Welcome back"]


def test_telegram_start_while_blocked_restarts_the_bot(
    live: FlaskClient, webhook_sink: WebhookSink
) -> None:
    live.post("/sim/api/block", json={"channel": "telegram", "user": "en"})
    before = len(webhook_sink.received)

    answer = live.post("/sim/api/send", json={"channel": "telegram", "user": "en",
                                              "text": "/start"})

    assert answer.status_code == 200
    restart, start = (json.loads(h.body) for h in webhook_sink.received[before:])
    assert restart["my_chat_member"]["new_chat_member"]["status"] == "member"
    assert start["message"]["text"] == "/start"
    assert start["update_id"] == restart["update_id"] + 1


@pytest.mark.parametrize("channel", ["line", "telegram"])
def test_a_blocked_chat_takes_no_messages_or_taps(live: FlaskClient, channel: str) -> None:
    live.post("/sim/api/block", json={"channel": channel, "user": "en"})
    sent = live.post("/sim/api/send", json={"channel": channel, "user": "en", "text": "hi"})
    assert sent.status_code == 409 and "blocked" in js(sent)["error"]
    again = live.post("/sim/api/block", json={"channel": channel, "user": "en"})
    assert again.status_code == 409
    live.post("/sim/api/unblock", json={"channel": channel, "user": "en"})
    assert live.post("/sim/api/unblock", json={"channel": channel, "user": "en"}
                     ).status_code == 409
    assert js(live.post("/sim/api/send", json={"channel": channel, "user": "en", "text": "hi"}
                     ))["status"] == 200


def test_my_chat_member_is_posted_only_when_the_webhook_subscribed_to_it(
    live: FlaskClient, platform_server: PlatformServer, webhook_sink: WebhookSink
) -> None:
    state = platform_server.state
    api = f"{platform_server.telegram_base_url}{state.telegram_token}"
    url = webhook_sink.url + "/telegram"
    requests.post(f"{api}/setWebhook", timeout=5, data={
        "url": url, "allowed_updates": json.dumps(["message", "callback_query"])})
    before = len(webhook_sink.received)

    withheld = js(live.post("/sim/api/block", json={"channel": "telegram", "user": "en"}))

    assert withheld["status"] is None and "subscribe" in withheld["error"]
    assert len(webhook_sink.received) == before
    requests.post(f"{api}/setWebhook", timeout=5, json={
        "url": url, "allowed_updates": ["message", "callback_query", "my_chat_member"]})
    info = requests.get(f"{api}/getWebhookInfo", timeout=5).json()["result"]
    assert info["allowed_updates"] == ["callback_query", "message", "my_chat_member"]
    assert js(live.post("/sim/api/unblock", json={"channel": "telegram", "user": "en"}
                     ))["status"] == 200
    assert "my_chat_member" in last_hook(webhook_sink)
    # setWebhook without allowed_updates keeps the previous list.
    requests.post(f"{api}/setWebhook", timeout=5, json={"url": url})
    assert requests.get(f"{api}/getWebhookInfo", timeout=5).json()["result"][
        "allowed_updates"] == ["callback_query", "message", "my_chat_member"]


def test_by_default_every_update_type_but_three_is_posted() -> None:
    state = PlatformState()
    assert state.telegram.delivers("my_chat_member")
    assert state.telegram.delivers("message")
    for kind in ("chat_member", "message_reaction", "message_reaction_count"):
        assert not state.telegram.delivers(kind)


# ---------------------------------------------------------------------------- /calls
def test_calls_lists_the_chats_api_calls_with_the_simulated_time(
    platform_server: PlatformServer, line_bot: LineMessenger,
    telegram_bot: TelegramMessenger,
) -> None:
    now = [datetime(2031, 3, 1, 8, 0, tzinfo=UTC)]
    state = platform_server.state
    state.clock_now = lambda: now[0]
    client = create_platform_app(state).test_client()

    line_bot.send(state.chat_id("line", "en"), [Text(text="a")], key="a")
    now[0] += timedelta(hours=1)
    telegram_bot.send(state.chat_id("telegram", "en"), [Text(text="b")], key="b")
    line_bot.send(state.chat_id("line", "ru"), [Text(text="c")], key="c")  # another chat

    line = client.get("/sim/api/calls?channel=line&user=en").json
    telegram = client.get("/sim/api/calls?channel=telegram&user=en").json
    assert line == {"calls": [{"endpoint": "push", "status": 200,
                               "at": "2031-03-01T08:00:00+00:00"}]}
    assert telegram == {"calls": [{"endpoint": "sendMessage", "status": 200,
                                   "at": "2031-03-01T09:00:00+00:00"}]}
    assert client.get("/sim/api/calls?channel=line&user=nobody").status_code == 404
    assert client.get("/sim/api/calls?channel=sms&user=en").status_code == 400
