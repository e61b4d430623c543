"""Issue 11 through the real entry points, on fakes: per-medicine answers (Telegram
edits its reminder, LINE confirms what was recorded), early doses typed in the three
languages, quiet hours said by the patient, and later reminders leaving out what was
answered."""

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
LINE_KEY = f"line-{LINE_USER}"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # 17:00 in Taipei


def taipei(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


@pytest.fixture
def c():
    with serving(clocked_container(START)) as container:
        yield container


messenger = recording


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


def chat(channel: Channel) -> str:
    return CHAT if channel is Channel.TELEGRAM else LINE_USER


def sent_reminders(c, channel=Channel.TELEGRAM) -> list[Text]:
    return [m for m in messenger(c, channel).messages_to(chat(channel))
            if isinstance(m, Text) and any(b.data.startswith("rt:") for b in m.buttons)]


def last(c, channel=Channel.TELEGRAM):
    return messenger(c, channel).shown_to(chat(channel))[-1]


def log(c, key=KEY) -> set[tuple[int, int, str, str]]:
    """(local day, local hour, medicine, status) of each logged slot."""
    names = {p.split("/")[1]: d["name"]
             for p, d in c.store.query("medications", [Filter("user_id", "==", key)])}
    rows = c.store.query("dose_log", [Filter("user_id", "==", key)])
    return {((d["slot_at"] + timedelta(hours=8)).day, (d["slot_at"] + timedelta(hours=8)).hour,
             names.get(d["medication_id"], "?"), d["status"]) for _, d in rows}


def setup(c, channel=Channel.TELEGRAM, lang_text="add metformin 500 mg at 08:00"):
    say(c, data="mode:med", channel=channel)
    say(c, data="med:tz:Asia/Taipei", channel=channel)
    say(c, lang_text, channel=channel)
    say(c, "add omeprazole 20 mg at 08:00", channel=channel)


def test_telegram_edits_the_reminder_per_medicine_and_the_next_one_leaves_it_out(c):
    setup(c)
    tick(c, taipei(6, 8))
    [reminder] = sent_reminders(c)
    labels = [b.label for b in reminder.buttons]
    assert labels[:2] == [t("en", "button.taken_one", name="metformin"),
                          t("en", "button.taken_one", name="omeprazole")]
    say(c, data=reminder.buttons[0].data)  # Taken: metformin
    edited = last(c)
    assert isinstance(edited, Text) and len(sent_reminders(c)) == 1  # no new message
    assert f"metformin 500 mg {t('en', 'remind.mark.taken')}" in edited.text
    assert [b.label for b in edited.buttons] == [t("en", "button.taken"),
                                                 t("en", "button.snooze"), t("en", "button.skip")]
    # The repeat at 09:00 carries omeprazole only.
    tick(c, taipei(6, 9))
    repeat = sent_reminders(c)[-1]
    assert "omeprazole" in repeat.text and "metformin" not in repeat.text
    assert log(c) == {(6, 8, "metformin", "taken")}


def test_snooze_and_skip_ask_which_one_then_act_on_it_alone(c):
    setup(c)
    tick(c, taipei(6, 8))
    [reminder] = sent_reminders(c)
    skip = next(b for b in reminder.buttons if b.label == t("en", "button.skip"))
    say(c, data=skip.data)
    question = last(c)
    assert question.text == t("en", "remind.pick.skip")
    say(c, data=question.buttons[1].data)  # omeprazole
    assert log(c) == {(6, 8, "omeprazole", "skipped")}
    [shown] = [m for m in messenger(c).shown_to(CHAT)
               if isinstance(m, Text) and m.text.startswith(t("en", "remind.title"))]
    assert t("en", "remind.mark.skipped") in shown.text
    assert [b.data.split(":")[-1] for b in shown.buttons] == ["0", "0", "0"]


def test_line_confirms_exactly_what_was_recorded(c):
    setup(c, Channel.LINE)
    tick(c, taipei(6, 8))
    [reminder] = sent_reminders(c, Channel.LINE)
    say(c, data=reminder.buttons[1].data, channel=Channel.LINE)  # Taken: omeprazole
    confirmation = last(c, Channel.LINE)
    assert confirmation.text == t("zh-TW", "remind.taken", names="omeprazole")
    # LINE's quick reply moves on with the next message: what is left comes along.
    assert [b.data.split(":")[-1] for b in confirmation.buttons] == ["0", "0", "0"]
    say(c, data=reminder.buttons[2].data, channel=Channel.LINE)  # All taken: metformin left
    assert last(c, Channel.LINE).text == t("zh-TW", "remind.taken", names="metformin")
    say(c, data=reminder.buttons[2].data, channel=Channel.LINE)
    assert last(c, Channel.LINE).text == t("zh-TW", "remind.handled")
    assert log(c, LINE_KEY) == {(6, 8, "metformin", "taken"), (6, 8, "omeprazole", "taken")}


@pytest.mark.parametrize(("language", "text"), [
    ("en", "I took metformin"), ("ru", "я принял metformin"), ("zh-TW", "我吃了metformin")])
def test_an_early_dose_is_taken_and_not_reminded(c, language, text):
    setup(c)
    c.clock.current = taipei(6, 5, 30)  # 2.5 h early
    say(c, text, language=language)
    answer = last(c).text
    assert "metformin" in answer and "08:00" in answer
    tick(c, taipei(6, 8))
    [reminder] = sent_reminders(c)
    assert "omeprazole" in reminder.text and "metformin" not in reminder.text
    [(_, entry)] = c.store.query("dose_log")
    assert entry["status"] == "taken" and entry["taken_at"] == taipei(6, 5, 30)


def test_more_than_the_early_window_before_nothing_is_taken(c):
    setup(c)
    c.clock.current = taipei(6, 4, 59)
    say(c, "I took metformin")
    assert last(c).text == t("en", "med.done.none")


def test_quiet_hours_said_by_the_patient_stop_repeats_then(c):
    say(c, data="mode:med")
    say(c, data="med:tz:Asia/Taipei")
    say(c, "add omeprazole 20 mg at 20:00")
    say(c, "no reminders after 21:00")
    assert last(c).text == t("en", "med.quiet.set", start="21:00", end="07:00")
    for minute in range(0, 12 * 60, 30):
        tick(c, taipei(5, 19) + timedelta(minutes=minute))
    sent = sent_reminders(c)
    assert len(sent) == 1 and sent[0].text.endswith(t("en", "remind.last", names="omeprazole"))
    assert log(c) == {(5, 20, "omeprazole", "missed")}


# --------------------------------------------------------------------------- already there
def medications(c) -> dict[str, tuple[str, list[str]]]:
    return {d["name"]: (d["dosage"], d["times"])
            for _, d in c.store.query("medications", [Filter("user_id", "==", KEY)])}


def with_metformin(c):
    say(c, data="mode:med")
    say(c, data="med:tz:Asia/Taipei")
    say(c, "add metformin 850 mg at 08:00 and 20:00")


def test_adding_a_medicine_again_with_another_dose_asks_and_changes_nothing_yet(c):
    with_metformin(c)
    say(c, "add metformin 500 mg at 20:00")
    question = last(c)
    assert [b.label for b in question.buttons] == [t("en", "med.exists.replace"),
                                                   t("en", "med.exists.other")]
    assert medications(c) == {"metformin": ("850 mg", ["08:00", "20:00"])}
    say(c, data=question.buttons[0].data)  # replace the schedule
    assert medications(c) == {"metformin": ("500 mg", ["20:00"])}
    say(c, data=question.buttons[0].data)  # the question is gone: nothing happens
    assert last(c).text == t("en", "med.exists.gone")


def test_adding_times_to_a_medicine_keeps_its_dose(c):
    with_metformin(c)
    say(c, "add metformin at 12:00 and aspirin 100 mg at 09:00")
    question = last(c)
    assert [b.label for b in question.buttons] == [
        t("en", "med.exists.add"), t("en", "med.exists.replace"), t("en", "med.exists.other")]
    say(c, data=question.buttons[0].data)  # add these times; then the rest of the message
    assert medications(c) == {"metformin": ("850 mg", ["08:00", "12:00", "20:00"]),
                              "aspirin": ("100 mg", ["09:00"])}


def test_a_different_medicine_of_the_same_name_is_not_stored_on_a_guess(c):
    with_metformin(c)
    say(c, "add metformin 500 mg at 22:00")
    say(c, data="med:dup:other")
    assert "metformin XR" in last(c).text
    assert medications(c) == {"metformin": ("850 mg", ["08:00", "20:00"])}


def test_units_and_names_are_kept_as_typed(c):
    say(c, data="mode:med")
    say(c, data="med:tz:Asia/Taipei")
    say(c, "add Vitamin D3 1000 IU at 22:00")
    assert medications(c) == {"Vitamin D3": ("1000 IU", ["22:00"])}
    assert "Vitamin D3 1000 IU" in last(c).text
