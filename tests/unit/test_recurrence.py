"""The schedule's recurrence (shared/features/medication/recurrence.py): every kind of
rule, in zones with and without DST, and what happens to a local time that does not
exist or exists twice."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

from shared.features.medication.recurrence import At, Schedule, localise

NY = ZoneInfo("America/New_York")  # DST 2026-03-08 02:00 -> 03:00, 2026-11-01 02:00 -> 01:00
LONDON = ZoneInfo("Europe/London")  # DST 2026-03-29 01:00 -> 02:00, 2026-10-25 02:00 -> 01:00
TAIPEI = ZoneInfo("Asia/Taipei")  # no DST (UTC+8)


def slots(at: At, zone: ZoneInfo, after: datetime, n: int) -> list[datetime]:
    found: list[datetime] = []
    cursor = after
    while len(found) < n:
        slot = at.next_after(cursor, zone)
        if slot is None:
            break
        found.append(slot)
        cursor = slot
    return found


def local(instants: list[datetime], zone: ZoneInfo) -> list[str]:
    return [i.astimezone(zone).strftime("%a %m-%d %H:%M") for i in instants]


# ------------------------------------------------------------------ daily (wall clock)
@pytest.mark.parametrize("zone", [NY, LONDON, TAIPEI])
def test_a_daily_dose_keeps_its_wall_time_across_both_dst_changes(zone: ZoneInfo) -> None:
    at = At("08:00", None, date(2026, 3, 1))
    spring = slots(at, zone, datetime(2026, 2, 28, 12, tzinfo=UTC), 40)
    autumn = slots(at, zone, datetime(2026, 10, 20, tzinfo=UTC), 20)
    for instant in spring + autumn:
        assert instant.astimezone(zone).strftime("%H:%M") == "08:00"
    # One a day, no day lost or doubled.
    days = [i.astimezone(zone).date() for i in spring]
    assert days == [date(2026, 3, 1) + timedelta(d) for d in range(40)]


def test_a_daily_schedule_from_before_rules_is_computed_as_it_always_was() -> None:
    # rule None, start None: shared/domain/schedule.next_occurrence, the stored doses'
    # slots do not move.
    from shared.domain.schedule import next_occurrence
    after = datetime(2026, 3, 8, 5, 0, tzinfo=UTC)
    for hhmm in ("00:30", "02:30", "08:00", "23:59"):
        assert At(hhmm).next_after(after, NY) == next_occurrence(hhmm, NY, after)


def test_a_time_in_the_spring_gap_lands_just_after_it_and_is_not_skipped() -> None:
    # 02:30 does not exist in New York on 2026-03-08: read with the offset before the
    # change, it is 03:30 EDT (24 h after the day before's 02:30 EST).
    at = At("02:30", "FREQ=DAILY", date(2026, 3, 6))
    got = slots(at, NY, datetime(2026, 3, 6, tzinfo=UTC), 4)
    assert local(got, NY) == ["Fri 03-06 02:30", "Sat 03-07 02:30", "Sun 03-08 03:30",
                              "Mon 03-09 02:30"]
    assert got[2] - got[1] == timedelta(hours=24)


def test_a_time_that_happens_twice_is_reminded_once_at_its_first_occurrence() -> None:
    at = At("01:30", "FREQ=DAILY", date(2026, 10, 31))
    got = slots(at, NY, datetime(2026, 10, 31, tzinfo=UTC), 3)
    assert local(got, NY) == ["Sat 10-31 01:30", "Sun 11-01 01:30", "Mon 11-02 01:30"]
    assert got[1] == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # EDT, the first 01:30


# ------------------------------------------------------------------ weekly
def test_a_weekly_dose_on_the_dst_sunday_is_at_its_wall_time_once() -> None:
    at = At("09:00", "FREQ=WEEKLY;BYDAY=SU", date(2026, 3, 1))
    got = slots(at, NY, datetime(2026, 3, 1, tzinfo=UTC), 3)
    assert local(got, NY) == ["Sun 03-01 09:00", "Sun 03-08 09:00", "Sun 03-15 09:00"]
    assert got[1] - got[0] == timedelta(days=7, hours=-1)  # the clock moved, not the dose
    got = slots(at, LONDON, datetime(2026, 10, 20, tzinfo=UTC), 2)
    assert local(got, LONDON) == ["Sun 10-25 09:00", "Sun 11-01 09:00"]


@pytest.mark.parametrize("zone", [NY, LONDON, TAIPEI])
def test_a_weekly_rule_falls_only_on_its_days(zone: ZoneInfo) -> None:
    at = At("20:00", "FREQ=WEEKLY;BYDAY=MO,TH", date(2026, 3, 2))
    got = slots(at, zone, datetime(2026, 3, 1, tzinfo=UTC), 20)
    assert {i.astimezone(zone).strftime("%a %H:%M") for i in got} == {"Mon 20:00",
                                                                       "Thu 20:00"}
    assert len({i.astimezone(zone).date() for i in got}) == 20


def test_a_weekly_rule_never_falls_before_its_start_day() -> None:
    at = At("09:00", "FREQ=WEEKLY;BYDAY=MO", date(2026, 3, 4))  # a Wednesday
    assert local(slots(at, TAIPEI, datetime(2026, 3, 1, tzinfo=UTC), 1), TAIPEI) == [
        "Mon 03-09 09:00"]


# ------------------------------------------------------------------ every N days
@pytest.mark.parametrize("zone", [NY, LONDON, TAIPEI])
def test_every_other_day_counts_days_from_the_start_across_dst(zone: ZoneInfo) -> None:
    at = At("08:00", "FREQ=DAILY;INTERVAL=2", date(2026, 3, 1))
    got = slots(at, zone, datetime(2026, 2, 28, tzinfo=UTC), 20)
    days = [i.astimezone(zone).date() for i in got]
    assert days == [date(2026, 3, 1) + timedelta(2 * n) for n in range(20)]
    assert {i.astimezone(zone).strftime("%H:%M") for i in got} == {"08:00"}


# ------------------------------------------------------------------ every N hours
def test_every_8_hours_is_elapsed_time_across_the_spring_change() -> None:
    at = At("06:00", "FREQ=HOURLY;INTERVAL=8", date(2026, 3, 7))
    got = slots(at, NY, datetime(2026, 3, 7, tzinfo=UTC), 6)
    assert all(b - a == timedelta(hours=8) for a, b in pairwise(got))
    assert local(got, NY) == ["Sat 03-07 06:00", "Sat 03-07 14:00", "Sat 03-07 22:00",
                              "Sun 03-08 07:00", "Sun 03-08 15:00", "Sun 03-08 23:00"]


def test_every_6_hours_is_elapsed_time_across_the_autumn_change_in_london() -> None:
    at = At("00:00", "FREQ=HOURLY;INTERVAL=6", date(2026, 10, 24))
    got = slots(at, LONDON, datetime(2026, 10, 23, tzinfo=UTC), 8)
    assert all(b - a == timedelta(hours=6) for a, b in pairwise(got))
    assert local(got, LONDON)[3:7] == ["Sat 10-24 18:00", "Sun 10-25 00:00",
                                       "Sun 10-25 05:00", "Sun 10-25 11:00"]
    assert len(set(got)) == 8  # none twice in the repeated hour


def test_every_8_hours_in_taipei_is_three_wall_times_a_day() -> None:
    at = At("07:00", "FREQ=HOURLY;INTERVAL=8", date(2026, 3, 1))
    got = slots(at, TAIPEI, datetime(2026, 2, 28, tzinfo=UTC), 9)
    assert {i.astimezone(TAIPEI).strftime("%H:%M") for i in got} == {"07:00", "15:00",
                                                                       "23:00"}


# ------------------------------------------------------------------ courses
def test_a_course_with_count_has_that_many_slots_then_none() -> None:
    at = At("08:00", "FREQ=DAILY;COUNT=5", date(2026, 3, 6))
    got = slots(at, NY, datetime(2026, 3, 1, tzinfo=UTC), 99)
    assert local(got, NY) == ["Fri 03-06 08:00", "Sat 03-07 08:00", "Sun 03-08 08:00",
                              "Mon 03-09 08:00", "Tue 03-10 08:00"]
    assert at.next_after(got[-1], NY) is None


def test_a_course_until_a_day_includes_that_whole_day_in_the_zone() -> None:
    at = At("21:00", "FREQ=DAILY;UNTIL=20261026T235959", date(2026, 10, 23))
    got = slots(at, LONDON, datetime(2026, 10, 22, tzinfo=UTC), 99)
    assert local(got, LONDON) == ["Fri 10-23 21:00", "Sat 10-24 21:00", "Sun 10-25 21:00",
                                  "Mon 10-26 21:00"]


def test_an_hourly_course_until_a_day_ends_at_that_local_midnight() -> None:
    at = At("06:00", "FREQ=HOURLY;INTERVAL=8;UNTIL=20260308T235959", date(2026, 3, 7))
    got = slots(at, NY, datetime(2026, 3, 7, tzinfo=UTC), 99)
    assert local(got, NY)[-1] == "Sun 03-08 23:00"
    assert len(got) == 6


def test_the_last_slot_of_a_schedule_is_its_course_end() -> None:
    schedule = Schedule.of(["08:00", "20:00"], "FREQ=DAILY;COUNT=3", date(2026, 3, 7))
    last = schedule.last_slot(NY)
    assert last is not None and local([last], NY) == ["Mon 03-09 20:00"]
    assert Schedule.of(["08:00"]).last_slot(NY) is None


# ------------------------------------------------------------------ the value object
def test_a_schedule_keeps_its_rule_when_times_are_added_or_removed() -> None:
    weekly = Schedule.of(["09:00"], "FREQ=WEEKLY;BYDAY=MO", date(2026, 3, 2))
    more = weekly.plus(["21:00"])
    assert more.rule == "FREQ=WEEKLY;BYDAY=MO" and more.times == ("09:00", "21:00")
    assert more.minus(["09:00"]).rule == "FREQ=WEEKLY;BYDAY=MO"
    assert all(a.rule == weekly.rule for a in more.recurrences().values())


def test_kinds_of_schedule() -> None:
    assert Schedule.of(["08:00"]).daily
    assert not Schedule.of(["08:00"], "FREQ=WEEKLY;BYDAY=MO").daily
    assert Schedule.of(["08:00"], "FREQ=DAILY;COUNT=5").course
    assert Schedule.of(["08:00"], "FREQ=DAILY;UNTIL=20260301T235959").course
    assert not Schedule.of(["08:00"], "FREQ=HOURLY;INTERVAL=8").course
    as_needed = Schedule(as_needed=True, max_per_day=4)
    assert not as_needed.daily and as_needed.recurrences() == {}


# ------------------------------------------------------------------ skipping whole periods
@pytest.mark.parametrize("rule", [
    "FREQ=DAILY", "FREQ=DAILY;INTERVAL=3", "FREQ=WEEKLY;BYDAY=MO,TH",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU", "FREQ=HOURLY;INTERVAL=5", "FREQ=HOURLY;INTERVAL=8",
    "FREQ=DAILY;UNTIL=20270301T235959",
])
@pytest.mark.parametrize("zone", [NY, LONDON, TAIPEI])
def test_next_after_equals_iterating_the_rule_from_its_first_day(rule: str,
                                                                  zone: ZoneInfo) -> None:
    # A rule running for years starts its iteration whole periods later (At._near):
    # the answer must be the one iterating from the start day gives.
    at = At("07:30", rule, date(2024, 2, 27))
    first = datetime(2024, 2, 27, 7, 30)
    hourly = "HOURLY" in rule
    full = rrulestr(rule, dtstart=localise(first, zone).replace(tzinfo=None) if hourly
                    else first)
    instants = [o.replace(tzinfo=UTC) if hourly else localise(o, zone)
                for o in full.between(datetime(2024, 2, 1), datetime(2027, 4, 1))]
    rng = random.Random(rule + str(zone))
    for _ in range(40):
        after = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(1_600_000))
        expected = next((i for i in instants if i > after), None)
        assert at.next_after(after, zone) == expected, after
