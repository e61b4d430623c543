"""The medication domain model (pure: no I/O, no clock).

A user's medications are a Regimen. Each Medication is an aggregate: its name and
dosage, its schedule, and one Dose per time of the schedule. A Dose is where the
reminders live: its next slot (the next instant it falls due), the slot that is
pending (reminded, not yet answered: PendingSlot), and when the tick should look at it
again. A slot ends taken, skipped or missed (a DoseLog entry).

    upcoming --tick at its time--> pending (reminded, repeated) --take--> taken
       |                                |                        --skip--> skipped
       |                                |--after its last repeat-------> missed (still
       |                                |    answerable: taken late or skipped, until
       |                                |    the medication's next slot starts)
       |                                |--the medication's next slot starts--> missed
       |                                '--snooze: reminded again later, still pending
       '--"I took it" up to a few hours early--> taken (that slot is never reminded)

How often a pending slot is reminded again is the RepeatPolicy's (policy.py): a few
repeats, none in the patient's quiet hours. A pending slot ends at the latest when ANY
slot of its medication starts ("until"): metformin's 08:00 dose still pending at 20:00
is missed then, and never carried into the 20:00 reminder.

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
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from shared.domain.schedule import normalize_hhmm, slot_key, zone_of
from shared.domain.signatures import stable_id
from shared.features.medication.policy import QuietHours, RepeatPolicy, unbounded
from shared.features.medication.recurrence import DailyAt as DailyAt
from shared.features.medication.recurrence import DailyTimes as DailyTimes
from shared.features.medication.recurrence import Recurrence as Recurrence


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


# --------------------------------------------------------------------------- doses
class Phase(StrEnum):
    """Where a pending slot is in its reminders."""

    OPEN = "open"  # reminded; another reminder is planned (a repeat, a snooze)
    LAST = "last"  # its last reminder went; recorded missed when next due
    MISSED = "missed"  # recorded missed; a late answer still replaces that record


@dataclass(frozen=True)
class PendingSlot:
    """A slot being reminded about until it is answered."""

    slot: str  # its instant, ISO UTC (slot_key)
    sent: int  # reminders sent for it
    until: datetime | None = None  # when the medication's next slot starts (UTC)
    phase: Phase = Phase.OPEN

    @property
    def open(self) -> bool:
        """Still being reminded (not yet recorded missed)."""
        return self.phase is not Phase.MISSED


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
    missed: DoseLog | None  # a slot recorded missed by this step
    last: bool = False  # the reminder is the slot's last one
    closed: str | None = None  # a slot that stopped being answerable (its reminder goes)
    # A slot that started and ended before this (late) step: its medicine's next slot
    # had begun already, so it is recorded missed and never reminded.
    stale: DoseLog | None = None


class Early(NamedTuple):
    taken: DoseLog  # the upcoming slot, recorded taken before its time
    missed: DoseLog | None  # a slot still pending then, recorded missed


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
    # Every time of its medication's schedule (its own included): a pending slot ends
    # when the next of them starts.
    sibling_times: tuple[str, ...] = ()
    quiet: QuietHours | None = None  # the patient's quiet hours (None: the default)

    @classmethod
    def first(cls, id: str, user_id: str, medication: str | None, name: str, dosage: str,
              recurrence: DailyAt, zone: str, now: datetime) -> Dose:
        """A new dose: its first slot is the first one after now."""
        slot = recurrence.next_after(now, zone_of(zone))
        return cls(id, user_id, medication, name, dosage, recurrence, zone, slot, slot)

    @property
    def answerable_until(self) -> datetime:
        """When its pending slot ends at the latest (the medication's next slot)."""
        until = self.pending.until if self.pending else None
        return min(until, self.next_slot_at) if until else self.next_slot_at

    @property
    def time(self) -> str:
        return self.recurrence.time

    def rezone(self, zone: str, now: datetime) -> None:
        """The same wall time in another zone; a slot being reminded stays pending."""
        slot = self.recurrence.next_after(now, zone_of(zone))
        self.next_due_at = min(self.next_due_at, slot) if self.pending else slot
        self.timezone, self.next_slot_at = zone, slot

    def tick(self, now: datetime, policy: RepeatPolicy | timedelta) -> Tick:
        """The tick's step for a due dose: a pending slot whose medication's next slot
        has started is missed; a new slot starts when its time has come; a pending
        one is reminded again, or recorded missed after its last reminder. (A bare
        interval is the unbounded policy: policy.unbounded.)"""
        rules = unbounded(policy) if isinstance(policy, timedelta) else policy
        rules = rules.with_quiet(self.quiet)
        missed, closed = None, None
        if self.pending is not None and now >= self.answerable_until:
            closed = self.pending.slot
            missed = self._close(now)
        if now >= self.next_slot_at:
            slot = self.next_slot_at
            self.next_slot_at = self.recurrence.next_after(now, zone_of(self.timezone))
            until = min([self.next_slot_at, *self._sibling_slots(slot)])
            if until <= now:  # a late tick: never remind a slot that can't be answered
                stale = DoseLog(self.id, self.user_id, self.medication_id, slot_key(slot),
                                SlotStatus.MISSED, now)
                self.pending, self.next_due_at = None, self.next_slot_at
                return Tick(False, missed, closed=closed, stale=stale)
            step = self._remind(PendingSlot(slot_key(slot), 1, until), now, rules, missed)
            return step._replace(closed=closed)
        if self.pending is None:
            self.next_due_at = self.next_slot_at  # nothing pending: wait for the slot
            return Tick(False, missed, closed=closed)
        if self.pending.phase is Phase.LAST:
            # Its last reminder went an interval ago: missed, but a late answer counts.
            entry = self._log(SlotStatus.MISSED, now)
            self.pending = replace(self.pending, phase=Phase.MISSED)
            self.next_due_at = self.answerable_until
            return Tick(False, entry)
        if self.pending.phase is Phase.MISSED:
            self.next_due_at = self.answerable_until
            return Tick(False, missed)
        return self._remind(replace(self.pending, sent=self.pending.sent + 1), now, rules,
                            missed)

    def _remind(self, pending: PendingSlot, now: datetime, rules: RepeatPolicy,
                missed: DoseLog | None) -> Tick:
        """This slot is reminded now; when it is looked at again."""
        self.pending = pending
        until = self.answerable_until
        again = rules.next_repeat(pending.sent, now, until, zone_of(self.timezone))
        if again is None:
            self.pending = replace(pending, phase=Phase.LAST)
            self.next_due_at = rules.missed_at(now, until)
            return Tick(True, missed, last=True)
        self.pending = replace(pending, phase=Phase.OPEN)
        self.next_due_at = again
        return Tick(True, missed)

    def _sibling_slots(self, slot: datetime) -> list[datetime]:
        zone = zone_of(self.timezone)
        return [DailyAt(h).next_after(slot, zone) for h in self.sibling_times if h != self.time]

    def _close(self, now: datetime) -> DoseLog | None:
        """The pending slot can no longer be answered: missed (unless it already is)."""
        assert self.pending is not None
        entry = self._log(SlotStatus.MISSED, now) if self.pending.open else None
        self.pending = None
        return entry

    def settle(self, status: SlotStatus, now: datetime) -> DoseLog | None:
        """The pending slot was taken or skipped (None: nothing was pending). A slot
        already recorded missed is answered late: its entry is replaced (same id)."""
        if self.pending is None:
            return None
        entry = self._log(status, now)
        self.pending, self.next_due_at = None, self.next_slot_at
        return entry

    def upcoming_within(self, now: datetime, window: timedelta) -> datetime | None:
        """The next slot, if it starts within `window` from now (an early dose)."""
        return self.next_slot_at if now < self.next_slot_at <= now + window else None

    def take_early(self, now: datetime, window: timedelta) -> Early | None:
        """"I took it" before the slot's time: the upcoming slot is recorded taken and
        never reminded; a slot still pending of this dose ends (missed, if it was not
        recorded so yet). None: no slot starts within `window`."""
        slot = self.upcoming_within(now, window)
        if slot is None:
            return None
        missed = self._close(now) if self.pending is not None else None
        taken = DoseLog(self.id, self.user_id, self.medication_id, slot_key(slot),
                        SlotStatus.TAKEN, now)
        self.next_slot_at = self.recurrence.next_after(slot, zone_of(self.timezone))
        self.next_due_at = self.next_slot_at
        return Early(taken, missed)

    def snooze(self, until: datetime) -> datetime | None:
        """Remind the pending slot again at `until`, or when the medication's next
        slot starts if sooner."""
        if self.pending is None:
            return None
        self.pending = replace(self.pending, phase=Phase.OPEN)
        self.next_due_at = min(until, self.answerable_until)
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

    def sync(self) -> None:
        """Each dose knows its medication's times (the tick sees single doses)."""
        for dose in self.doses.values():
            dose.sibling_times = self.schedule.times

    def add_times(self, times: Iterable[str], dosage: str | None, zone: str,
                  now: datetime) -> None:
        """Take these times too (and the dosage, if one is given): every time of the
        schedule gets its dose."""
        self.schedule = self.schedule.plus(times)
        self.change_dose(dosage or self.dosage)
        self._start(self.schedule.times, zone, now)
        self.sync()

    def drop_times(self, times: Iterable[str]) -> None:
        self.schedule = self.schedule.minus(times)
        self.doses = {t: d for t, d in self.doses.items() if t in self.schedule.times}
        self.sync()

    def move_time(self, old: str, new: str, zone: str, now: datetime) -> None:
        """`old` becomes `new`: the dose at `old` goes (with a pending slot), and the
        dose at `new` starts afresh unless the medication already had that time."""
        if old == new:
            return
        self.drop_times([old])
        self.schedule = self.schedule.plus([new])
        self._start([new], zone, now)
        self.sync()

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

    def set_quiet(self, quiet: QuietHours | None) -> None:
        """The patient's quiet hours on every dose (the tick reads single doses)."""
        for dose in self.doses():
            dose.quiet = quiet


def first_slot(times: Iterable[str], zone: str, now: datetime) -> datetime:
    """The first instant any of these local times falls after now."""
    return min(DailyAt(h).next_after(now, zone_of(zone)) for h in times)


def clean_times(times: Iterable[str]) -> list[str]:
    """Valid "HH:MM" times (normalised), the rest dropped."""
    return [h for h in (normalize_hhmm(x) for x in times) if h]
