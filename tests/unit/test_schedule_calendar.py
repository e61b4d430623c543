"""The schedule as an iCalendar file (issue 14 item 4): parsed back with icalendar and
expanded with dateutil, across a DST change; RFC 5545 line folding and CRLF; nothing
guessed, nothing personal beyond the medicine's name and dosage."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from itertools import islice
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar, Component
from pydantic import ValidationError

from shared.domain.reading import Layer, Mode, Screen, read_text
from shared.domain.storage_keys import MAX_LINK_TTL_S
from shared.medication.facts import ScheduleFacts
from shared.medication.ics import build_calendar
from shared.medication.recurrence import build_rule
from shared.settings import Settings

BERLIN = ZoneInfo("Europe/Berlin")
# Europe/Berlin moves to summer time on Sunday 29 March 2026 (02:00 -> 03:00).
TODAY = date(2026, 3, 25)  # a Wednesday
NOW = datetime(2026, 3, 25, 9, 30, tzinfo=UTC)


def ics(*schedules: ScheduleFacts, zone: str = "Europe/Berlin", lang: str = "en") -> bytes:
    tz = ZoneInfo(zone) if not zone.startswith(("+", "-")) else timezone(timedelta(hours=3))
    data = build_calendar(list(schedules), zone, tz, TODAY, NOW, lang, uid_seed="patient-1")
    assert data is not None
    return data


def expand(event: Component, doses: int) -> list[datetime]:
    """The event's first doses, as dateutil expands its DTSTART and RRULE."""
    value = event["RRULE"].to_ical()
    rule = rrulestr(value.decode() if isinstance(value, bytes) else str(value),
                    dtstart=event.decoded("DTSTART"))
    return list(islice(rule, doses))


def events(data: bytes) -> dict[str, list[datetime]]:
    """SUMMARY -> the first doses of each event, expanded with dateutil (sorted)."""
    out: dict[str, list[datetime]] = {}
    for event in Calendar.from_ical(data).walk("VEVENT"):
        out.setdefault(str(event["SUMMARY"]), []).extend(expand(event, 10))
    return {k: sorted(v) for k, v in out.items()}


def test_daily_doses_keep_their_local_time_across_the_dst_change() -> None:
    data = ics(ScheduleFacts("aspirin", "100 mg", times=("08:00", "20:00")))
    doses = events(data)["aspirin 100 mg"]
    assert all(d.astimezone(BERLIN).strftime("%H:%M") in ("08:00", "20:00") for d in doses)
    utc = {d.astimezone(BERLIN).date(): d.astimezone(UTC).hour for d in doses
           if d.astimezone(BERLIN).hour == 8}
    assert utc[date(2026, 3, 28)] == 7 and utc[date(2026, 3, 29)] == 6  # the DST week
    calendar = Calendar.from_ical(data)
    [vtimezone] = calendar.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Europe/Berlin"
    assert {str(e["DTSTART"].params["TZID"]) for e in calendar.walk("VEVENT")} == \
        {"Europe/Berlin"}


def test_a_weekly_drug_starts_on_its_weekday_never_on_the_day_asked() -> None:
    data = ics(ScheduleFacts("methotrexate", "2.5 mg", rule="FREQ=WEEKLY;BYDAY=MO",
                             times=("09:00",)))
    doses = events(data)["methotrexate 2.5 mg"]
    assert {d.weekday() for d in doses} == {0}
    assert doses[0] == datetime(2026, 3, 30, 9, 0, tzinfo=BERLIN)  # not Wednesday 25th
    [event] = Calendar.from_ical(data).walk("VEVENT")
    assert event.decoded("DTSTART") == doses[0]  # DTSTART is on the rule (RFC 5545)


def test_courses_keep_their_count_and_their_until_in_utc() -> None:
    counted = ScheduleFacts("amoxicillin", "500 mg", rule="FREQ=DAILY;COUNT=5",
                            times=("08:00",), start=date(2026, 3, 27))
    ending = ScheduleFacts("prednisone", "", rule=build_rule("DAILY", until=date(2026, 3, 30)),
                           times=("21:00",), start=TODAY)
    data = ics(counted, ending)
    doses = events(data)
    assert [d.date().day for d in doses["amoxicillin 500 mg"]] == [27, 28, 29, 30, 31]
    assert [d.date().day for d in doses["prednisone"]] == [25, 26, 27, 28, 29, 30]
    text = data.decode()
    # UNTIL beside a zoned DTSTART is UTC: the end of 30 March in Berlin (CEST) = 21:59:59Z.
    assert "UNTIL=20260330T215959Z" in text and "COUNT=5" in text


def test_every_n_hours_and_every_other_day() -> None:
    data = ics(ScheduleFacts("ibuprofen", "", rule="FREQ=HOURLY;INTERVAL=8", times=("06:00",),
                             start=TODAY),
               ScheduleFacts("vitamin d", "", rule="FREQ=DAILY;INTERVAL=2", times=("08:00",),
                             start=date(2026, 3, 24)))
    doses = events(data)
    assert [d.strftime("%d %H:%M") for d in doses["ibuprofen"][:4]] == \
        ["25 06:00", "25 14:00", "25 22:00", "26 06:00"]
    assert [d.day for d in doses["vitamin d"][:3]] == [24, 26, 28]


def test_nothing_is_guessed_and_as_needed_has_no_events() -> None:
    unknown = [
        ScheduleFacts("ibuprofen", as_needed=True, max_per_day=4),  # no times
        ScheduleFacts("mtx", rule="FREQ=WEEKLY", times=("09:00",)),  # which weekday?
        ScheduleFacts("d3", rule="FREQ=DAILY;INTERVAL=2", times=("08:00",)),  # which days?
        ScheduleFacts("abx", rule="FREQ=DAILY;COUNT=5", times=("08:00",)),  # from when?
        ScheduleFacts("old", rule="FREQ=DAILY;COUNT=2", times=("08:00",),
                      start=date(2026, 3, 1)),  # finished
    ]
    assert build_calendar(unknown, "Europe/Berlin", BERLIN, TODAY, NOW, "en", "p") is None
    data = ics(*unknown, ScheduleFacts("aspirin", times=("08:00",)))
    assert list(events(data)) == ["aspirin"]


def test_lines_are_folded_at_75_octets_with_crlf_and_alarms_display() -> None:
    long_name = "очень длинное название лекарства с подробностями " * 3
    data = ics(ScheduleFacts(long_name.strip(), "1 таблетка", times=("08:00",)), lang="ru")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert any(line.startswith(b" ") for line in data.split(b"\r\n"))  # folded
    [event] = Calendar.from_ical(data).walk("VEVENT")
    assert str(event["SUMMARY"]) == f"{long_name.strip()} 1 таблетка"
    [alarm] = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY" and alarm.decoded("TRIGGER") == timedelta(0)
    assert str(alarm["DESCRIPTION"]).startswith("Пора принять: ")


def test_only_what_the_patient_typed_leaves_and_uids_are_stable() -> None:
    one = ics(ScheduleFacts("aspirin", "100 mg", times=("08:00",)))
    again = build_calendar([ScheduleFacts("aspirin", "100 mg", times=("08:00",))],
                           "Europe/Berlin", BERLIN, TODAY, NOW + timedelta(days=1), "en",
                           uid_seed="patient-1")
    assert again is not None
    uid = str(Calendar.from_ical(one).walk("VEVENT")[0]["UID"])
    assert uid == str(Calendar.from_ical(again).walk("VEVENT")[0]["UID"])
    assert "patient-1" not in one.decode()
    fields = {k for e in Calendar.from_ical(one).walk("VEVENT") for k in e}
    assert fields == {"SUMMARY", "DTSTART", "DURATION", "DTSTAMP", "UID", "RRULE", "TRANSP"}


def test_a_fixed_offset_zone_is_written_in_utc() -> None:
    data = ics(ScheduleFacts("aspirin", times=("08:00",)), zone="+03:00")
    [event] = Calendar.from_ical(data).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2026, 3, 25, 5, 0, tzinfo=UTC)
    assert b"VTIMEZONE" not in data


def test_add_to_calendar_is_read_in_every_mode_and_near_misses_are_not() -> None:
    def reading(text: str, mode: Mode = Mode.MENU) -> tuple[Layer, str]:
        found = read_text(text, Screen(mode=mode), lambda _t, _n: None)
        return found.layer, found.name

    for text in ("add to calendar", "Add my medicines to my calendar", "export to calendar",
                 "加入行事曆", "把用藥加入行事曆", "добавить в календарь",
                 "Добавь лекарства в календарь"):
        for mode in (Mode.MENU, Mode.EDUCATION, Mode.MEDICATION):
            assert reading(text, mode) == (Layer.MEDICATION, "calendar"), (text, mode)
    assert read_text("add to calendar", Screen(mode=Mode.TRANSLATION),
                     lambda _t, _n: None).ask_first
    for text in ("what is a calendar", "calendar of vaccines for children",
                 "календарь прививок", "行事曆怎麼用", "I took it"):
        assert reading(text)[1] != "calendar", text


def test_the_calendar_link_lifetime_is_a_setting_within_what_signed_links_allow() -> None:
    assert Settings().calendar_link_ttl_s == 3600
    assert Settings(calendar_link_ttl_s=604_800).calendar_link_ttl_s == MAX_LINK_TTL_S
    for wrong in (0, 59, MAX_LINK_TTL_S + 1):
        with pytest.raises(ValidationError):
            Settings(calendar_link_ttl_s=wrong)
