"""The schedule in words, as a calendar file and as a history, through the real entry
points on fakes (issue 14 items 3-5).

GIVEN a Telegram user with a schedule, WHEN they list it, tap "Add to calendar" or type
it in any mode, or ask what they took, THEN the answer comes from their schedule and
their dose log, in their language and time zone, and "delete my data" removes the
calendar files.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from shared.domain.i18n import t
from shared.domain.messages import Cards
from shared.fakes.scripted_llm import ScriptedModel
from tests.functions import test_medication as med
from tests.functions.test_medication import KEY, START, log_entries, reminders, say, sent, tick
from tests.functions.test_medication import with_schedule as _with_schedule
from tests.functions.test_medication_commands import Bot
from tests.unit.test_schedule_calendar import expand

c = med.c  # the same fixture: a Telegram user on fakes at a fixed time (Monday 09:00 UTC)


def with_schedule(c, command: str, zone: str = "UTC", language_code: str = "en"):
    say(c, data="mode:med", language_code=language_code)
    say(c, data=f"med:tz:{zone}", language_code=language_code)
    return say(c, command, language_code=language_code)


def calendar_file(c, reply_from: int) -> tuple[bytes, Cards]:
    [*_, cards] = sent(c)[reply_from:]
    assert isinstance(cards, Cards)
    [card] = cards.cards
    data = c.blobs.open_signed_url(card.url)
    assert data is not None
    return data, cards


# --------------------------------------------------------------------------- words
def test_the_list_says_each_schedule_in_words_with_a_calendar_button(c):
    with_schedule(c, "add aspirin 100 mg at 08:00 and 20:00", zone="Europe/Berlin")
    listing = say(c, "list")
    assert "aspirin 100 mg: every day at 08:00 and 20:00" in listing.text
    assert [b.data for b in listing.buttons] == ["med:week", "med:cal"]


def test_the_list_in_russian(c):
    with_schedule(c, "добавь аспирин 100 мг в 8:00 и 20:00", zone="Europe/Moscow",
                  language_code="ru")
    assert "каждый день в 08:00 и 20:00" in say(c, "список", language_code="ru").text


# --------------------------------------------------------------------------- calendar
def test_the_calendar_button_gives_a_signed_link_to_an_ics_of_the_schedule(c):
    with_schedule(c, "add aspirin 100 mg at 08:00 and 20:00", zone="Europe/Berlin")
    say(c, "add metformin 500 mg at 12:00")
    before = len(sent(c))
    say(c, data="med:cal")
    data, _ = calendar_file(c, before)
    assert t("en", "med.calendar.ready", count=60) in [m.text for m in sent(c)[before:]
                                                      if hasattr(m, "text")]
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert sorted((str(e["SUMMARY"]), e.decoded("DTSTART").strftime("%H:%M")) for e in events) \
        == [("aspirin 100 mg", "08:00"), ("aspirin 100 mg", "20:00"),
            ("metformin 500 mg", "12:00")]
    for event in events:
        start = event.decoded("DTSTART")
        assert str(start.tzinfo) == "Europe/Berlin" and start.date() == START.date()
        assert [d.hour for d in expand(event, 3)] == [start.hour] * 3
        [alarm] = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
    # Only the names and dosages typed: no user id, chat id or platform name in the file.
    text = data.decode()
    assert KEY not in text and "telegram" not in text.lower()
    [key] = [k for k in c.blobs._objects if k.startswith(f"calendar/{KEY}/")]
    assert key.endswith(".ics")


def test_add_to_calendar_typed_in_any_mode_and_language(c):
    with_schedule(c, "add aspirin 100 mg at 08:00")
    for typed, language in (("add to calendar", "en"), ("加入行事曆", "zh-TW"),
                            ("добавить в календарь", "ru")):
        say(c, data="menu", language_code=language)  # the main menu, not medication mode
        before = len(sent(c))
        say(c, typed, language_code=language)
        data, _ = calendar_file(c, before)
        assert b"aspirin 100 mg" in data


def test_an_empty_schedule_gets_a_clear_answer_and_no_link(c):
    say(c, data="mode:med")
    say(c, data="med:tz:UTC")
    answer = say(c, "add to calendar")
    assert answer.text == t("en", "med.calendar.empty")
    assert not [k for k in c.blobs._objects if k.startswith("calendar/")]


def test_delete_my_data_removes_the_calendar_files(c):
    with_schedule(c, "add aspirin 100 mg at 08:00")
    say(c, data="med:cal")
    assert [k for k in c.blobs._objects if k.startswith(f"calendar/{KEY}/")]
    say(c, "delete my data")
    say(c, data="del:yes")
    assert not [k for k in c.blobs._objects if k.startswith("calendar/")]


# --------------------------------------------------------------------------- history
def test_what_did_i_take_today_and_yesterday_from_the_dose_log(c):
    _with_schedule(c, "add aspirin 100 mg at 10:00")
    tick(c, datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    c.clock.current = datetime(2026, 1, 5, 10, 7, tzinfo=UTC)
    say(c, data=reminders(c)[-1].buttons[0].data)  # Taken at 10:07
    assert len(log_entries(c, "taken")) == 1

    today = say(c, "what did I take today?")
    assert today.text.splitlines()[:3] == [
        t("en", "med.history.title", zone="UTC"), "Monday, 5 January:",
        "• 10:00 aspirin 100 mg: taken at 10:07"]
    assert say(c, "what did I take yesterday?").text == \
        t("en", "med.history.none_day", date="4 January")

    # The next day, from the main menu: yesterday's dose, and today's not yet answered.
    c.clock.current = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)
    say(c, data="menu")
    assert "• 10:00 aspirin 100 mg: taken at 10:07" in \
        say(c, "what did I take yesterday?").text
    # Asked in Chinese, answered in the patient's UI language (English here).
    week = say(c, "這週吃了什麼藥").text.splitlines()
    assert week[1:5] == ["Monday, 5 January:", "• 10:00 aspirin 100 mg: taken at 10:07",
                         "Tuesday, 6 January:", "• nothing recorded"]


def test_a_missed_dose_and_a_russian_question(c):
    with_schedule(c, "добавь аспирин 100 мг в 10:00", language_code="ru")
    tick(c, datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    for hour in range(11, 24):  # repeats, then recorded missed
        tick(c, datetime(2026, 1, 5, hour, 1, tzinfo=UTC))
    tick(c, datetime(2026, 1, 6, 10, 0, tzinfo=UTC))
    assert log_entries(c, "missed")
    c.clock.current = datetime(2026, 1, 6, 12, 0, tzinfo=UTC)
    answer = say(c, "что я пил вчера", language_code="ru").text
    assert "понедельник, 5 января:" in answer
    assert "• 10:00 аспирин 100 мг: не отмечено" in answer
    assert answer.startswith(t("ru", "med.history.title", zone="UTC"))


def test_a_report_of_a_dose_is_not_a_question_about_the_history(c):
    _with_schedule(c, "add aspirin 100 mg at 10:00")
    tick(c, datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    c.clock.current = START + timedelta(hours=1, minutes=5)
    answer = say(c, "I took aspirin").text  # the reminder's dose, recorded taken
    assert not answer.startswith(t("en", "med.history.title", zone="UTC"))
    assert len(log_entries(c, "taken")) == 1


@pytest.mark.parametrize("text", ["what did I take yesterday?", "這週吃了什麼藥",
                                  "что я пил вчера", "add to calendar", "加入行事曆"])
def test_the_views_answer_without_a_model_call(text: str) -> None:
    model = ScriptedModel(strict=True)  # any call would fail the test
    bot = Bot(model)
    answer = bot.say(text)
    assert model.count() == 0
    assert answer.text != t("en", "med.unknown")
