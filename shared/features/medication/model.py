"""The medication domain model (pure: no I/O, no clock).

A user's medications are a Regimen. Each Medication is an aggregate: its name and
dosage, its schedule, and one Dose per time of the schedule. A Dose is where the
reminders live: its next slot (the next instant it falls due), the slot that is
pending (reminded, not yet answered: PendingSlot), and when the tick should look at it
again. A slot ends taken, skipped or missed (a DoseLog entry).

    upcoming --tick at its time--> pending (reminded, repeated) --take--> taken
                                        |                        --skip--> skipped
                                        |--the next slot starts--------> missed
                                        '--snooze: reminded again later, still pending

The schedule is a value object: today "every day at these local times" (DailyTimes,
one DailyAt recurrence per dose). A later schedule (issue 14: RFC 5545 rules, every N
hours, courses, as needed) replaces it with other recurrences behind the same
`next_after`; the dose's slot state does not change. Times are the user's local wall
clock "HH:MM" in a time-zone string; instants are UTC (shared/domain/schedule.py).

Storage is the repository's (repository.py): nothing here knows a path.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from typing import NamedTuple, Protocol

from shared.domain.schedule import next_occurrence, normalize_hhmm, slot_key, zone_of
from shared.domain.signatures import stable_id


def fold(name: str) -> str:
    """How names are compared: "Aspirin " and "ASPIRIN" are one medication."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def medication_id(user: str, name: str) -> str:
    return stable_id(user, "medication", fold(name))


def dose_id(medication: str, hhmm: str) -> str:
    return stable_id(medication, hhmm)


class SlotStatus(StrEnum):
    TAKEN = "taken"
    SKIPPED = "skipped"
    MISSED = "missed"


# --------------------------------------------------------------------------- schedules
class Recurrence(Protocol):
    """When a dose falls due."""

    def next_after(self, after: datetime, zone: tzinfo) -> datetime:
        """The first instant (UTC) strictly after `after`."""
        ...


@dataclass(frozen=True)
class DailyAt:
    """Every day at one local wall time."""

    time: str  # "HH:MM"

    def next_after(self, after: datetime, zone: tzinfo) -> datetime:
        return next_occurrence(self.time, zone, after)


@dataclass(frozen=True)
class DailyTimes:
    """A medication's schedule: every day at these local times (sorted, distinct)."""

    times: tuple[str, ...] = ()

    @classmethod
    def of(cls, times: Iterable[str]) -> DailyTimes:
        return cls(tuple(sorted(set(times))))

    def recurrences(self) -> dict[str, DailyAt]:
        return {hhmm: DailyAt(hhmm) for hhmm in self.times}

    def plus(self, times: Iterable[str]) -> DailyTimes:
        return DailyTimes.of([*self.times, *times])

    def minus(self, times: Iterable[str]) -> DailyTimes:
        gone = set(times)
        return DailyTimes(tuple(h for h in self.times if h not in gone))


# --------------------------------------------------------------------------- doses
@dataclass(frozen=True)
class PendingSlot:
    """A slot being reminded about until it is answered."""

    slot: str  # its instant, ISO UTC (slot_key)
    sent: int  # reminders sent for it


@dataclass(frozen=True)
class Reminded:
    """The reminder message that stands for a slot (reminders/{rid})."""

    slot: str
    rid: str


@dataclass(frozen=True)
class DoseLog:
    """How a slot ended."""

    dose_id: str
    user_id: str
    medication_id: str | None
    slot: str
    status: SlotStatus
    at: datetime


class Tick(NamedTuple):
    remind: bool  # send a reminder for the pending slot
    missed: DoseLog | None  # a slot that was still pending when the next one started


@dataclass
class Dose:
    id: str
    user_id: str
    medication_id: str | None
    name: str
    dosage: str
    recurrence: DailyAt
    timezone: str
    next_slot_at: datetime  # the next slot not yet started (UTC)
    next_due_at: datetime  # when the tick looks at it again (UTC; the tick's index)
    pending: PendingSlot | None = None
    reminded: Reminded | None = None

    @classmethod
    def first(cls, id: str, user_id: str, medication: str | None, name: str, dosage: str,
              recurrence: DailyAt, zone: str, now: datetime) -> Dose:
        """A new dose: its first slot is the first one after now."""
        slot = recurrence.next_after(now, zone_of(zone))
        return cls(id, user_id, medication, name, dosage, recurrence, zone, slot, slot)

    @property
    def time(self) -> str:
        return self.recurrence.time

    def rezone(self, zone: str, now: datetime) -> None:
        """The same wall time in another zone; a slot being reminded stays pending."""
        slot = self.recurrence.next_after(now, zone_of(zone))
        self.next_due_at = min(self.next_due_at, slot) if self.pending else slot
        self.timezone, self.next_slot_at = zone, slot

    def tick(self, now: datetime, repeat: timedelta) -> Tick:
        """The tick's step for a due dose: a new slot starts when its time has come (one
        still pending is then missed), else the pending one is reminded again."""
        if now >= self.next_slot_at:
            missed = self._log(SlotStatus.MISSED, now) if self.pending else None
            self.pending = PendingSlot(slot_key(self.next_slot_at), 1)
            self.next_slot_at = self.recurrence.next_after(now, zone_of(self.timezone))
            self.next_due_at = min(now + repeat, self.next_slot_at)
            return Tick(True, missed)
        if self.pending:
            self.pending = PendingSlot(self.pending.slot, self.pending.sent + 1)
            self.next_due_at = min(now + repeat, self.next_slot_at)
            return Tick(True, None)
        self.next_due_at = self.next_slot_at  # nothing pending: wait for the slot
        return Tick(False, None)

    def settle(self, status: SlotStatus, now: datetime) -> DoseLog | None:
        """The pending slot was taken or skipped (None: nothing was pending)."""
        if self.pending is None:
            return None
        entry = self._log(status, now)
        self.pending, self.next_due_at = None, self.next_slot_at
        return entry

    def snooze(self, until: datetime) -> datetime | None:
        """Remind the pending slot again at `until`, or at the next slot if sooner."""
        if self.pending is None:
            return None
        self.next_due_at = min(until, self.next_slot_at)
        return self.next_due_at

    def _log(self, status: SlotStatus, now: datetime) -> DoseLog:
        assert self.pending is not None
        return DoseLog(self.id, self.user_id, self.medication_id, self.pending.slot, status, now)


# --------------------------------------------------------------------------- medications
@dataclass
class Medication:
    id: str
    user_id: str
    name: str
    dosage: str
    schedule: DailyTimes
    doses: dict[str, Dose] = field(default_factory=dict)  # by time

    @property
    def times(self) -> list[str]:
        return list(self.schedule.times)

    def pending(self) -> list[Dose]:
        return [d for d in self.doses.values() if d.pending]

    def add_times(self, times: Iterable[str], dosage: str | None, zone: str,
                  now: datetime) -> None:
        """Take these times too (and the dosage, if one is given): every time of the
        schedule gets its dose."""
        self.schedule = self.schedule.plus(times)
        self.change_dose(dosage or self.dosage)
        self._start(self.schedule.times, zone, now)

    def drop_times(self, times: Iterable[str]) -> None:
        self.schedule = self.schedule.minus(times)
        self.doses = {t: d for t, d in self.doses.items() if t in self.schedule.times}

    def move_time(self, old: str, new: str, zone: str, now: datetime) -> None:
        """`old` becomes `new`: the dose at `old` goes (with a pending slot), and the
        dose at `new` starts afresh unless the medication already had that time."""
        if old == new:
            return
        self.drop_times([old])
        self.schedule = self.schedule.plus([new])
        self._start([new], zone, now)

    def change_dose(self, dosage: str) -> None:
        self.dosage = dosage
        for dose in self.doses.values():
            dose.name, dose.dosage = self.name, dosage

    def _start(self, times: Iterable[str], zone: str, now: datetime) -> None:
        recurrences = self.schedule.recurrences()
        for hhmm in times:
            if hhmm not in self.doses:
                self.doses[hhmm] = Dose.first(dose_id(self.id, hhmm), self.user_id, self.id,
                                              self.name, self.dosage, recurrences[hhmm],
                                              zone, now)


@dataclass
class Regimen:
    """A user's medications as read at the start of a command, and what the command
    did to them (the repository writes the difference)."""

    user_id: str
    medications: list[Medication] = field(default_factory=list)
    loose: list[Dose] = field(default_factory=list)  # doses whose medication is gone
    logs: list[DoseLog] = field(default_factory=list)  # slots settled by this command

    def find(self, name: str) -> Medication | None:
        wanted = fold(name)
        return next((m for m in self.medications if fold(m.name) == wanted), None)

    def get(self, med_id: str) -> Medication | None:
        return next((m for m in self.medications if m.id == med_id), None)

    def doses(self) -> list[Dose]:
        return [*(d for m in self.medications for d in m.doses.values()), *self.loose]

    def dose(self, dose: str) -> Dose | None:
        return next((d for d in self.doses() if d.id == dose), None)

    def pending(self) -> list[Dose]:
        """Every dose whose slot waits for an answer, oldest first."""
        rows = [d for d in self.doses() if d.pending]
        return sorted(rows, key=lambda d: (d.pending.slot if d.pending else "", d.name))

    def add(self, name: str, dosage: str | None, times: Iterable[str], zone: str,
            now: datetime) -> Medication:
        """A new medication, or more times for the one of that name."""
        med = self.find(name)
        if med is None:
            med = Medication(medication_id(self.user_id, name), self.user_id, name.strip(),
                             dosage or "", DailyTimes())
            self.medications.append(med)
        med.add_times(times, dosage, zone, now)
        return med

    def remove(self, med: Medication) -> None:
        self.medications = [m for m in self.medications if m.id != med.id]

    def rezone(self, zone: str, now: datetime) -> None:
        for dose in self.doses():
            dose.rezone(zone, now)


def first_slot(times: Iterable[str], zone: str, now: datetime) -> datetime:
    """The first instant any of these local times falls after now."""
    return min(DailyAt(h).next_after(now, zone_of(zone)) for h in times)


def clean_times(times: Iterable[str]) -> list[str]:
    """Valid "HH:MM" times (normalised), the rest dropped."""
    return [h for h in (normalize_hhmm(x) for x in times) if h]
