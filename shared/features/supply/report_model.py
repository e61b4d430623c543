"""What the doctor's report shows (pure): per medicine its schedule and dose, how the
slots of the period ended (issue 11's tally: on time / late / skipped / missed), the
same per local day for the chart, and its refills and count on hand.

The period is the last `days` local days up to now, in the patient's time zone; a slot
counts in the day it was due. A medicine with no slot logged in the period still shows
its schedule (the report says no doses were recorded).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from shared.domain.schedule import zone_of
from shared.features.medication.adherence import Logged, Tally
from shared.features.supply.model import Refilled, Supply, count_text, daily_doses, days_left
from shared.features.supply.svg import DayCounts
from shared.medication.refill import dose_units


@dataclass(frozen=True)
class Medicine:
    """A medication as the report needs it (the medication feature's own type stays
    there: the report reads only these fields)."""

    id: str
    name: str
    dosage: str
    times: tuple[str, ...]
    rule: str | None = None  # its RRULE (None: every day), for the days a count lasts
    as_needed: bool = False
    schedule: str = ""  # the schedule in words, in the report's language


@dataclass
class MedicineReport:
    name: str
    dosage: str
    times: tuple[str, ...]
    tally: Tally = field(default_factory=Tally)
    days: list[DayCounts] = field(default_factory=list)
    refills: list[Refilled] = field(default_factory=list)
    on_hand: str | None = None
    days_left: int | None = None
    schedule: str = ""  # the schedule in words (empty: said from its times)


@dataclass(frozen=True)
class Report:
    start: date  # first local day
    end: date  # last local day (today)
    made_at: datetime
    zone: str
    medicines: list[MedicineReport]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def empty(self) -> bool:
        """No slot of any medicine was logged in the period."""
        return all(m.tally.total == 0 for m in self.medicines)


def since(now: datetime, zone: str, days: int) -> datetime:
    """The start of the first local day of the period (UTC instant)."""
    tz = zone_of(zone)  # an IANA name or a stored offset ("+03:00"); unknown: UTC
    first = now.astimezone(tz).date() - timedelta(days=days - 1)
    return datetime.combine(first, datetime.min.time(), tz)


def build_report(medicines: Sequence[Medicine], logged: Sequence[Logged],
                 supplies: Sequence[Supply], now: datetime, zone: str, days: int) -> Report:
    tz = zone_of(zone)
    start = since(now, zone, days)
    first, last = start.astimezone(tz).date(), now.astimezone(tz).date()
    dates = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    by_med = {s.medication_id: s for s in supplies}
    reports = []
    for med in sorted(medicines, key=lambda m: (m.name.casefold(), m.id)):
        mine = [e for e in logged if e.medication_id == med.id and e.slot_at >= start]
        tally = Tally()
        per_day = {d: Tally() for d in dates}
        for entry in mine:
            tally.add(entry)
            per_day.setdefault(entry.slot_at.astimezone(tz).date(), Tally()).add(entry)
        report = MedicineReport(med.name, med.dosage, med.times, tally,
                                [DayCounts(d, t.on_time, t.late, t.skipped, t.missed)
                                 for d, t in sorted(per_day.items()) if d in set(dates)],
                                schedule=med.schedule)
        supply = by_med.get(med.id)
        if supply is not None:
            report.refills = [r for r in supply.refills if r.at >= start]
            report.on_hand = count_text(supply.count)
            report.days_left = days_left(supply.count, dose_units(med.dosage),
                                         daily_doses(med.times, med.rule, med.as_needed))
        reports.append(report)
    return Report(first, last, now, zone, reports)
