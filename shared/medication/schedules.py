"""One medication's schedule from the fragments and times of its part of a message.

`build_schedule` combines what the phrases said (schedule_slots.Fragment) with the clock
times into the item's rrule, times, as_needed, max_per_day, doses_per_day and start, or
raises Unsure when they contradict or leave a guess to make. Safety first:

* a weekly word never yields a daily schedule: a weekday named once ("on Monday") with no
  "every"/plural/weekly word is refused (this Monday, or every Monday?);
* a count of doses that does not match the times given ("twice a day at 8") is refused;
* "every 8 hours" with several times is accepted only when they are exactly that grid
  (then it is a daily schedule at those times); the first dose of an hourly rule is one
  time, or none (the dialog asks);
* a period word ("every evening") must agree with every time ("at 8" -> refused);
* as needed has no times and no rule; a daily maximum alone means as needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from shared.medication.recurrence import Freq, RuleError, build_rule
from shared.medication.schedule_slots import Fragment
from shared.medication.times import ClockTime, Period, Unsure

_ALL_DAYS = frozenset(range(7))
_FITS: dict[Period, range | tuple[range, ...]] = {
    Period.MORNING: range(4, 12),
    Period.AFTERNOON: range(12, 18),
    Period.EVENING: range(17, 24),
    Period.NIGHT: (range(20, 24), range(0, 5)),
}


@dataclass(frozen=True)
class Schedule:
    rrule: str | None = None
    as_needed: bool = False
    max_per_day: int | None = None
    doses_per_day: int | None = None
    start: date | None = None
    times: tuple[ClockTime, ...] = ()


def _fits(period: Period, hour: int) -> bool:
    allowed = _FITS.get(period)
    if allowed is None:
        return True
    ranges = allowed if isinstance(allowed, tuple) else (allowed,)
    return any(hour in r for r in ranges)


def _is_grid(times: list[ClockTime], hours: int) -> bool:
    """True when the times are every `hours` hours round the clock (8, 16, 0 for 8)."""
    if 24 % hours or len(times) != 24 // hours:
        return False
    minutes = sorted(t.hour * 60 + t.minute for t in times)
    gaps = {(b - a) % 1440 for a, b in zip(minutes, [*minutes[1:], minutes[0]], strict=True)}
    return gaps == {hours * 60}


def _weekly(f: Fragment) -> bool:
    return bool(f.days is not None or f.weekly or f.per_week or f.week_interval or f.except_days)


def _as_needed(f: Fragment, times: list[ClockTime]) -> Schedule:
    scheduled = (
        times or _weekly(f) or f.daily or f.day_interval or f.hour_interval or f.per_day
        or f.course_days or f.until or f.start or f.bare_start or f.start_time
    )
    if scheduled:
        raise Unsure("as needed and a schedule at once")
    return Schedule(as_needed=True, max_per_day=f.max_per_day)


def _week_days(f: Fragment) -> frozenset[int] | None:
    days = f.days
    if f.except_days:
        days = (days if days is not None else _ALL_DAYS) - f.except_days
    elif days is not None and not (f.recurring_days or f.weekly or f.week_interval or f.per_week):
        raise Unsure("one weekday named: this one or every one?")
    if days is not None and f.daily and not f.except_days:
        raise Unsure("every day and some weekdays")
    if f.per_week and (len(days) != f.per_week if days else f.per_week > 1):
        raise Unsure("times a week without the same number of weekdays")
    if days is not None and not days:
        raise Unsure("no day left")
    return days


def _count(f: Fragment, freq: Freq, interval: int, days: frozenset[int] | None) -> int | None:
    """COUNT of a course of f.course_days days: doses per time, whole periods only."""
    if f.course_days is None:
        return None
    if freq == "HOURLY":
        hours = 24 * f.course_days
        if hours % interval:
            raise Unsure("a course that ends between two doses")
        return hours // interval
    if freq == "WEEKLY":
        weeks, rest = divmod(f.course_days, 7)
        if rest or weeks % interval:
            raise Unsure("a weekly course that is not whole weeks")
        return weeks // interval * max(1, len(days or ()))
    return math.ceil(f.course_days / interval)


def build_schedule(fragment: Fragment | None, times: list[ClockTime], today: date) -> Schedule:
    """The schedule of one medication (see module docstring); raises Unsure."""
    f = fragment or Fragment()
    if f.period and not all(_fits(f.period, t.hour) for t in times):
        raise Unsure("the times do not fit the period word")
    if f.as_needed or f.max_per_day is not None:
        return _as_needed(f, times)
    freq: Freq = "DAILY"
    interval = 1
    days: frozenset[int] | None = None
    if f.hour_interval:
        if _weekly(f) or f.day_interval or f.daily:
            raise Unsure("hours and days at once")
        if f.per_day and f.per_day * f.hour_interval != 24:
            raise Unsure("times a day do not match the hours")
        if len(times) > 1 and not _is_grid(times, f.hour_interval):
            raise Unsure("several first doses for an hourly rule")
        if len(times) <= 1:
            freq, interval = "HOURLY", f.hour_interval
    elif _weekly(f):
        if f.day_interval:
            raise Unsure("weekly and every N days at once")
        days = _week_days(f)
        freq, interval = "WEEKLY", f.week_interval or 1
        if days == _ALL_DAYS and interval == 1:
            freq, days = "DAILY", None
    elif f.day_interval:
        freq, interval = "DAILY", f.day_interval
    if f.start_time and not (freq == "HOURLY" and len(times) == 1):
        raise Unsure("a start time without an hourly rule")
    per_day = None
    if f.per_day and not f.hour_interval:
        if times and len(times) != f.per_day:
            raise Unsure("times a day do not match the times given")
        per_day = None if times else f.per_day
    if f.course_days and f.until:
        raise Unsure("a course length and an end day")
    course = f.course_days or f.until
    if f.bare_start and not course:
        raise Unsure("'tomorrow' without 'starting': once, or from then on?")
    start = f.start or f.bare_start
    if start and start < today:
        raise Unsure("a start in the past")
    if f.until and f.until < (start or today):
        raise Unsure("an end before the start")
    try:
        rule = build_rule(freq, interval, days or (), _count(f, freq, interval, days), f.until)
    except RuleError as error:
        raise Unsure(str(error)) from error
    if not times and rule is None and per_day is None:
        raise Unsure("no time for a new medication")
    return Schedule(rule, False, None, per_day, None if start == today else start, tuple(times))
