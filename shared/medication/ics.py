"""The patient's schedule as an iCalendar file (RFC 5545) that phones import (pure).

One VEVENT per medication time: DTSTART on the schedule's start day (today when it has
none) at that local time, in the patient's zone by TZID with its VTIMEZONE, the
schedule's RRULE (FREQ=DAILY for plain every day; a course keeps its COUNT, and its
UNTIL, a floating local end of day in the stored rule, becomes the UTC instant RFC 5545
requires with a zoned DTSTART), and a VALARM DISPLAY at the time. Built with the
icalendar package, which folds lines at 75 octets and ends them with CRLF.

Only what the patient typed leaves: the medicine's name and dosage. No account, chat or
user id (each UID is a hash), no notes. Left out, never guessed: as-needed medicines (no
times), finished courses, a weekly rule whose weekday is not known, an hourly rule
without its first time.

A zone given as a fixed offset ("+03:00") has no VTIMEZONE: its times are written in
UTC, which is the same instant every day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Final
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from icalendar import Alarm, Calendar, Event, vRecur

from shared.domain.i18n import t
from shared.domain.signatures import stable_id
from shared.medication.facts import (
    ScheduleFacts,
    count,
    finished,
    freq,
    interval,
    rule_part,
    until,
)
from shared.medication.recurrence import END_OF_DAY

PRODID: Final = "-//MedBot//Medication schedule//EN"
EVENT_MINUTES: Final = 15  # how long each dose shows in the calendar
TIMEZONE_YEARS: Final = 3  # the VTIMEZONE's transitions cover this long from the start
UTC: Final = ZoneInfo("UTC")


def schedulable(facts: ScheduleFacts, today: date) -> bool:
    """Whether the schedule has doses a calendar can show (see the module docstring)."""
    if facts.as_needed or not facts.times or finished(facts, today):
        return False
    if facts.start is None:
        # Without its start day a rule's days are unknown: which weekday (weekly without
        # BYDAY), which days of "every other day", where a count starts. Never a guess.
        weekday_missing = freq(facts.rule) == "WEEKLY" and rule_part(facts.rule, "BYDAY") is None
        phased = interval(facts.rule) > 1 or count(facts.rule) is not None
        return not (weekday_missing or phased)
    return True


def _first_dose(facts: ScheduleFacts, first_day: date, hhmm: str) -> datetime | None:
    """The local wall time of the first dose at `hhmm`: the rule's first occurrence on or
    after the start day (RFC 5545 leaves a DTSTART off the rule undefined, and a phone
    would show a weekly drug on the wrong day)."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    start = datetime.combine(first_day, time(hour, minute))
    if facts.rule is None:
        return start
    rule = rrulestr(facts.rule, dtstart=start)
    assert isinstance(rule, rrule)  # canonical rules are single rules
    return next(iter(rule), None)


def _rule(facts: ScheduleFacts, zone: tzinfo) -> vRecur:
    """The RRULE as RFC 5545 wants it beside a zoned DTSTART (UNTIL in UTC)."""
    parts = [p for p in (facts.rule or "FREQ=DAILY").split(";") if not p.startswith("UNTIL=")]
    last = until(facts.rule)
    if last is not None:
        end = datetime.combine(last, END_OF_DAY, zone).astimezone(UTC)
        parts.append(f"UNTIL={end:%Y%m%dT%H%M%SZ}")
    recur: vRecur = vRecur.from_ical(";".join(parts))
    return recur


def _event(facts: ScheduleFacts, hhmm: str, first: datetime, zone: tzinfo, zoned: bool,
           now: datetime, lang: str, uid_seed: str) -> Event:
    local = first.replace(tzinfo=zone)
    what = facts.name + (f" {facts.dosage}" if facts.dosage else "")
    event = Event()
    event.add("uid", f"{stable_id(uid_seed, facts.name.casefold(), hhmm)}@medbot")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", local if zoned else local.astimezone(UTC))
    event.add("duration", timedelta(minutes=EVENT_MINUTES))
    event.add("rrule", _rule(facts, zone))
    event.add("summary", what)
    event.add("transp", "TRANSPARENT")  # a dose does not make the patient busy
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", t(lang, "med.calendar.alarm", name=facts.name,
                               dosage=f" {facts.dosage}" if facts.dosage else ""))
    alarm.add("trigger", timedelta(0))
    event.add_component(alarm)
    return event


def build_calendar(schedules: Sequence[ScheduleFacts], zone_name: str, zone: tzinfo,
                   today: date, now: datetime, lang: str, uid_seed: str) -> bytes | None:
    """The .ics file of these schedules (None when none has a dose to show). `today` is
    the patient's local day; `uid_seed` makes the UIDs stable per patient, so importing
    the file again updates the events instead of doubling them."""
    zoned = isinstance(zone, ZoneInfo) and zone.key == zone_name
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", t(lang, "med.calendar.name"))
    if zoned:
        calendar.add("x-wr-timezone", zone_name)
    starts: list[date] = []
    for facts in schedules:
        if not schedulable(facts, today):
            continue
        times = facts.times[:1] if freq(facts.rule) == "HOURLY" else facts.times
        for hhmm in times:
            first = _first_dose(facts, facts.start or today, hhmm)
            if first is None:
                continue
            starts.append(first.date())
            calendar.add_component(_event(facts, hhmm, first, zone, zoned, now, lang,
                                          uid_seed))
    if not starts:
        return None
    if zoned:
        since = min(starts) - timedelta(days=1)
        calendar.add_missing_timezones(
            first_date=since, last_date=since + timedelta(days=366 * TIMEZONE_YEARS))
    data: bytes = calendar.to_ical()
    return data
