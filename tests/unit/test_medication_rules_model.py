"""The dose's slot state machine under rules (model.py): unchanged states, the rule
behind next_after; a pending slot ends when its medicine's next slot starts, whatever
the rule; a course's last slot is final, then the dose is finished."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from shared.features.medication.model import Medication, Regimen, Schedule, SlotStatus

HOUR = timedelta(hours=1)
MON = date(2026, 3, 2)


def regimen_with(schedule: Schedule, zone: str = "UTC",
                 now: datetime = datetime(2026, 3, 1, tzinfo=UTC)) -> Medication:
    regimen = Regimen("u")
    return regimen.add("mtx", "", schedule.times, zone, now, schedule)


def test_a_weekly_pending_slot_ends_at_its_sibling_time_the_same_day() -> None:
    med = regimen_with(Schedule.of(["08:00", "20:00"], "FREQ=WEEKLY;BYDAY=MO", MON))
    morning = med.doses["08:00"]
    step = morning.tick(datetime(2026, 3, 2, 8, tzinfo=UTC), HOUR)
    assert step.remind and morning.pending is not None
    assert morning.pending.until == datetime(2026, 3, 2, 20, tzinfo=UTC)  # not next Monday
    assert morning.next_slot_at == datetime(2026, 3, 9, 8, tzinfo=UTC)


def test_an_every_8_hours_pending_slot_ends_when_the_next_dose_starts() -> None:
    med = regimen_with(Schedule.of(["06:00"], "FREQ=HOURLY;INTERVAL=8", MON))
    dose = med.doses["06:00"]
    dose.tick(datetime(2026, 3, 2, 6, tzinfo=UTC), HOUR)
    assert dose.pending is not None
    assert dose.pending.until == datetime(2026, 3, 2, 14, tzinfo=UTC)
    # Unanswered: recorded missed by the time the next slot starts, which is reminded.
    missed = []
    now = datetime(2026, 3, 2, 6, tzinfo=UTC)
    while now <= datetime(2026, 3, 2, 14, tzinfo=UTC):
        if dose.next_due_at is not None and dose.next_due_at <= now:
            step = dose.tick(now, HOUR)
            missed += [step.missed] if step.missed else []
        now += timedelta(minutes=1)
    assert [m.slot for m in missed] == ["2026-03-02T06:00:00+00:00"]
    assert dose.pending is not None and dose.pending.slot == "2026-03-02T14:00:00+00:00"


def test_a_course_ends_after_its_last_slot_whatever_the_answer() -> None:
    med = regimen_with(Schedule.of(["08:00", "20:00"], "FREQ=DAILY;COUNT=2", MON))
    seen: list[tuple[str, str, bool]] = []
    now = datetime(2026, 3, 2, tzinfo=UTC)
    while now < datetime(2026, 3, 8, tzinfo=UTC):
        for hhmm, dose in med.doses.items():
            if dose.next_due_at is not None and dose.next_due_at <= now:
                step = dose.tick(now, HOUR)
                if step.remind and dose.pending and dose.pending.sent == 1:
                    seen.append((hhmm, dose.pending.slot[:16], dose.final))
        now += timedelta(minutes=5)
    assert seen == [("08:00", "2026-03-02T08:00", False), ("20:00", "2026-03-02T20:00", False),
                    ("08:00", "2026-03-03T08:00", False), ("20:00", "2026-03-03T20:00", True)]
    assert all(d.finished for d in med.doses.values()) and med.finished


def test_the_last_slot_of_a_course_is_answerable_then_finished() -> None:
    med = regimen_with(Schedule.of(["08:00"], "FREQ=DAILY;COUNT=1", MON))
    dose = med.doses["08:00"]
    dose.tick(datetime(2026, 3, 2, 8, tzinfo=UTC), HOUR)
    assert dose.final and dose.answerable_until == datetime(2026, 3, 3, 8, tzinfo=UTC)
    entry = dose.settle(SlotStatus.TAKEN, datetime(2026, 3, 2, 9, tzinfo=UTC))
    assert entry is not None and entry.status is SlotStatus.TAKEN
    assert dose.finished and dose.next_due_at is None
    assert dose.upcoming_within(datetime(2026, 3, 2, 9, tzinfo=UTC), timedelta(hours=3)) is None


def test_adding_times_to_a_weekly_medicine_keeps_every_dose_weekly() -> None:
    med = regimen_with(Schedule.of(["08:00"], "FREQ=WEEKLY;BYDAY=MO", MON))
    med.add_times(["20:00"], None, "UTC", datetime(2026, 3, 1, tzinfo=UTC))
    assert med.schedule.rule == "FREQ=WEEKLY;BYDAY=MO"
    assert {d.recurrence.rule for d in med.doses.values()} == {"FREQ=WEEKLY;BYDAY=MO"}
    med.move_time("20:00", "21:00", "UTC", datetime(2026, 3, 1, tzinfo=UTC))
    assert med.doses["21:00"].next_slot_at == datetime(2026, 3, 2, 21, tzinfo=UTC)
    assert med.doses["21:00"].recurrence.rule == "FREQ=WEEKLY;BYDAY=MO"
