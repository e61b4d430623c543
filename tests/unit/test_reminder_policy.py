"""Issue 11's slot policy on the pure model: bounded repeats, none in quiet hours, a
pending slot ends when its medication's next slot starts, the last reminder says so and
the slot is then recorded missed (still answerable late), and early doses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.domain.schedule import slot_key
from shared.features.medication.model import DailyAt, Dose, Phase, Regimen, SlotStatus
from shared.features.medication.policy import DEFAULT_QUIET, QuietHours, RepeatPolicy

TAIPEI = ZoneInfo("Asia/Taipei")
HOUR = timedelta(hours=1)
POLICY = RepeatPolicy()


def tpe(day: int, hour: int, minute: int = 0) -> datetime:
    """A Taipei wall time in January 2026, as UTC."""
    return datetime(2026, 1, day, hour, minute, tzinfo=TAIPEI).astimezone(UTC)


def run(dose: Dose, start: datetime, end: datetime, policy: RepeatPolicy = POLICY
        ) -> list[tuple[datetime, str]]:
    """Tick the dose whenever it is due, as the per-minute tick does; what happened."""
    events: list[tuple[datetime, str]] = []
    now = start
    while now <= end:
        if dose.next_due_at is not None and dose.next_due_at <= now:
            step = dose.tick(now, policy)
            if step.missed is not None:
                events.append((now, f"missed {step.missed.slot}"))
            if step.remind:
                events.append((now, "last" if step.last else "remind"))
        now += timedelta(minutes=1)
    return events


def taipei_dose(hhmm: str, times: tuple[str, ...] = ()) -> Dose:
    dose = Dose.first("d", "u", "m", "omeprazole", "20 mg", DailyAt(hhmm), "Asia/Taipei",
                      tpe(5, 0, 30))
    dose.sibling_times = times or (hhmm,)
    return dose


# --------------------------------------------------------------------------- quiet hours
def test_quiet_hours_run_over_midnight_in_the_patients_zone():
    assert DEFAULT_QUIET.contains(tpe(5, 22), TAIPEI) and DEFAULT_QUIET.contains(tpe(5, 3), TAIPEI)
    assert not DEFAULT_QUIET.contains(tpe(5, 7), TAIPEI)
    assert not DEFAULT_QUIET.contains(tpe(5, 21, 59), TAIPEI)
    day = QuietHours("13:00", "14:00")
    assert day.contains(tpe(5, 13, 30), TAIPEI) and not day.contains(tpe(5, 14), TAIPEI)
    assert not QuietHours("00:00", "00:00").contains(tpe(5, 3), TAIPEI)
    assert QuietHours.parse("23:00-7:00") == QuietHours("23:00", "07:00")
    assert QuietHours.parse(str(DEFAULT_QUIET)) == DEFAULT_QUIET
    assert QuietHours.parse("25:00-07:00") is None and QuietHours.parse(None) is None


# --------------------------------------------------------------------------- repeats
def test_at_most_three_repeats_then_the_last_says_so_and_the_slot_is_missed():
    dose = taipei_dose("08:00")
    events = run(dose, tpe(5, 7), tpe(5, 23))
    assert [(e[0], e[1]) for e in events] == [
        (tpe(5, 8), "remind"), (tpe(5, 9), "remind"), (tpe(5, 10), "remind"),
        (tpe(5, 11), "last"), (tpe(5, 12), f"missed {slot_key(tpe(5, 8))}")]
    # Missed, but a late answer still counts (until the next slot starts).
    assert dose.pending is not None and dose.pending.phase is Phase.MISSED
    late = dose.settle(SlotStatus.TAKEN, tpe(5, 13))
    assert late is not None and late.status is SlotStatus.TAKEN
    assert late.slot == slot_key(tpe(5, 8))  # the same log entry: replaced, not added


def test_repeats_never_fall_in_quiet_hours_but_a_dose_set_there_is_reminded():
    evening = taipei_dose("20:00")
    events = run(evening, tpe(5, 19), tpe(6, 7, 30))
    assert [e for e in events if e[1] in ("remind", "last")] == [
        (tpe(5, 20), "remind"), (tpe(5, 21), "last")]  # 22:00 is quiet
    night = taipei_dose("22:00")
    events = run(night, tpe(5, 21), tpe(6, 21))
    assert events[0] == (tpe(5, 22), "last")  # reminded at its time, no repeat at night
    assert events[1] == (tpe(5, 23), f"missed {slot_key(tpe(5, 22))}")
    assert len(events) == 2  # nothing more, and nothing in the morning


def test_the_counts_and_interval_are_settings():
    dose = taipei_dose("08:00")
    events = run(dose, tpe(5, 7), tpe(5, 12), RepeatPolicy(repeats=1, every=timedelta(minutes=30)))
    assert events == [(tpe(5, 8), "remind"), (tpe(5, 8, 30), "last"),
                      (tpe(5, 9), f"missed {slot_key(tpe(5, 8))}")]


def test_a_pending_slot_ends_when_the_medications_next_slot_starts():
    morning = taipei_dose("08:00", ("08:00", "10:30"))
    events = run(morning, tpe(5, 7), tpe(5, 12))
    # Repeats at 09:00 and 10:00; the one at 11:00 would be after 10:30: last at 10:00,
    # and at 10:30 (the medication's next slot) the slot is missed.
    assert events == [(tpe(5, 8), "remind"), (tpe(5, 9), "remind"), (tpe(5, 10), "last"),
                      (tpe(5, 10, 30), f"missed {slot_key(tpe(5, 8))}")]
    assert morning.pending is None  # no longer answerable: the 10:30 dose is the one now


def test_a_snooze_is_reminded_even_after_the_last_repeat():
    dose = taipei_dose("08:00")
    run(dose, tpe(5, 7), tpe(5, 11))
    assert dose.pending is not None and dose.pending.phase is Phase.LAST
    dose.snooze(tpe(5, 11, 15))
    events = run(dose, tpe(5, 11, 1), tpe(5, 11, 20))
    assert events == [(tpe(5, 11, 15), "last")]


# --------------------------------------------------------------------------- early doses
def test_an_early_dose_is_taken_and_its_slot_never_reminded():
    dose = taipei_dose("08:00")
    assert dose.take_early(tpe(5, 4, 59), 3 * HOUR) is None  # more than 3 h before
    early = dose.take_early(tpe(5, 7, 30), 3 * HOUR)
    assert early is not None and early.missed is None
    assert early.taken.slot == slot_key(tpe(5, 8)) and early.taken.at == tpe(5, 7, 30)
    assert run(dose, tpe(5, 7, 31), tpe(5, 23)) == []
    assert dose.next_slot_at == tpe(6, 8)


def test_an_early_dose_ends_a_slot_still_pending_of_the_same_dose():
    dose = taipei_dose("08:00")
    run(dose, tpe(5, 7), tpe(5, 9))
    dose.next_due_at = tpe(6, 8)  # as if nothing more were planned
    early = dose.take_early(tpe(6, 7), 3 * HOUR)
    assert early is not None and early.missed is not None
    assert early.missed.slot == slot_key(tpe(5, 8)) and dose.pending is None


def test_every_dose_of_a_medication_knows_its_times():
    regimen = Regimen("u")
    med = regimen.add("omeprazole", "20 mg", ["08:00", "20:00"], "Asia/Taipei", tpe(5, 1))
    assert {d.sibling_times for d in med.doses.values()} == {("08:00", "20:00")}
    med.move_time("20:00", "21:00", "Asia/Taipei", tpe(5, 1))
    assert {d.sibling_times for d in med.doses.values()} == {("08:00", "21:00")}
    regimen.set_quiet(QuietHours("23:00", "06:00"))
    assert {d.quiet for d in regimen.doses()} == {QuietHours("23:00", "06:00")}


def test_a_late_tick_never_reminds_a_slot_its_medicines_next_slot_overtook():
    late = taipei_dose("23:59", ("00:00", "23:59"))
    step = late.tick(tpe(6, 0, 1), POLICY)  # the 23:59 firing was skipped
    assert not step.remind and step.stale is not None
    assert step.stale.slot == slot_key(tpe(5, 23, 59)) and late.pending is None
    assert late.next_due_at == late.next_slot_at == tpe(6, 23, 59)
