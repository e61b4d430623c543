"""Blocked, unfollowed and returning patients, groups, and permanent send errors
(issue 13), through the real entry points on fakes.

GIVEN a patient with a daily dose, WHEN they block or unfollow the bot (LINE unfollow,
Telegram my_chat_member "kicked", or a send refused with Telegram's 403), THEN their
reminders stop (the schedule runs on, no send is attempted, nothing is retried), and
WHEN they come back (LINE follow, Telegram my_chat_member "member" or /start) THEN
they are told once what they missed and the reminders resume.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.clock import FixedClock
from shared.domain import usage
from shared.domain.channels import Channel
from shared.domain.i18n import t
from shared.domain.messages import Text
from shared.fakes.memory_tasks import MemoryTaskQueue
from tests.support import (
    DEV_TOKEN,
    LINE_USER,
    TELEGRAM_USER,
    client,
    fake_container,
    line_body,
    line_event,
    post_line,
    post_telegram,
    pump,
    recording,
    serving,
    telegram_update,
)

START = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)  # a Monday, 06:00 UTC
TG_CHAT, TG_KEY = str(TELEGRAM_USER), f"telegram-{TELEGRAM_USER}"
LINE_KEY = f"line-{LINE_USER}"


@pytest.fixture
def c():
    container = fake_container()
    container.__dict__["clock"] = FixedClock(START)
    with serving(container):
        yield container


messenger = recording


def tg_say(c: Any, text: str | None = None, data: str | None = None) -> None:
    assert post_telegram(telegram_update(text=text, data=data)).status_code == 200
    pump(c)


def line_say(c: Any, kind: str = "text", text: str = "", data: str = "",
             user: str = LINE_USER) -> None:
    assert post_line(line_body(line_event(kind, text=text, data=data, user=user))).status_code \
        == 200
    pump(c)


def membership(status: str, old: str, chat: dict[str, Any] | None = None,
               user: int = TELEGRAM_USER) -> dict[str, Any]:
    sender = {"id": user, "is_bot": False, "first_name": "T"}
    bot = {"id": 999, "is_bot": True, "first_name": "MedBot", "username": "medbot_bot"}
    return {"update_id": int(time.time() * 1000) % 10**9, "my_chat_member": {
        "chat": chat or {"id": user, "type": "private", "first_name": "T"},
        "from": sender, "date": int(time.time()),
        "old_chat_member": {"user": bot, "status": old},
        "new_chat_member": {"user": bot, "status": status}}}


def tick(c: Any, at: datetime) -> None:
    c.clock.current = at
    answer = client("reminder_tick").post("/", headers={"Authorization": f"Bearer {DEV_TOKEN}"})
    assert answer.status_code == 200
    pump(c)


def texts_to(c: Any, channel: Channel, chat: str) -> list[str]:
    return [m.text for m in messenger(c, channel).messages_to(chat) if isinstance(m, Text)]


def reminders_to(c: Any, channel: Channel, chat: str) -> list[str]:
    return [text for text in texts_to(c, channel, chat)
            if text.startswith((t("en", "remind.title"),
                                                  t("en", "remind.again"),
                                                  t("zh-TW", "remind.title"),
                                                  t("zh-TW", "remind.again")))]


def telegram_schedule(c: Any) -> None:
    tg_say(c, data="mode:med")
    tg_say(c, data="med:tz:UTC")
    tg_say(c, "add aspirin 100 mg at 08:00")


def doses(c: Any, key: str) -> list[dict[str, Any]]:
    return [d for _, d in c.store.query("doses") if d["user_id"] == key]


# ------------------------------------------------------------------ Telegram
def test_a_telegram_patient_who_blocks_the_bot_gets_no_reminder_and_hears_once_what_they_missed(
        c):
    telegram_schedule(c)
    tg = messenger(c, Channel.TELEGRAM)
    assert post_telegram(membership("kicked", "member")).status_code == 200
    pump(c)
    tg.block(TG_CHAT)
    assert c.store.get(f"users/{TG_KEY}")["unreachable_since"] == START
    sends = len(tg.sends)

    for hours in range(1, 14):  # 08:00 and its hourly repeats: nothing is attempted
        tick(c, START + timedelta(hours=hours, minutes=1))
    assert len(tg.sends) == sends
    assert doses(c, TG_KEY)[0]["next_due_at"] > START + timedelta(hours=12)  # it ran on
    assert len(c.store.get(f"users/{TG_KEY}")["missed_while_away"]) == 1
    day = usage.usage_path(TG_KEY, START)
    counts = c.store.get(day)["counts"]
    assert counts[usage.UNREACHABLE] == 1 and counts[usage.REMINDERS_WITHHELD] >= 1

    tg.unblock(TG_CHAT)
    assert post_telegram(membership("member", "kicked")).status_code == 200
    pump(c)
    notice = t("en", "reach.missed", count=1)
    assert texts_to(c, Channel.TELEGRAM, TG_CHAT).count(
        notice + "\n" + t("en", "remind.item", time="08:00", name="aspirin",
                          dosage="100 mg")) == 1
    tg_say(c, "/start")  # the Restart button: the menu, and no second notice
    assert sum(notice in text for text in texts_to(c, Channel.TELEGRAM, TG_CHAT)) == 1
    assert "unreachable_since" not in c.store.get(f"users/{TG_KEY}")

    before = len(reminders_to(c, Channel.TELEGRAM, TG_CHAT))
    tick(c, START + timedelta(days=1, hours=2, minutes=1))  # the next 08:00
    assert len(reminders_to(c, Channel.TELEGRAM, TG_CHAT)) == before + 1


def test_a_403_blocked_marks_the_patient_unreachable_completes_the_task_and_stops_retries(
        c, caplog):
    telegram_schedule(c)
    tg = messenger(c, Channel.TELEGRAM)
    tg.block(TG_CHAT)  # no my_chat_member arrived: the send tells
    tick(c, START + timedelta(hours=2, minutes=1))  # 08:01: refused with 403, once
    refused = [r for r in caplog.records if r.getMessage() == "send refused"]
    assert [(r.__dict__["status"], r.__dict__["outcome"]) for r in refused] == [
        (403, "unreachable")]
    assert c.store.get(f"users/{TG_KEY}")["unreachable_since"] is not None
    for hours in range(3, 14):
        tick(c, START + timedelta(hours=hours, minutes=1))
    assert len([r for r in caplog.records if r.getMessage() == "send refused"]) == 1
    tg.unblock(TG_CHAT)
    tg_say(c, "/start")
    assert any(t("en", "reach.missed", count=1) in getattr(m, "text", "")
               for m in tg.messages_to(TG_CHAT))


def test_the_dialog_answers_200_to_a_403_and_the_patient_is_marked(c):
    tg_say(c, "/start")
    tg = messenger(c, Channel.TELEGRAM)
    tg.block(TG_CHAT)
    assert post_telegram(telegram_update(text="help")).status_code == 200
    pump(c)  # asserts every task answered 200 (no retry)
    assert c.store.get(f"users/{TG_KEY}")["unreachable_since"] is not None


# ------------------------------------------------------------------ LINE
def test_a_line_unfollow_stops_pushes_and_a_follow_resumes_them_with_one_notice(c):
    line_say(c, "postback", data="mode:med")
    line_say(c, "postback", data="med:tz:UTC")
    line_say(c, text="add aspirin 100 mg at 08:00")
    line = messenger(c, Channel.LINE)
    line_say(c, "unfollow")
    line.block(LINE_USER)
    undelivered, sends = line.undelivered, len(line.sends)
    for hours in range(1, 14):
        tick(c, START + timedelta(hours=hours, minutes=1))
    assert (line.undelivered, len(line.sends)) == (undelivered, sends)  # no paid pushes

    line.unblock(LINE_USER)
    line_say(c, "follow")
    texts = texts_to(c, Channel.LINE, LINE_USER)
    notice = t("zh-TW", "reach.missed", count=1)
    assert sum(notice in text for text in texts) == 1
    line_say(c, text="help")
    texts = texts_to(c, Channel.LINE, LINE_USER)
    assert sum(notice in text for text in texts) == 1  # once
    before = len(reminders_to(c, Channel.LINE, LINE_USER))
    tick(c, START + timedelta(days=1, hours=2, minutes=1))
    assert len(reminders_to(c, Channel.LINE, LINE_USER)) == before + 1


@pytest.mark.parametrize("event", ["line-unfollow", "telegram-kicked", "telegram-member"])
def test_an_event_from_someone_medbot_never_met_stores_nothing(c, event):
    if event == "line-unfollow":
        assert post_line(line_body(line_event("unfollow"))).status_code == 200
    else:
        status, old = ("kicked", "member") if event == "telegram-kicked" else ("member", "kicked")
        assert post_telegram(membership(status, old)).status_code == 200
    pump(c)
    stored = {path.split("/", 1)[0] for path in c.store._docs}
    assert stored <= {"idempotency", "jobs"}  # the event's own record, nothing about a user
    assert not messenger(c, Channel.LINE).sends and not messenger(c, Channel.TELEGRAM).sends


# ------------------------------------------------------------------ groups
def test_added_to_a_line_group_it_says_where_to_talk_once_and_leaves(c):
    group = "C" + "ab" * 16
    event = line_event("join")
    event["source"] = {"type": "group", "groupId": group}
    assert post_line(line_body(event)).status_code == 200
    pump(c)
    line = messenger(c, Channel.LINE)
    [message] = line.messages_to(group)
    assert isinstance(message, Text)
    assert message.text == t("zh-TW", "group.private_only", link=line.link)
    assert line.left == [group]
    assert not [p for p in c.store._docs if p.startswith(("users/", "sessions/", "usage/"))]


def test_added_to_a_telegram_group_it_says_where_to_talk_once_and_leaves(c):
    group = {"id": -100123, "type": "supergroup", "title": "Family"}
    assert post_telegram(membership("member", "left", chat=group)).status_code == 200
    pump(c)
    tg = messenger(c, Channel.TELEGRAM)
    [message] = tg.messages_to("-100123")
    assert isinstance(message, Text) and message.text == t("en", "group.private_only", link=tg.link)
    assert tg.left == ["-100123"]


def test_group_messages_are_dropped_at_intake_without_a_task(c, caplog):
    caplog.set_level(logging.INFO)
    event = line_event(text="hello everyone")
    event["source"] = {"type": "group", "groupId": "C" + "ab" * 16, "userId": LINE_USER}
    assert post_line(line_body(event)).status_code == 200
    update = telegram_update(text="hello everyone")
    update["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "Family"}
    assert post_telegram(update).status_code == 200
    queue = c.tasks
    assert isinstance(queue, MemoryTaskQueue) and queue.tasks == []
    assert c.store._docs == {}  # not even an idempotency record
    reasons = [r.__dict__.get("reason") for r in caplog.records
               if r.getMessage() == "event dropped"]
    assert reasons == ["group chat", "group chat"]


def test_standby_and_absurd_events_are_dropped_at_intake_with_a_reason(c, caplog):
    caplog.set_level(logging.INFO)
    standby = line_event(text="hi")
    standby["mode"] = "standby"
    absurd = line_event(text="hi", timestamp_ms=10**30)
    assert post_line(line_body(standby, absurd)).status_code == 200
    queue = c.tasks
    assert isinstance(queue, MemoryTaskQueue) and queue.tasks == []
    reasons = [r.__dict__.get("reason") for r in caplog.records
               if r.getMessage() == "event dropped"]
    assert reasons == ["standby", "absurd timestamp"]

