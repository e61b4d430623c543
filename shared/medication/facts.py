"""A medication's schedule as plain facts (pure), for the views built on it: the words
that describe it (describe.py), the phone's calendar (ics.py).

The fields are the schedule model's primitive fields (see recurrence.py for the rule
conventions), so a view never depends on how the model stores them:

* rule: an RFC 5545 RRULE value in dateutil's canonical form, None for every day;
* times: the local "HH:MM" the rule is applied from (one for an hourly rule);
* start: the local day of the first dose (None: not known, the rule runs from today);
* as_needed: no schedule at all, optionally with max_per_day.

The doses are the rule applied from each time on the start day: a course with COUNT=5
has five doses per time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Final

from dateutil.rrule import rrule, rrulestr

from shared.medication.recurrence import rule_freq

# Enough occurrences to find a course's last dose (COUNT is at most 1000).
_MAX_SCAN: Final = 5000


@dataclass(frozen=True)
class ScheduleFacts:
    name: str
    dosage: str = ""
    rule: str | None = None
    times: tuple[str, ...] = ()
    start: date | None = None
    as_needed: bool = False
    max_per_day: int | None = None


def rule_part(rule: str | None, key: str) -> str | None:
    """One part of a canonical rule ("INTERVAL" -> "2"), None when it has none."""
    for part in (rule or "").split(";"):
        name, _, value = part.partition("=")
        if name == key:
            return value
    return None


def interval(rule: str | None) -> int:
    return int(rule_part(rule, "INTERVAL") or "1")


def count(rule: str | None) -> int | None:
    value = rule_part(rule, "COUNT")
    return int(value) if value else None


def until(rule: str | None) -> date | None:
    """The last day of a course with an end date (UNTIL is a floating local end of day)."""
    value = rule_part(rule, "UNTIL")
    return datetime.strptime(value[:8], "%Y%m%d").date() if value else None


def freq(rule: str | None) -> str:
    return rule_freq(rule) if rule else "DAILY"


def _at(day: date, hhmm: str) -> datetime:
    hour, minute = hhmm.split(":")
    return datetime.combine(day, time(int(hour), int(minute)))


def last_day(facts: ScheduleFacts) -> date | None:
    """The local day of a course's last dose: UNTIL's day, or (COUNT) the day of the last
    occurrence counted from the start day, computed by dateutil. None for a schedule
    without an end, or a counted course whose start day is not known."""
    if facts.as_needed or facts.rule is None:
        return None
    end = until(facts.rule)
    if end is not None:
        return end
    if count(facts.rule) is None or facts.start is None or not facts.times:
        return None
    days = []
    for hhmm in facts.times:
        rule = rrulestr(facts.rule, dtstart=_at(facts.start, hhmm))
        assert isinstance(rule, rrule)  # canonical rules are single rules
        occurrences = list(rule.xafter(_at(facts.start, "00:00"), count=_MAX_SCAN, inc=True))
        if occurrences:
            days.append(occurrences[-1].date())
    return max(days) if days else None


def finished(facts: ScheduleFacts, today: date) -> bool:
    end = last_day(facts)
    return end is not None and end < today
