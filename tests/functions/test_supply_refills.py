"""Issue 15 item 4 through the real entry points, on fakes: a count typed in the three
languages, counted down by each Taken (reminder button, typed "took it", early), once
per slot however often it is tapped, one refill reminder at the threshold with a
"Refilled" button, and the clear answers for what is not a count."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.channels import Channel
from shared.domain.i18n import t
from shared.domain.messages import Text
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
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # 17:00 in Taipei


def taipei(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


@pytest.fixture
def c():
    with serving(clocked_container(START)) as container:
        yield container


messenger = recording


def chat(channel: Channel) -> str:
    return CHAT if channel is Channel.TELEGRAM else LINE_USER


def say(c, text=None, data=None, channel=Channel.TELEGRAM, language="en"):
    if channel is Channel.TELEGRAM:
        update = telegram_update(text=text, data=data, language_code=language)
        assert post_telegram(update).status_code == 200
    else:
        event = line_event("postback", data=data) if data else line_event(text=text)
        assert post_line(line_body(event)).status_code == 200
    pump(c)


def tick(c, when):
    c.clock.current = when
    response = client("reminder_tick").post("/", headers={"Authorization": f"Bearer {DEV_TOKEN}"})
    assert response.status_code == 200
    pump(c)
    return json.loads(response.data)


def shown(c, channel=Channel.TELEGRAM) -> list[Text]:
    return [m for m in messenger(c, channel).shown_to(chat(channel)) if isinstance(m, Text)]


def last(c, channel=Channel.TELEGRAM) -> Text:
    return shown(c, channel)[-1]


def reminders(c, channel=Channel.TELEGRAM) -> list[Text]:
    return [m for m in messenger(c, channel).messages_to(chat(channel))
            if isinstance(m, Text) and any(b.data.startswith("rt:") for b in m.buttons)]


def supply(c, key=KEY):
    [(_, doc)] = c.store.query("supplies", [Filter("user_id", "==", key)])
    return doc


def refill_alerts(c, channel=Channel.TELEGRAM) -> list[Text]:
    return [m for m in messenger(c, channel).messages_to(chat(channel))
            if isinstance(m, Text) and any(b.data.startswith("rf:done:") for b in m.buttons)]


def setup(c, command="add metformin 1 tablet at 08:00 and 20:00", channel=Channel.TELEGRAM,
          language="en"):
    say(c, data="mode:med", channel=channel, language=language)
    say(c, data="med:tz:Asia/Taipei", channel=channel, language=language)
    say(c, command, channel=channel, language=language)


def test_a_typed_count_is_set_and_says_how_long_it_lasts(c):
    setup(c)
    say(c, "I have 30 tablets of metformin")
    answer = last(c).text
    assert answer.startswith(t("en", "supply.set", name="metformin", left="30"))
    assert t("en", "supply.lasts", days=15) in answer  # 1 tablet twice a day
    doc = supply(c)
    assert doc["count"] == 30 and doc["warn_days"] == 7 and [r["count"] for r in
                                                            doc["refills"]] == [30]


@pytest.mark.parametrize(("language", "command", "text"), [
    ("ru", "добавь метформин 1 таблетка в 08:00", "у меня 30 таблеток метформина"),
    ("zh-TW", "新增 二甲雙胍 1顆 08:00", "二甲雙胍還有30顆"),
    ("en", "add metformin 1 tablet at 08:00", "refill metformin 30"),
])
def test_counts_typed_in_each_language_from_any_mode(c, language, command, text):
    setup(c, command, language=language)
    say(c, data="menu", language=language)  # leave medication mode: still understood
    say(c, text, language=language)
    assert supply(c)["count"] == 30
    assert t(language, "supply.lasts", days=30) in last(c).text


def test_each_taken_counts_down_once_and_warns_once_at_the_threshold(c):
    setup(c)
    say(c, "I have 16 tablets of metformin")  # 8 days at 2 a day
    tick(c, taipei(6, 8))
    [reminder] = reminders(c)
    taken = reminder.buttons[0].data
    say(c, data=taken)
    assert supply(c)["count"] == 15  # 7 days left: the one refill reminder
    [alert] = refill_alerts(c)
    assert alert.text == t("en", "supply.low", name="metformin", left="15", days=7)
    say(c, data=taken)  # tapped again: nothing counted twice
    assert supply(c)["count"] == 15 and last(c).text == t("en", "remind.handled")
    tick(c, taipei(6, 20))
    say(c, "took metformin")  # typed: the same one path
    assert supply(c)["count"] == 14
    assert len(refill_alerts(c)) == 1  # still one reminder
    c.clock.current = taipei(7, 6)
    say(c, "I took metformin")  # early (08:00 within 3 h)
    assert supply(c)["count"] == 13 and len(supply(c)["counted"]) == 3


def test_refilled_button_asks_the_count_and_a_number_sets_it(c):
    setup(c)
    say(c, "I have 14 tablets of metformin")  # 7 days: warned when set
    [alert] = refill_alerts(c)
    say(c, data=alert.buttons[-1].data)
    assert last(c).text == t("en", "supply.ask_count", name="metformin")
    say(c, "sixty")  # not a number we read: asked again, nothing changes
    assert last(c).text == t("en", "supply.count_invalid") and supply(c)["count"] == 14
    say(c, "60")
    assert supply(c)["count"] == 60 and not supply(c)["warned"]
    assert [r["count"] for r in supply(c)["refills"]] == [14, 60]


def test_running_out_says_so(c):
    setup(c, "add metformin 2 tablets at 08:00")
    say(c, "I have 2 tablets of metformin left")
    tick(c, taipei(6, 8))
    say(c, data=reminders(c)[0].buttons[0].data)
    assert supply(c)["count"] == 0
    assert refill_alerts(c)[-1].text == t("en", "supply.out", name="metformin")


def test_line_keeps_the_reminders_buttons_with_the_refill_reminder(c):
    say(c, data="mode:med", channel=Channel.LINE)
    say(c, data="med:tz:Asia/Taipei", channel=Channel.LINE)
    say(c, "新增 二甲雙胍 1顆 08:00", channel=Channel.LINE)
    say(c, "新增 omeprazole 20 mg at 08:00", channel=Channel.LINE)
    say(c, "二甲雙胍還有8顆", channel=Channel.LINE)
    tick(c, taipei(6, 8))
    [reminder] = reminders(c, Channel.LINE)
    taken = next(b.data for b in reminder.buttons
                 if b.label == t("zh-TW", "button.taken_one", name="二甲雙胍"))
    say(c, data=taken, channel=Channel.LINE)
    alert = last(c, Channel.LINE)
    assert alert.text.startswith("該補藥了") and "二甲雙胍" in alert.text
    datas = [b.data for b in alert.buttons]
    assert datas[-1].startswith("rf:done:") and any(d.startswith("rt:") for d in datas)


def test_not_a_count_never_changes_anything(c):
    setup(c, "add metformin 500 mg at 08:00")
    say(c, "I have 30 tablets of ibuprofen")
    assert last(c).text == t("en", "supply.unknown_medicine", name="ibuprofen")
    assert c.store.query("supplies") == []
    say(c, "I have 30 tablets of metformin")  # a dose by weight: noted, never counted down
    assert t("en", "supply.not_counted", name="metformin", dosage="500 mg") in last(c).text
    tick(c, taipei(6, 8))
    say(c, data=reminders(c)[0].buttons[0].data)
    assert supply(c)["count"] == 30 and refill_alerts(c) == []


def test_a_count_without_a_medicine_asks_which(c):
    setup(c)
    say(c, "add omeprazole 1 capsule at 08:00")
    say(c, "I have 20 tablets left")
    question = last(c)
    assert question.text == t("en", "supply.which", left=20)
    assert c.store.query("supplies") == []
    say(c, data=next(b.data for b in question.buttons if b.label == "omeprazole"))
    assert supply(c)["name"] == "omeprazole" and supply(c)["count"] == 20


def test_the_low_supply_port_hears_each_alert_once_with_nothing_else(c, monkeypatch):
    from shared.features.supply import taken as hook
    from shared.plumbing.turns import Reply

    heard = []

    class Circle:
        def low_supply(self, turn, alert):
            heard.append(alert)
            return Reply(writes=[(f"supplies/{alert.medication_id}-seen", {
                "user_id": alert.patient, "name": alert.name})])

    monkeypatch.setattr(hook, "caregiver_listeners", lambda store: (Circle(),))
    setup(c)
    say(c, "I have 16 tablets of metformin")
    tick(c, taipei(6, 8))
    taken = reminders(c)[0].buttons[0].data
    say(c, data=taken)
    say(c, data=taken)
    [alert] = heard
    assert (alert.patient, alert.name, alert.alert, alert.count, alert.days) == (
        KEY, "metformin", "low", "15", 7)
    assert c.store.get(f"supplies/{alert.medication_id}-seen") is not None  # same turn
