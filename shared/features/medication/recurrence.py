"""A medication's schedule as a value object (pure): an RFC 5545 recurrence rule
(python-dateutil's rrule; shared/medication/recurrence.py for the rule conventions)
applied from each of its local wall times on its start day, or "as needed".

    Schedule(times=("09:00",), rule="FREQ=WEEKLY;BYDAY=MO,TH", start=date(2026, 3, 2))
    Schedule(times=("08:00", "20:00"))                         every day (rule None)
    Schedule(times=("06:00",), rule="FREQ=HOURLY;INTERVAL=8", start=...)
    Schedule(times=("08:00",), rule="FREQ=DAILY;COUNT=5", start=...)   a 5-day course
    Schedule(as_needed=True, max_per_day=4)                    no reminders at all

Each time is one dose (`At`): its rule from that time on the start day. COUNT counts the
slots of each time ("for 5 days" at 08:00 and 20:00 is 5 + 5 doses); UNTIL is the last
day, inclusive. A dose whose rule has no slot left is finished (`next_after` is None).

Time zones, decided for patients (tests/unit/test_recurrence.py):

* Rules in days and weeks follow the WALL CLOCK: a dose at 08:00 is at 08:00 local
  time before and after a DST change, so a weekly dose on the Sunday of the change is
  still at its time. The rule's occurrences are naive local times, each then placed in
  the zone with zoneinfo's fold=0:
  - a local time that does not exist (the spring gap, 02:30 in New York) is read with
    the offset before the change and lands just after the gap (03:30): the dose comes
    an hour "late" by the clock but 24 h after the day before, and is never skipped;
  - a local time that happens twice (01:30 on the autumn night) is the FIRST of the
    two: the dose is reminded once, never twice.
* "Every N hours" is ELAPSED time: the interval between two doses of an antibiotic or
  a painkiller is what matters to the body, so the doses stay exactly N hours apart
  across a DST change, and their wall times shift by the change (every 8 hours from
  06:00 is 06:00, 14:00, 22:00 in winter time and 07:00, 15:00, 23:00 after the spring
  change). The first dose is the start day's time placed in the zone as above; UNTIL
  (the last local day) is turned into an instant in the zone.

A daily schedule from before rules (rule None, start None) is computed exactly as it
always was (shared/domain/schedule.next_occurrence), so its stored doses do not move.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Final, Protocol

from dateutil.rrule import rrule, rrulestr

from shared.domain.schedule import next_occurrence, parse_hhmm
from shared.medication.recurrence import rule_freq

# A rule read without a start day is anchored here (weekly rules do not depend on it).
_ANCHOR: Final = date(2000, 1, 3)  # a Monday
# How long the last slot of a course stays answerable when no slot follows it.
_LAST_SLOT_OPEN: Final = timedelta(hours=24)


class Recurrence(Protocol):
    """When a dose falls due."""

    def next_after(self, after: datetime, zone: tzinfo) -> datetime | None:
        """The first instant (UTC) strictly after `after`; None when no slot is left."""
        ...


def localise(naive: datetime, zone: tzinfo) -> datetime:
    """A local wall time as a UTC instant (fold=0: see the module's docstring)."""
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


@lru_cache(maxsize=1024)  # parsed rules only (no occurrence cache: memory stays small)
def _rule(rule: str, dtstart: datetime) -> rrule:
    parsed = rrulestr(rule, dtstart=dtstart)
    assert isinstance(parsed, rrule)  # canonical rules are single rules
    return parsed


@dataclass(frozen=True)
class At:
    """One dose of a schedule: `rule` applied from the local wall time `time` on the day
    `start` (rule None: every day)."""

    time: str  # "HH:MM"
    rule: str | None = None
    start: date | None = None

    @property
    def hourly(self) -> bool:
        return self.rule is not None and rule_freq(self.rule) == "HOURLY"

    def _dtstart(self) -> datetime:
        hhmm = parse_hhmm(self.time)
        if hhmm is None:
            raise ValueError("time must be HH:MM")
        return datetime.combine(self.start or _ANCHOR, time(*hhmm))

    def next_after(self, after: datetime, zone: tzinfo) -> datetime | None:
        if self.rule is None and self.start is None:
            return next_occurrence(self.time, zone, after)  # as before rules existed
        if self.hourly:
            return self._next_elapsed(after, zone)
        # From a day before `after`'s local date: an offset of up to 14 h either way.
        cursor = after.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
        rule = _rule(self.rule or "FREQ=DAILY", self._near(self._dtstart(), cursor))
        for local in rule.xafter(cursor, inc=True):
            instant = localise(local, zone)
            if instant > after:
                return instant
        return None

    def _next_elapsed(self, after: datetime, zone: tzinfo) -> datetime | None:
        """Every N hours: iterated in UTC from the first dose's instant."""
        assert self.rule is not None
        first = localise(self._dtstart(), zone).replace(tzinfo=None)
        cursor = after.astimezone(UTC).replace(tzinfo=None)
        rule = _rule(_without_until(self.rule), self._near(first, cursor))
        last_day = _until(self.rule)
        if last_day is not None:
            end = localise(datetime.combine(last_day, time(23, 59, 59)), zone)
            rule = rule.replace(until=end.replace(tzinfo=None))
        found = rule.after(cursor)
        return found.replace(tzinfo=UTC) if found is not None else None

    def _near(self, dtstart: datetime, cursor: datetime) -> datetime:
        """A start with the same occurrences from `cursor` on, whole periods of the rule
        later (a rule running for years is not iterated from its first day on every
        tick). A COUNT rule keeps its start: its count is of slots from the first."""
        rule = self.rule or "FREQ=DAILY"
        parts = _parts(rule)
        if "COUNT" in parts:
            return dtstart
        unit = {"HOURLY": timedelta(hours=1), "DAILY": timedelta(days=1),
                "WEEKLY": timedelta(weeks=1)}[parts["FREQ"]]
        period = unit * int(parts.get("INTERVAL", "1"))
        skip = (cursor - dtstart) // period - 1
        return dtstart + period * skip if skip > 0 else dtstart

    def open_after_last(self) -> timedelta:
        """How long the LAST slot of a course stays answerable (no slot follows it):
        the rule's interval, at most a day."""
        if self.hourly:
            return min(_LAST_SLOT_OPEN, timedelta(hours=_interval(self.rule or "")))
        return _LAST_SLOT_OPEN

    def slots(self, zone: tzinfo) -> Iterator[datetime]:
        """Every slot of a finite rule, in order (a course: COUNT or UNTIL), in one pass
        over the rule."""
        if self.rule is None:
            return
        if self.hourly:
            first = localise(self._dtstart(), zone).replace(tzinfo=None)
            rule = _rule(_without_until(self.rule), first)
            last_day = _until(self.rule)
            if last_day is not None:
                end = localise(datetime.combine(last_day, time(23, 59, 59)), zone)
                rule = rule.replace(until=end.replace(tzinfo=None))
            yield from (o.replace(tzinfo=UTC) for o in rule)
            return
        yield from (localise(o, zone) for o in _rule(self.rule, self._dtstart()))


def _parts(rule: str) -> dict[str, str]:
    return dict(p.split("=", 1) for p in rule.split(";") if "=" in p)


def _interval(rule: str) -> int:
    return int(_parts(rule).get("INTERVAL", "1"))


def _until(rule: str) -> date | None:
    until = _parts(rule).get("UNTIL")
    return datetime.strptime(until[:8], "%Y%m%d").date() if until else None


def _without_until(rule: str) -> str:
    return ";".join(p for p in rule.split(";") if not p.startswith("UNTIL="))


def finite(rule: str | None) -> bool:
    """A course: the rule ends (COUNT or UNTIL)."""
    return rule is not None and any(k in _parts(rule) for k in ("COUNT", "UNTIL"))


@dataclass(frozen=True)
class Schedule:
    """A medication's schedule (what i14-extras describes in words, what the tick
    follows). Fields are plain on purpose:

    rule         canonical RRULE value (no DTSTART); None = every day
    times        local wall times "HH:MM", sorted, distinct; one dose each (an hourly
                 rule has one: its first dose)
    start        the local first day; None for daily schedules stored before rules
                 existed (every day, from whenever they were added)
    as_needed    no reminders, no doses: taking is logged when the patient says so
    max_per_day  as needed: at most this many a day (a warning, never a refusal)
    """

    times: tuple[str, ...] = ()
    rule: str | None = None
    start: date | None = None
    as_needed: bool = False
    max_per_day: int | None = None

    @classmethod
    def of(cls, times: Iterable[str], rule: str | None = None, start: date | None = None,
           as_needed: bool = False, max_per_day: int | None = None) -> Schedule:
        return cls(tuple(sorted(set(times))), rule, start, as_needed, max_per_day)

    @property
    def daily(self) -> bool:
        """Every day at its times (the schedule every medication had before rules)."""
        return self.rule is None and not self.as_needed

    @property
    def course(self) -> bool:
        return finite(self.rule)

    def at(self, hhmm: str) -> At:
        return At(hhmm, self.rule, self.start)

    def recurrences(self) -> dict[str, At]:
        return {hhmm: self.at(hhmm) for hhmm in self.times}

    def same_rule(self, other: Schedule) -> bool:
        """The same recurrence (times aside): adding times of one to the other changes
        no dose's frequency."""
        return (self.rule, self.start, self.as_needed) == (other.rule, other.start,
                                                           other.as_needed)

    def plus(self, times: Iterable[str]) -> Schedule:
        return replace(self, times=tuple(sorted({*self.times, *times})))

    def minus(self, times: Iterable[str]) -> Schedule:
        gone = set(times)
        return replace(self, times=tuple(h for h in self.times if h not in gone))

    def last_slot(self, zone: tzinfo) -> datetime | None:
        """A course's last slot (UTC); None for a schedule that does not end."""
        if not self.course or not self.times:
            return None
        ends = [max(self.at(h).slots(zone), default=None) for h in self.times]
        return max((e for e in ends if e is not None), default=None)


# Before rules existed a dose's recurrence was DailyAt(time): At(time) is exactly that,
# and the name stays for the code and tests that build daily doses.
DailyAt = At
