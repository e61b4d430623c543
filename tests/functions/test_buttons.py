"""Every button tells its option apart, on both channels, and no option is dropped.

GIVEN a patient whose medicines have long names that start alike (two strengths of one
medicine, Cyrillic and CJK names, 20+ medicines), WHEN the bot asks which one to delete
or which dose was taken, THEN the buttons as the platform shows them (rendered by the
real adapters' renderers: LINE labels <= 20 characters) are all different and keep what
differs (strength, time), and a list longer than one message holds is offered page by
page, so every medicine can be reached. Issue 20.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from shared.clock import FixedClock
from shared.domain.channels import Channel
from shared.domain.i18n import t
from shared.domain.labels import fold
from shared.domain.messages import Text
from shared.domain.text_split import utf16_len
from shared.fakes.recording_messenger import RecordingMessenger
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
    serving,
    telegram_update,
)

START = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # a Monday, 07:00 UTC
ER = "Metformin hydrochloride extended-release"
IR = "Metformin hydrochloride immediate-release"
LIMIT = {Channel.LINE: 20, Channel.TELEGRAM: 64}


@pytest.fixture
def c():
    container = fake_container()
    container.__dict__["clock"] = FixedClock(START)
    with serving(container):
        yield container


class Patient:
    def __init__(self, c, channel: Channel) -> None:
        self.c = c
        self.channel = channel
        self.chat = LINE_USER if channel is Channel.LINE else str(TELEGRAM_USER)
        self.messenger: RecordingMessenger = c.messengers[channel]
        self.lang = "zh-TW" if channel is Channel.LINE else "en"  # what each one reports

    def say(self, text: str | None = None, data: str | None = None) -> Text:
        if self.channel is Channel.LINE:
            event = line_event("postback", data=data) if data else line_event(text=text or "")
            event["timestamp"] = int(self.c.clock.now().timestamp() * 1000)
            assert post_line(line_body(event)).status_code == 200
        else:
            assert post_telegram(telegram_update(text=text, data=data)).status_code == 200
        pump(self.c)
        last = self.messenger.messages_to(self.chat)[-1]
        assert isinstance(last, Text)
        return last

    def labels(self) -> list[str]:
        """The labels of the latest bubble with buttons, as the platform shows them."""
        return self.messenger.button_labels(self.chat)[-1]

    def start(self) -> None:
        self.say(data="mode:med")
        self.say(data="med:tz:UTC")

    def tick(self, at: datetime) -> None:
        self.c.clock.current = at
        response = client("reminder_tick").post(
            "/", headers={"Authorization": f"Bearer {DEV_TOKEN}"})
        assert response.status_code == 200, json.loads(response.data)
        pump(self.c)


def assert_told_apart(labels: list[str], channel: Channel) -> None:
    assert all(utf16_len(label) <= LIMIT[channel] for label in labels)
    assert len({fold(label) for label in labels}) == len(labels), labels


CHANNELS = [Channel.LINE, Channel.TELEGRAM]
RU_NAMES = ["Анна", "Борис", "Василий", "Григорий", "Дмитрий", "Елена", "Жанна", "Зинаида",
            "Иван", "Константин", "Леонид", "Михаил", "Николай", "Ольга", "Павел", "Роман",
            "Семён", "Татьяна", "Ульяна", "Фёдор", "Харитон", "Эдуард"]
CJK_MARKS = "甲乙丙丁戊己庚辛壬癸金木水火土星雲風雨雪山川"
NATO = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
        "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
        "sierra", "tango", "uniform", "victor"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_delete_tells_two_strengths_of_one_medicine_apart(c, channel):
    patient = Patient(c, channel)
    patient.start()
    patient.say(f"add {ER} 500 mg at 08:00 and {IR} 850 mg at 08:00")
    question = patient.say("delete the medicine")

    labels = patient.labels()
    assert_told_apart(labels, channel)
    assert len(labels) == 2
    assert "500" in labels[0] and "850" in labels[1]  # the strength, kept
    assert [b.data for b in question.buttons] == [
        f"med:del:{m}" for m in (_med_id(c, ER), _med_id(c, IR))]
    # The tap deletes exactly the one the label named.
    patient.say(data=question.buttons[1].data)
    names = [doc["name"] for _, doc in c.store.query("medications")]
    assert names == [ER]


@pytest.mark.parametrize("channel", CHANNELS)
def test_i_took_tells_doses_at_the_same_time_apart(c, channel):
    patient = Patient(c, channel)
    patient.start()
    patient.say(f"add {ER} 500 mg at 08:00 and {IR} 850 mg at 08:00")
    patient.tick(START + timedelta(hours=1))  # 08:00: both are due
    question = patient.say("done")

    labels = patient.labels()
    assert_told_apart(labels, channel)
    first, second, everything = labels
    assert first.startswith("08:00") and "500" in first
    assert second.startswith("08:00") and "850" in second
    assert everything == t(patient.lang, "med.done.all")
    patient.say(data=question.buttons[0].data)
    taken = {doc["medication_id"] for _, doc in c.store.query("dose_log")
             if doc["status"] == "taken"}
    assert taken == {_med_id(c, ER)}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(("names", "per_message"), [
    ([f"Ацетилсалициловая-кислота-кардио {w}" for w in RU_NAMES], 6),
    # All in one message: the parser takes a CJK name one character away from a known
    # one for that one (reported separately), so later messages would not add them.
    ([f"鹽酸二甲雙胍緩釋錠{c} 500毫克" for c in CJK_MARKS], 22),
    ([f"Cardioprotective-acetylsalicylic {w} 100 mg" for w in NATO], 6),
], ids=["cyrillic", "cjk", "latin"])
def test_more_medicines_than_one_message_holds_are_paged_never_dropped(
        c, channel, names, per_message):
    patient = Patient(c, channel)
    patient.start()
    for start in range(0, len(names), per_message):
        batch = " and ".join(f"{name} at 08:00" for name in names[start:start + per_message])
        patient.say(f"add {batch}")
    assert len(c.store.query("medications")) == len(names)

    question = patient.say("delete the medicine")
    reached: list[str] = []
    for _ in range(5):
        labels = patient.labels()
        assert len(labels) <= 13
        assert_told_apart(labels, channel)
        reached += [b.data for b in question.buttons if b.data.startswith("med:del:")]
        pager = question.buttons[-1]
        assert pager.data.startswith("med:delp:")
        if pager.data == "med:delp:0":
            break  # the last page leads back to the first
        question = patient.say(data=pager.data)
    ids = {path.split("/", 1)[1] for path, _ in c.store.query("medications")}
    assert sorted(r.removeprefix("med:del:") for r in reached) == sorted(ids)


@pytest.mark.parametrize("channel", CHANNELS)
def test_names_that_read_alike_are_numbered_and_listed_in_full(c, channel):
    patient = Patient(c, channel)
    patient.start()
    long_name = "Amoxicillin-clavulanate-potassium suspension"
    patient.say(f"add {long_name} at 08:00 and {long_name} forte at 09:00")
    patient.say("delete the medicine")

    labels = patient.labels()
    assert_told_apart(labels, channel)
    if channel is Channel.LINE:  # 20 characters cannot show what differs: numbers
        assert [label[:3] for label in labels] == ["1. ", "2. "]
        shown = patient.messenger.delivered_texts(patient.chat)[-1]
        assert f"1. {long_name}" in shown and f"2. {long_name} forte" in shown


@pytest.mark.parametrize("channel", CHANNELS)
def test_ten_medicines_in_one_message_get_one_confirmation_message(c, channel):
    patient = Patient(c, channel)
    patient.start()
    before = patient.messenger.parts_sent
    confirmation = patient.say(
        "add " + ", ".join(f"medicine{n} at {8 + n:02d}:00" for n in range(10)))

    assert patient.messenger.parts_sent - before == 1  # one message, one call
    assert all(f"medicine{n}" in confirmation.text for n in range(10))


def _med_id(c, name: str) -> str:
    return next(str(path).split("/", 1)[1] for path, doc in c.store.query("medications")
                if doc["name"] == name)
