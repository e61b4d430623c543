"""How schedules are stored (repository.py): documents written before rules existed read
as every day; a daily schedule writes the same documents and dose ids as before; a rule,
its start, as needed and the daily maximum survive a round trip; a finished course's
dose leaves the tick's index."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from shared.features.medication.model import (
    At,
    Dose,
    Medication,
    Schedule,
    SlotStatus,
    dose_id,
)
from shared.features.medication.repository import (
    dose_doc,
    dose_from_doc,
    medication_doc,
    schedule_from_doc,
)

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_a_medication_document_from_before_rules_is_every_day() -> None:
    old = {"user_id": "u", "name": "aspirin", "dosage": "", "times": ["08:00", "20:00"]}
    schedule = schedule_from_doc(old)
    assert schedule == Schedule(("08:00", "20:00")) and schedule.daily
    assert medication_doc(Medication("m", "u", "aspirin", "", schedule)) == old


def test_a_dose_document_from_before_rules_is_every_day_with_the_same_id() -> None:
    dose = Dose.first(dose_id("m", "08:00"), "u", "m", "aspirin", "", At("08:00"), "UTC", NOW)
    doc = dose_doc(dose)
    assert "rule" not in doc and "start" not in doc
    assert dose_from_doc(dose.id, doc).recurrence == At("08:00")
    assert dose.id == dose_id("m", "08:00")  # stable_id(medication, time), as before


def test_a_rule_and_its_start_round_trip() -> None:
    schedule = Schedule.of(["09:00"], "FREQ=WEEKLY;BYDAY=MO", date(2026, 3, 2))
    doc = medication_doc(Medication("m", "u", "mtx", "15 mg", schedule))
    assert doc["rule"] == "FREQ=WEEKLY;BYDAY=MO" and doc["start"] == "2026-03-02"
    assert schedule_from_doc(doc) == schedule
    dose = Dose.first("d", "u", "m", "mtx", "", schedule.at("09:00"), "UTC", NOW)
    again = dose_from_doc("d", dose_doc(dose))
    assert again.recurrence == schedule.at("09:00") and again.next_slot_at == dose.next_slot_at


def test_as_needed_with_a_maximum_round_trips() -> None:
    schedule = Schedule(as_needed=True, max_per_day=4)
    doc = medication_doc(Medication("m", "u", "ibuprofen", "", schedule))
    assert doc["as_needed"] is True and doc["max_per_day"] == 4 and doc["times"] == []
    assert schedule_from_doc(doc) == schedule


def test_a_finished_course_dose_has_no_due_instant_in_its_document() -> None:
    at = At("08:00", "FREQ=DAILY;COUNT=1", date(2026, 3, 1))
    dose = Dose.first("d", "u", "m", "amoxicillin", "", at, "UTC", datetime(2026, 2, 28,
                                                                            tzinfo=UTC))
    assert dose.next_slot_at == datetime(2026, 3, 1, 8, tzinfo=UTC)
    step = dose.tick(datetime(2026, 3, 1, 8, tzinfo=UTC), HOUR)
    assert step.remind and dose.final and dose.next_slot_at is None
    dose.settle(SlotStatus.TAKEN, datetime(2026, 3, 1, 8, 5, tzinfo=UTC))
    assert dose.finished
    doc = dose_doc(dose)
    assert "next_due_at" not in doc and "next_slot_at" not in doc
    back = dose_from_doc("d", doc)
    assert back.finished and back.next_due_at is None
