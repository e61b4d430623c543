"""What was taken, day by day, from the dose log (pure): the answer to "what did I take
yesterday?" in the patient's zone and language.

    Your doses (Europe/Berlin time):
    Monday, 7 December:
    • 08:00 aspirin 100 mg: taken at 08:12
    • 20:00 aspirin 100 mg: missed

A day of the period with nothing logged says so (periods of up to a week; longer ones
list only the days with entries). Only settled slots are logged (taken, skipped,
missed): a dose still waiting for its answer is not in the log, and the answer says so
when the period includes today.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Final

from shared.domain.i18n import t
from shared.medication.describe import day_label
from shared.medication.recurrence import WEEKDAY_CODES

_STATUS_KEYS: Final = {"taken": "med.history.taken", "skipped": "med.history.skipped",
                       "missed": "med.history.missed"}
_EMPTY_DAYS_SHOWN: Final = 7  # a longer period lists only the days with entries


@dataclass(frozen=True)
class LogLine:
    """One settled slot: the medicine as the patient named it (None: no longer on their
    list), the slot's instant and how it ended (at: when it was answered or recorded)."""

    name: str | None
    dosage: str
    slot_at: datetime  # aware
    status: str  # taken, skipped, missed
    at: datetime  # aware


def period_bounds(first: date, last: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The instants [start, end) of the local days first..last, in UTC (DST-correct: a
    day may last 23 or 25 hours; aware datetimes of one zone subtract as wall times)."""
    start = datetime.combine(first, datetime.min.time(), zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def _weekday(lang: str, day: date) -> str:
    return t(lang, f"med.history.wd.{WEEKDAY_CODES[day.weekday()].lower()}")


def _line(lang: str, entry: LogLine, zone: tzinfo) -> str:
    key = _STATUS_KEYS.get(entry.status, "med.history.missed")
    name = entry.name if entry.name is not None else t(lang, "med.history.removed")
    return t(lang, key, time=entry.slot_at.astimezone(zone).strftime("%H:%M"), name=name,
             dosage=f" {entry.dosage}" if entry.dosage else "",
             at=entry.at.astimezone(zone).strftime("%H:%M"))


def history_text(entries: Iterable[LogLine], first: date, last: date, zone: tzinfo,
                 zone_name: str, lang: str, today: date) -> str:
    """The log of the local days first..last, per day; a clear answer when it is empty."""
    start, end = period_bounds(first, last, zone)
    by_day: dict[date, list[LogLine]] = {}
    for entry in entries:
        if start <= entry.slot_at < end:
            by_day.setdefault(entry.slot_at.astimezone(zone).date(), []).append(entry)
    if not by_day:
        if first == last:
            return t(lang, "med.history.none_day", date=day_label(lang, first, today))
        return t(lang, "med.history.none_days", first=day_label(lang, first, today),
                 last=day_label(lang, last, today))
    lines = [t(lang, "med.history.title", zone=zone_name)]
    show_empty = (last - first).days < _EMPTY_DAYS_SHOWN
    day = first
    while day <= last:
        logged = sorted(by_day.get(day, []), key=lambda e: (e.slot_at, (e.name or "").casefold()))
        if logged or show_empty:
            lines.append(t(lang, "med.history.day", weekday=_weekday(lang, day),
                           date=day_label(lang, day, today)))
            lines += [_line(lang, e, zone) for e in logged] or \
                [f"• {t(lang, 'med.history.nothing')}"]
        day += timedelta(days=1)
    if first <= today <= last:
        lines.append(t(lang, "med.history.pending"))
    return "\n".join(lines)
