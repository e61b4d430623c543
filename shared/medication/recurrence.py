"""Recurrence rules of a medication schedule as RFC 5545 RRULE values (python-dateutil).

A schedule is read as "the rule applied from each time of the item on the start day":
`FREQ=WEEKLY;BYDAY=MO,TH` with times ["09:00"] is every Monday and Thursday at 09:00,
`FREQ=HOURLY;INTERVAL=8` with ["06:00"] is 06:00, 14:00, 22:00, ... No rule (None) is every
day. The value carries no DTSTART and no "RRULE:" prefix: the start day and the times are
the item's own fields.

Only the part of RFC 5545 a medication schedule needs is accepted: FREQ HOURLY, DAILY or
WEEKLY; INTERVAL; BYDAY with plain weekdays (weekly rules only); COUNT or UNTIL. Anything
else (BYHOUR would fight the item's times, BYSETPOS and friends have no meaning here) is
refused, as is anything dateutil cannot read.

Conventions the dialog relies on:
* `FREQ=WEEKLY` without BYDAY means the weekday was not given: the dialog asks for it (it
  is never taken from the day the message was sent).
* UNTIL is the last day of a course, inclusive, as a floating local time at the end of
  that day ("UNTIL=20250312T235959"). The schedule domain, which knows the patient's zone,
  turns it into UTC when it pairs the rule with a zoned DTSTART (RFC 5545 3.3.10).
* The form is dateutil's own serialisation (FREQ, INTERVAL, COUNT, UNTIL, BYDAY, weekdays
  in week order), so two rules mean the same schedule exactly when their strings are equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Final, Literal

from dateutil.rrule import DAILY, HOURLY, WEEKLY, rrule, rrulestr, weekdays

Freq = Literal["HOURLY", "DAILY", "WEEKLY"]
WEEKDAY_CODES: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FREQS: Final[dict[str, Literal[0, 1, 2, 3, 4, 5, 6]]] = {
    "HOURLY": HOURLY, "DAILY": DAILY, "WEEKLY": WEEKLY}
_PARTS: Final = frozenset({"FREQ", "INTERVAL", "BYDAY", "COUNT", "UNTIL"})
# Any fixed start works to read a rule; the real one is the item's start day.
_REFERENCE: Final = datetime(2000, 1, 3)  # a Monday
MAX_INTERVAL: Final = 366
MAX_COUNT: Final = 1000
END_OF_DAY: Final = time(23, 59, 59)


class RuleError(ValueError):
    """Not a recurrence rule this application can follow."""


def build_rule(
    freq: Freq,
    interval: int = 1,
    days: Iterable[int] = (),
    count: int | None = None,
    until: date | None = None,
) -> str | None:
    """The RRULE value of a schedule, built by dateutil; None for plain "every day".

    `days` are weekday numbers (0 = Monday). `until` is the last day, inclusive.
    """
    day_list = sorted(set(days))
    if day_list and freq != "WEEKLY":
        raise RuleError("weekdays belong to a weekly rule")
    if count is not None and until is not None:
        raise RuleError("COUNT and UNTIL together")
    if not 1 <= interval <= MAX_INTERVAL or (count is not None and not 1 <= count <= MAX_COUNT):
        raise RuleError("interval or count out of range")
    if freq == "DAILY" and interval == 1 and count is None and until is None:
        return None
    rule = rrule(
        _FREQS[freq],
        dtstart=_REFERENCE,
        interval=interval,
        byweekday=[weekdays[d] for d in day_list] or None,
        count=count,
        until=datetime.combine(until, END_OF_DAY) if until else None,
    )
    return _value(rule)


def canonical_rule(value: str) -> str | None:
    """`value` checked and rewritten in the one form this application uses.

    Accepts an optional "RRULE:" prefix and parts in any order; a DATE-only UNTIL means that
    whole day. Returns None for plain every day ("FREQ=DAILY"); raises RuleError otherwise.
    """
    text = value.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    parts: dict[str, str] = {}
    for piece in filter(None, text.upper().split(";")):
        key, sep, part = piece.partition("=")
        if not sep or key in parts or key not in _PARTS:
            raise RuleError(f"unsupported rule part {key!r}")
        parts[key] = part
    if any(d not in WEEKDAY_CODES for d in parts.get("BYDAY", "MO").split(",")):
        raise RuleError("BYDAY takes plain weekdays only")
    if parts.get("FREQ") not in _FREQS:
        raise RuleError("FREQ must be HOURLY, DAILY or WEEKLY")
    if "COUNT" in parts and "UNTIL" in parts:
        raise RuleError("COUNT and UNTIL together")
    until = parts.get("UNTIL")
    if until is not None:
        if until.endswith("Z"):
            raise RuleError("UNTIL is a floating local time here, not UTC")
        if len(until) == len("YYYYMMDD"):
            parts["UNTIL"] = until + "T235959"
        elif not until.endswith("T235959"):
            raise RuleError("UNTIL is the end of a last day (YYYYMMDD or YYYYMMDDT235959)")
    try:
        rule = rrulestr(";".join(f"{k}={v}" for k, v in parts.items()), dtstart=_REFERENCE)
    except (ValueError, TypeError, OverflowError) as error:
        raise RuleError(str(error)) from error
    if not isinstance(rule, rrule):
        raise RuleError("one rule only")
    # dateutil read every part; rebuild the rule from them in the one canonical form.
    days = [WEEKDAY_CODES.index(d) for d in parts["BYDAY"].split(",")] if "BYDAY" in parts else []
    count = int(parts["COUNT"]) if "COUNT" in parts else None
    last = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%S").date() if until else None
    freq: Freq = parts["FREQ"]  # type: ignore[assignment]  # checked against _FREQS
    return build_rule(freq, int(parts.get("INTERVAL", "1")), days, count, last)


def _value(rule: rrule) -> str:
    """dateutil's RRULE line without its DTSTART line and "RRULE:" prefix."""
    line = str(rule).splitlines()[-1]
    return line.removeprefix("RRULE:")


def rule_freq(value: str) -> Freq:
    return value.split(";", 1)[0].removeprefix("FREQ=")  # type: ignore[return-value]


def rule_days(value: str) -> tuple[int, ...]:
    """Weekday numbers of a canonical rule's BYDAY (empty when it has none)."""
    for part in value.split(";"):
        if part.startswith("BYDAY="):
            return tuple(WEEKDAY_CODES.index(d) for d in part[len("BYDAY=") :].split(","))
    return ()
