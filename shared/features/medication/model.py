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

The schedule is a value object (recurrence.py: Schedule): an RFC 5545 rule applied from
each local time on its start day, one dose (At) per time; as needed has no doses. The
rule only says when the next slot starts (`next_after`); the slot states above are the
same for every rule. A course (COUNT or UNTIL) ends: a dose with no next slot is
finished once its last slot is answered or missed (next_slot_at and next_due_at None:
the tick never sees it again); its medication stays on the list, shown as finished,
until the patient removes it. The last slot of a course stays answerable until a
sibling's slot starts, or for the rule's interval (at most a day). Times are the user's
local wall clock "HH:MM" in a time-zone string; instants are UTC
(shared/domain/schedule.py).

Storage is the repository's (repository.py): nothing here knows a path.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from shared.domain.schedule import normalize_hhmm, slot_key, zone_of
from shared.domain.signatures import stable_id
from shared.features.medication.policy import QuietHours, RepeatPolicy, unbounded
from shared.features.medication.recurrence import At as At
from shared.features.medication.recurrence import DailyAt as DailyAt
from shared.features.medication.recurrence import Recurrence as Recurrence
from shared.features.medication.recurrence import Schedule as Schedule
from shared.features.medication.slots import DoseLog as DoseLog
from shared.features.medication.slots import Early as Early
from shared.features.medication.slots import PendingSlot as PendingSlot
from shared.features.medication.slots import Phase as Phase
from shared.features.medication.slots import Reminded as Reminded
from shared.features.medication.slots import SlotStatus as SlotStatus
from shared.features.medication.slots import Tick as Tick


def fold(name: str) -> str:
    """How names are compared: "Aspirin " and "ASPIRIN" are one medication."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def medication_id(user: str, name: str) -> str:
    return stable_id(user, "medication", fold(name))


def dose_id(medication: str, hhmm: str) -> str:
    return stable_id(medication, hhmm)


# --------------------------------------------------------------------------- doses
@dataclass
class Dose:
    id: str
    user_id: str
    medication_id: str | None
    name: str
    dosage: str
    recurrence: At
    timezone: str
    next_slot_at: datetime | None  # the next slot not yet started (UTC; None: none left)
    next_due_at: datetime | None  # when the tick looks at it again (UTC; the tick's
    #                               index; None: never again, a finished course)
    pending: PendingSlot | None = None
    reminded: Reminded | None = None
    # Every time of its medication's schedule (its own included): a pending slot ends
    # when the next of them starts.
    sibling_times: tuple[str, ...] = ()
    quiet: QuietHours | None = None  # the patient's quiet hours (None: the default)

    @classmethod
    def first(cls, id: str, user_id: str, medication: str | None, name: str, dosage: str,
              recurrence: At, zone: str, now: datetime) -> Dose:
        """A new dose: its first slot is the first one after now."""
        slot = recurrence.next_after(now, zone_of(zone))
        return cls(id, user_id, medication, name, dosage, recurrence, zone, slot, slot)

    @property
    def answerable_until(self) -> datetime:
        """When its pending slot ends at the latest (the medication's next slot)."""
        until = self.pending.until if self.pending else None
        ends = [x for x in (until, self.next_slot_at) if x is not None]
        if ends:
            return min(ends)
        assert self.pending is not None, "a dose with no slot left has nothing pending"
        return datetime.fromisoformat(self.pending.slot) + self.recurrence.open_after_last()

    @property
    def finished(self) -> bool:
        """A course with no slot left and nothing waiting for an answer."""
        return self.next_slot_at is None and self.pending is None

    @property
    def final(self) -> bool:
        """Its pending slot is the last one of its medication's whole schedule (the
        reminder says the course is finished after it)."""
        if self.pending is None or self.next_slot_at is not None:
            return False
        return not self._sibling_slots(datetime.fromisoformat(self.pending.slot))

    @property
    def time(self) -> str:
        return self.recurrence.time

    def rezone(self, zone: str, now: datetime) -> None:
        """The same wall time in another zone; a slot being reminded stays pending."""
        slot = self.recurrence.next_after(now, zone_of(zone))
        due = [x for x in (self.next_due_at, slot) if x is not None]
        self.next_due_at = (min(due) if due else None) if self.pending else slot
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
        if self.next_slot_at is not None and now >= self.next_slot_at:
            slot = self.next_slot_at
            self.next_slot_at = self.recurrence.next_after(now, zone_of(self.timezone))
            ends = [x for x in (self.next_slot_at, *self._sibling_slots(slot)) if x is not None]
            until = min(ends) if ends else slot + self.recurrence.open_after_last()
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
        """The next slots of its medication's other times after `slot` (same rule)."""
        zone = zone_of(self.timezone)
        nexts = [replace(self.recurrence, time=h).next_after(slot, zone)
                 for h in self.sibling_times if h != self.time]
        return [x for x in nexts if x is not None]

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
        slot = self.next_slot_at
        return slot if slot is not None and now < slot <= now + window else None

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
    schedule: Schedule
    doses: dict[str, Dose] = field(default_factory=dict)  # by time

    @property
    def times(self) -> list[str]:
        return list(self.schedule.times)

    @property
    def finished(self) -> bool:
        """A course whose every dose is finished (listed as such until removed)."""
        return self.schedule.course and all(d.finished for d in self.doses.values())

    def pending(self) -> list[Dose]:
        return [d for d in self.doses.values() if d.pending]

    def sync(self) -> None:
        """Each dose knows its medication's times (the tick sees single doses)."""
        for dose in self.doses.values():
            dose.sibling_times = self.schedule.times

    def add_times(self, times: Iterable[str], dosage: str | None, zone: str,
                  now: datetime) -> None:
        """Take these times too (and the dosage, if one is given): every time of the
        schedule gets its dose, with the schedule's own rule (a weekly medicine given
        another time stays weekly)."""
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

    def replace_schedule(self, schedule: Schedule, dosage: str | None, zone: str,
                         now: datetime) -> None:
        """The schedule as now typed: doses whose recurrence changed go (a pending slot
        with them), those it keeps stay as they are, new times start afresh."""
        keep = schedule.recurrences()
        self.doses = {h: d for h, d in self.doses.items() if keep.get(h) == d.recurrence}
        self.schedule = schedule
        self.change_dose(dosage or self.dosage)
        self._start(schedule.times, zone, now)
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
            now: datetime, schedule: Schedule | None = None) -> Medication:
        """A new medication (every day at `times`, unless `schedule` says otherwise), or
        more times for the one of that name (with ITS rule: the caller asks first when
        the rules differ)."""
        med = self.find(name)
        if med is None:
            med = Medication(medication_id(self.user_id, name), self.user_id, name.strip(),
                             dosage or "", replace(schedule or Schedule(), times=()))
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


def first_slot(schedule: Schedule, zone: str, now: datetime) -> datetime | None:
    """The first instant any time of the schedule falls after now (None: none left)."""
    slots = [a.next_after(now, zone_of(zone)) for a in schedule.recurrences().values()]
    return min((s for s in slots if s is not None), default=None)


def clean_times(times: Iterable[str]) -> list[str]:
    """Valid "HH:MM" times (normalised), the rest dropped."""
    return [h for h in (normalize_hhmm(x) for x in times) if h]
