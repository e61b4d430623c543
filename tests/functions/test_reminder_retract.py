"""An unanswered reminder does not pile up in the chat: when its dose is reminded again
(hourly, or after a snooze) or recorded missed because the next dose became due, the
earlier reminder message is retracted (deleted on Telegram; LINE cannot, so nothing
happens there and nothing fails). Through the real entry points, on fakes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from shared.domain.channels import Channel
from shared.domain.errors import MessengerError
from shared.plumbing.runner import Outcome
from shared.ports import Filter
from tests.support import (
    DEV_TOKEN,
    LINE_USER,
    TELEGRAM_USER,
    client,
    clocked_container,
    line_body,
    line_event,
    post_line,
    post_telegram,
    pump,
    recording,
    serving,
    telegram_update,
)

CHAT = str(TELEGRAM_USER)
KEY = f"telegram-{TELEGRAM_USER}"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def c():
    with serving(clocked_container(START)) as container:
        yield container


messenger = recording


def say(c, text=None, data=None):
    assert post_telegram(telegram_update(text=text, data=data)).status_code == 200
    pump(c)


def say_line(c, text=None, data=None):
    event = line_event("postback", data=data) if data else line_event(text=text)
    assert post_line(line_body(event)).status_code == 200
    pump(c)


def tick(c, when, run=True):
    c.clock.current = when
    response = client("reminder_tick").post("/", headers={"Authorization": f"Bearer {DEV_TOKEN}"})
    assert response.status_code == 200
    if run:
        pump(c)
    return json.loads(response.data)


def is_reminder(message) -> bool:
    return any(b.data.startswith("rt:") for b in message.buttons)


def sent_reminders(c, channel=Channel.TELEGRAM, chat=CHAT):
    return [m for m in messenger(c, channel).messages_to(chat) if is_reminder(m)]


def shown_reminders(c, channel=Channel.TELEGRAM, chat=CHAT):
    return [m for m in messenger(c, channel).visible_to(chat) if is_reminder(m)]


def reminder_doc(c, message):
    rid = message.buttons[0].data.split(":")[1]  # rt:<rid>:<item> (issue 11)
    doc = c.store.get(f"reminders/{rid}")
    assert doc is not None
    return doc


def with_schedule(c, command="add aspirin 100 mg at 10:00"):
    say(c, data="mode:med")
    say(c, data="med:tz:UTC")
    say(c, command)


def missed(c, user=KEY):
    return [d for _, d in c.store.query("dose_log", [Filter("user_id", "==", user)])
            if d["status"] == "missed"]


# --------------------------------------------------------------------------- Telegram
def test_the_hourly_repeat_retracts_the_unanswered_reminder(c):
    with_schedule(c)
    tick(c, at(5, 10))
    [first] = sent_reminders(c)
    first_ids = reminder_doc(c, first)["message_ids"]
    assert first_ids and messenger(c).retractions == []

    tick(c, at(5, 11))

    first_again, repeat = sent_reminders(c)
    assert first_again == first
    assert shown_reminders(c) == [repeat]  # only the newest reminder is left in the chat
    assert messenger(c).retracted_ids(CHAT) == first_ids
    tick(c, at(5, 12))
    assert len(shown_reminders(c)) == 1 and len(sent_reminders(c)) == 3


def test_a_dose_recorded_missed_has_its_reminder_retracted(c):
    with_schedule(c)
    tick(c, at(5, 10))
    [old] = sent_reminders(c)
    old_ids = reminder_doc(c, old)["message_ids"]

    tick(c, at(6, 10))  # no answer, no tick in between: the next dose is due

    [entry] = missed(c)
    assert entry["slot_at"] == at(5, 10)
    [new] = shown_reminders(c)
    assert new != old and len(sent_reminders(c)) == 2
    assert messenger(c).retracted_ids(CHAT) == old_ids


def test_repeats_then_a_miss_leave_one_reminder_and_retract_each_once(c):
    with_schedule(c)
    for hour in range(10, 24):
        tick(c, at(5, hour))
    tick(c, at(6, 10))

    sent = sent_reminders(c)
    # Issue 11: the first reminder and at most 3 repeats (10-13 h), then the next dose.
    assert len(sent) == 5 and len(missed(c)) == 1
    assert shown_reminders(c) == [sent[-1]]
    every_earlier = [i for m in sent[:-1] for i in reminder_doc(c, m)["message_ids"]]
    assert messenger(c).retracted_ids(CHAT) == every_earlier


def test_a_snoozed_reminder_is_retracted_when_it_comes_back(c):
    with_schedule(c)
    tick(c, at(5, 10))
    [first] = sent_reminders(c)
    say(c, data=first.buttons[1].data)  # Snooze 15 min
    assert messenger(c).retractions == []

    tick(c, at(5, 10, 15))

    assert shown_reminders(c) == [sent_reminders(c)[-1]] and len(sent_reminders(c)) == 2
    assert messenger(c).retracted_ids(CHAT) == reminder_doc(c, first)["message_ids"]


def test_an_answered_reminder_is_not_retracted_by_the_next_dose(c):
    with_schedule(c)
    tick(c, at(5, 10))
    [answered] = sent_reminders(c)
    say(c, data=answered.buttons[0].data)  # Taken
    tick(c, at(6, 10))

    assert len(shown_reminders(c)) == 2  # the taken dose is history, not a miss
    assert messenger(c).retractions == [] and missed(c) == []


def test_a_redelivered_send_task_neither_sends_nor_retracts_again(c):
    with_schedule(c)
    tick(c, at(5, 10))
    tick(c, at(5, 11), run=False)
    [task] = c.tasks.take(c.clock.now())
    for _ in range(3):
        response = client("remind_worker").post(
            "/", json=task.payload, headers={"Authorization": f"Bearer {DEV_TOKEN}"})
        assert response.status_code == 200

    assert len(sent_reminders(c)) == 2
    assert len(messenger(c).retractions) == 1
    assert len(shown_reminders(c)) == 1


def test_a_failed_retract_is_retried_without_sending_again(c, monkeypatch):
    with_schedule(c)
    tick(c, at(5, 10))
    [first] = sent_reminders(c)
    tick(c, at(5, 11), run=False)
    [task] = c.tasks.take(c.clock.now())
    real_retract = messenger(c).retract
    calls = []

    def flaky(chat_id, message_ids, *, note=None):
        calls.append(list(message_ids))
        if len(calls) == 1:
            raise MessengerError("Telegram retract: timed out", retryable=True)
        real_retract(chat_id, message_ids, note=note)

    monkeypatch.setattr(messenger(c), "retract", flaky)
    with pytest.raises(MessengerError):
        c.reminders.send(task.payload)  # sent, then the retract failed: Cloud Tasks retries
    assert c.reminders.send(task.payload) is Outcome.REPLAYED

    assert len(sent_reminders(c)) == 2  # the replay did not send the reminder again
    first_ids = reminder_doc(c, first)["message_ids"]
    assert calls == [first_ids, first_ids]
    assert shown_reminders(c) == [sent_reminders(c)[-1]]


# --------------------------------------------------------------------------- LINE
def test_line_keeps_every_reminder_and_nothing_fails(c):
    say_line(c, data="mode:med")
    say_line(c, "add aspirin 100 mg at 08:00")
    say_line(c, data="med:tz:Asia/Taipei")
    line_key = f"line-{LINE_USER}"
    for hour in (0, 1, 2):  # 08:00, 09:00, 10:00 in Taipei
        tick(c, at(6, hour))
    tick(c, at(7, 0))  # the next dose: the first one is missed

    line = messenger(c, Channel.LINE)
    sent = sent_reminders(c, Channel.LINE, LINE_USER)
    assert len(sent) == 4 and len(missed(c, line_key)) == 1
    assert shown_reminders(c, Channel.LINE, LINE_USER) == sent  # LINE cannot take any back
    assert line.retracted == set()
    assert messenger(c).retractions == []  # nothing went to Telegram either
