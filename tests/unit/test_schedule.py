"""Schedule maths: time zones, DST gaps and overlaps, midnight, the date line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.schedule import (
    local_label,
    next_occurrence,
    normalize_hhmm,
    parse_zone,
    resolve_zone,
    slot_key,
)
from shared.features.medication.model import DailyAt, Dose, SlotStatus


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def zone(name: str):
    tz = parse_zone(name)
    assert tz is not None
    return tz


@pytest.mark.parametrize(
    ("text", "name", "offset_h"),
    [("Europe/Berlin", "Europe/Berlin", 1), ("asia/taipei", "Asia/Taipei", 8),
     ("+03:00", "+03:00", 3), ("+3", "+03:00", 3), ("UTC+05:30", "+05:30", 5.5),
     ("GMT-8", "-08:00", -8), ("-0930", "-09:30", -9.5), ("utc", "UTC", 0),
     ("+14:00", "+14:00", 14)],
)
def test_zones_resolve_to_a_canonical_name(text, name, offset_h):
    resolved = resolve_zone(text)
    assert resolved is not None
    assert resolved[0] == name
    assert resolved[1].utcoffset(datetime(2026, 1, 5)) == timedelta(hours=offset_h)


@pytest.mark.parametrize("text", ["", "Mars/Olympus", "+15:00", "+03:75", "../../etc/passwd",
                                  "/etc/localtime", "Europe/"])
def test_unknown_zones_are_refused(text):
    assert resolve_zone(text) is None


@pytest.mark.parametrize(("text", "hhmm"), [("8:00", "08:00"), ("08:05", "08:05"),
                                            ("23:59", "23:59"), ("24:00", None), ("8", None)])
def test_times_normalize(text, hhmm):
    assert normalize_hhmm(text) == hhmm


def test_a_time_later_today_is_today_and_an_earlier_one_is_tomorrow():
    taipei = zone("Asia/Taipei")  # 09:00 UTC = 17:00 in Taipei
    now = utc(2026, 1, 5, 9, 0)
    assert next_occurrence("20:00", taipei, now) == utc(2026, 1, 5, 12, 0)
    assert next_occurrence("08:00", taipei, now) == utc(2026, 1, 6, 0, 0)


def test_strictly_after_so_the_current_minute_is_not_repeated():
    assert next_occurrence("09:00", zone("UTC"), utc(2026, 1, 5, 9, 0)) == utc(2026, 1, 6, 9, 0)


def test_midnight_belongs_to_the_next_local_day():
    berlin = zone("Europe/Berlin")
    now = utc(2026, 1, 5, 22, 30)  # 23:30 in Berlin
    assert next_occurrence("00:00", berlin, now) == utc(2026, 1, 5, 23, 0)
    assert local_label(utc(2026, 1, 5, 23, 0), berlin) == "2026-01-06 00:00"


@pytest.mark.parametrize(
    ("name", "day_before", "gap_time", "expected"),
    [  # spring forward: the wall time 02:30 does not exist; it fires just after the gap
        ("Europe/Berlin", utc(2026, 3, 28, 12), "02:30", utc(2026, 3, 29, 1, 30)),
        ("America/New_York", utc(2026, 3, 7, 12), "02:30", utc(2026, 3, 8, 7, 30)),
    ],
)
def test_a_time_inside_the_spring_gap_fires_once_just_after_it(name, day_before, gap_time,
                                                              expected):
    tz = zone(name)
    first = next_occurrence(gap_time, tz, day_before)
    assert first == expected
    assert local_label(first, tz)[-5:] == "03:30"
    following = next_occurrence(gap_time, tz, first)
    assert local_label(following, tz)[-5:] == "02:30"
    assert following - first == timedelta(hours=23)  # 03:30 -> 02:30 summer time next day


@pytest.mark.parametrize(
    ("name", "day_before", "time", "first"),
    [  # fall back: the wall time happens twice; remind at the first only
        ("Europe/Berlin", utc(2026, 10, 24, 12), "02:30", utc(2026, 10, 25, 0, 30)),
        ("America/New_York", utc(2026, 10, 31, 12), "01:30", utc(2026, 11, 1, 5, 30)),
    ],
)
def test_a_time_inside_the_autumn_overlap_fires_once(name, day_before, time, first):
    tz = zone(name)
    assert next_occurrence(time, tz, day_before) == first
    following = next_occurrence(time, tz, first)
    assert following.date() > first.date()
    assert local_label(following, tz)[-5:] == time


def test_a_daily_time_keeps_its_wall_clock_across_dst():
    berlin = zone("Europe/Berlin")
    at, seen = utc(2026, 3, 27, 0), []
    for _ in range(4):
        at = next_occurrence("08:00", berlin, at)
        seen.append(at)
    assert [local_label(s, berlin)[-5:] for s in seen] == ["08:00"] * 4
    assert seen[0].hour == 7 and seen[-1].hour == 6  # CET -> CEST


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Pacific/Kiritimati", utc(2026, 1, 5, 18, 0)),  # UTC+14: already 23:00 on the 5th
     ("Pacific/Pago_Pago", utc(2026, 1, 5, 19, 0))],  # UTC-11: still 22:00 on the 4th
)
def test_the_date_line(name, expected):
    assert next_occurrence("08:00", zone(name), utc(2026, 1, 5, 9, 0)) == expected


def test_a_skipped_calendar_day_still_reminds_once_a_day():
    apia = zone("Pacific/Apia")  # Samoa skipped 2011-12-30 moving across the date line
    first = next_occurrence("08:00", apia, utc(2011, 12, 29, 20))
    assert local_label(first, apia) == "2011-12-31 08:00"
    assert local_label(next_occurrence("08:00", apia, first), apia) == "2012-01-01 08:00"


def test_fixed_offsets():
    plus3 = zone("+03:00")
    assert next_occurrence("08:00", plus3, utc(2026, 1, 5, 4, 59)) == utc(2026, 1, 5, 5, 0)


# --------------------------------------------------------------------------- dose state
HOUR = timedelta(hours=1)


def dose(now: datetime, hhmm: str = "08:00", zone_name: str = "UTC") -> Dose:
    return Dose.first("d", "u", "m", "aspirin", "", DailyAt(hhmm), zone_name, now)


def test_a_new_slot_starts_then_repeats_hourly_until_the_next_slot():
    d = dose(utc(2026, 1, 5, 7))
    step = d.tick(utc(2026, 1, 5, 8), HOUR)
    assert step.remind and step.missed is None
    assert d.pending is not None and d.pending.slot == slot_key(utc(2026, 1, 5, 8))
    assert d.next_due_at == utc(2026, 1, 5, 9)
    again = d.tick(utc(2026, 1, 5, 9), HOUR)
    assert again.remind and d.pending.sent == 2


def test_the_next_slot_marks_the_pending_one_missed():
    d = dose(utc(2026, 1, 5, 7))
    d.tick(utc(2026, 1, 5, 8), HOUR)
    d.next_due_at = d.next_slot_at
    step = d.tick(utc(2026, 1, 6, 8), HOUR)
    assert step.missed is not None and step.missed.slot == slot_key(utc(2026, 1, 5, 8))
    assert step.missed.status is SlotStatus.MISSED
    assert d.pending is not None and d.pending.slot == slot_key(utc(2026, 1, 6, 8))


def test_repeats_stop_at_the_next_slot():
    d = dose(utc(2026, 1, 5, 7), "08:30")
    d.tick(utc(2026, 1, 5, 8, 30), timedelta(hours=48))
    assert d.next_due_at == utc(2026, 1, 6, 8, 30)


def test_closing_a_slot_waits_for_the_next_one():
    d = dose(utc(2026, 1, 5, 7))
    d.tick(utc(2026, 1, 5, 8), HOUR)
    entry = d.settle(SlotStatus.TAKEN, utc(2026, 1, 5, 8, 5))
    assert entry is not None and entry.slot == slot_key(utc(2026, 1, 5, 8))
    assert d.pending is None and d.next_due_at == utc(2026, 1, 6, 8)
    assert d.settle(SlotStatus.TAKEN, utc(2026, 1, 5, 8, 6)) is None  # nothing pending


def test_a_due_dose_with_nothing_pending_only_waits():
    d = dose(utc(2026, 1, 5, 7))
    d.next_due_at = utc(2026, 1, 5, 7)
    step = d.tick(utc(2026, 1, 5, 7, 30), HOUR)
    assert not step.remind and d.next_due_at == utc(2026, 1, 5, 8)


def test_rezoning_keeps_the_wall_time():
    d = dose(utc(2026, 1, 5, 7), "08:00", "UTC")
    d.rezone("Asia/Taipei", utc(2026, 1, 5, 7))
    assert d.next_slot_at == utc(2026, 1, 6, 0) == d.next_due_at
    assert d.timezone == "Asia/Taipei"
