"""The medication aggregate and its repository: adding, moving, dropping and changing
doses, the slots' states, the one take path, and documents that round-trip unchanged
(the shapes the reminder tick and the emulator flows rely on)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.domain.i18n import t
from shared.domain.messages import Text
from shared.domain.schedule import slot_key
from shared.fakes.memory_store import MemoryStore
from shared.features.medication.model import (
    DailyAt,
    Dose,
    DoseLog,
    Regimen,
    SlotStatus,
    dose_id,
    medication_id,
)
from shared.features.medication.repository import (
    MedicationRepository,
    dose_doc,
    dose_from_doc,
    dose_path,
    medication_path,
    shard_of,
)
from shared.features.medication.taking import settle
from shared.ports import Doc

USER = "telegram-1"
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # 09:00 UTC
HOUR = timedelta(hours=1)


def apply(store: MemoryStore, writes: list[tuple[str, Doc | None]]) -> None:
    for path, doc in writes:
        if doc is None:
            store.delete(path)
        else:
            store.set(path, doc)


def test_adding_creates_a_dose_per_time_starting_after_now():
    regimen = Regimen(USER)
    med = regimen.add(" Aspirin ", "100 mg", ["20:00", "08:00"], "UTC", NOW)
    assert med.id == medication_id(USER, "aspirin") and med.name == "Aspirin"
    assert med.times == ["08:00", "20:00"]
    assert {d.id for d in med.doses.values()} == {dose_id(med.id, "08:00"),
                                                  dose_id(med.id, "20:00")}
    assert med.doses["08:00"].next_slot_at == datetime(2026, 1, 6, 8, tzinfo=UTC)  # tomorrow
    assert med.doses["20:00"].next_slot_at == datetime(2026, 1, 5, 20, tzinfo=UTC)


def test_adding_times_to_a_medication_keeps_its_doses_state_and_takes_the_new_dosage():
    regimen = Regimen(USER)
    med = regimen.add("aspirin", "100 mg", ["08:00"], "UTC", NOW)
    morning = med.doses["08:00"]
    morning.tick(datetime(2026, 1, 6, 8, tzinfo=UTC), HOUR)  # pending now
    again = regimen.add("ASPIRIN", "200 mg", ["12:00"], "UTC", NOW)
    assert again is med and len(regimen.medications) == 1
    assert med.times == ["08:00", "12:00"] and med.doses["08:00"] is morning
    assert morning.pending is not None  # a pending slot is not lost
    assert {d.dosage for d in med.doses.values()} == {"200 mg"}
    regimen.add("aspirin", None, ["13:00"], "UTC", NOW)  # no dosage: keeps 200 mg
    assert med.dosage == "200 mg"


def test_moving_a_time_replaces_its_dose_and_keeps_the_others():
    regimen = Regimen(USER)
    med = regimen.add("aspirin", "", ["08:00", "20:00"], "UTC", NOW)
    evening = med.doses["20:00"]
    med.move_time("08:00", "09:30", "UTC", NOW)
    assert med.times == ["09:30", "20:00"] and med.doses["20:00"] is evening
    assert med.doses["09:30"].id == dose_id(med.id, "09:30")
    med.move_time("09:30", "20:00", "UTC", NOW)  # onto a time it has: that dose stays
    assert med.times == ["20:00"] and med.doses == {"20:00": evening}


def test_dropping_times_and_changing_the_dose():
    regimen = Regimen(USER)
    med = regimen.add("metformin", "500 mg", ["08:00", "12:00", "20:00"], "UTC", NOW)
    med.drop_times(["12:00"])
    assert med.times == ["08:00", "20:00"] and set(med.doses) == {"08:00", "20:00"}
    med.change_dose("850 mg")
    assert {d.dosage for d in med.doses.values()} == {"850 mg"}


def test_a_slot_is_reminded_repeated_then_missed_when_the_next_starts():
    dose = Dose.first("d", USER, "m", "aspirin", "", DailyAt("08:00"), "UTC", NOW)
    first = dose.tick(datetime(2026, 1, 6, 8, tzinfo=UTC), HOUR)
    assert first.remind and dose.pending is not None and dose.pending.sent == 1
    dose.tick(datetime(2026, 1, 6, 9, tzinfo=UTC), HOUR)
    assert dose.pending.sent == 2
    dose.snooze(datetime(2026, 1, 6, 9, 15, tzinfo=UTC))
    assert dose.next_due_at == datetime(2026, 1, 6, 9, 15, tzinfo=UTC)
    missed = dose.tick(datetime(2026, 1, 7, 8, tzinfo=UTC), HOUR).missed
    assert missed is not None and missed.status is SlotStatus.MISSED
    assert missed.slot == slot_key(datetime(2026, 1, 6, 8, tzinfo=UTC))
    assert dose.pending.slot == slot_key(datetime(2026, 1, 7, 8, tzinfo=UTC))


def test_the_one_take_path_closes_pending_slots_logs_and_counts_them():
    regimen = Regimen(USER)
    a = regimen.add("aspirin", "", ["08:00"], "UTC", NOW).doses["08:00"]
    b = regimen.add("metformin", "", ["08:00"], "UTC", NOW).doses["08:00"]
    at = datetime(2026, 1, 6, 8, tzinfo=UTC)
    a.tick(at, HOUR)
    b.tick(at, HOUR)
    log: list[DoseLog] = []
    reply = settle("en", [b, a, b], SlotStatus.TAKEN, at + HOUR, log)
    # Each name once, sorted, whichever order the doses came in.
    assert reply.messages == [Text(text=t("en", "remind.taken", names="aspirin, metformin"))]
    assert reply.usage == {"reminders.taken": 2}
    assert [e.dose_id for e in log] == [b.id, a.id] and a.pending is None is b.pending
    nothing = settle("en", [a], SlotStatus.SKIPPED, at + HOUR, log)
    assert nothing.usage == {} and len(log) == 2  # nothing pending: nothing changes


def test_documents_round_trip_unchanged():
    dose = Dose.first("d1", USER, None, "aspirin", "100 mg", DailyAt("10:00"), "+03:00", NOW)
    doc = dose_doc(dose)
    assert "medication_id" not in doc and "reminded" not in doc  # as the old documents
    assert doc == {"user_id": USER, "shard": shard_of(USER), "name": "aspirin",
                   "dosage": "100 mg", "time": "10:00", "timezone": "+03:00",
                   "next_slot_at": dose.next_slot_at,
                   "next_due_at": dose.next_due_at, "pending_slot": None, "sent": 0}
    assert dose.next_slot_at is not None
    dose.tick(dose.next_slot_at, HOUR)
    busy = {**dose_doc(dose), "medication_id": "m", "reminded": {"slot": "s", "rid": "r"}}
    assert dose_doc(dose_from_doc("d1", busy)) == busy


def test_the_repository_writes_only_what_changed():
    store = MemoryStore()
    repo = MedicationRepository(store)
    loaded = repo.load(USER)
    loaded.regimen.add("aspirin", "", ["08:00", "20:00"], "UTC", NOW)
    loaded.regimen.add("metformin", "", ["12:00"], "UTC", NOW)
    apply(store, repo.changes(loaded))
    assert len(store.query("doses")) == 3 and len(store.query("medications")) == 2

    loaded = repo.load(USER)
    assert repo.changes(loaded) == []  # as stored
    aspirin = loaded.regimen.find("aspirin")
    assert aspirin is not None
    aspirin.move_time("08:00", "09:00", "UTC", NOW)
    writes = dict(repo.changes(loaded))
    # The 20:00 dose is written too: it carries its medication's times (issue 11: its
    # pending slot ends when the next of them starts). Metformin is not touched.
    assert set(writes) == {medication_path(aspirin.id), dose_path(dose_id(aspirin.id, "08:00")),
                           dose_path(dose_id(aspirin.id, "09:00")),
                           dose_path(dose_id(aspirin.id, "20:00"))}
    assert writes[dose_path(dose_id(aspirin.id, "08:00"))] is None
    evening = writes[dose_path(dose_id(aspirin.id, "20:00"))]
    assert evening is not None and evening["med_times"] == ["09:00", "20:00"]

    loaded = repo.load(USER)
    metformin = loaded.regimen.find("metformin")
    assert metformin is not None
    loaded.regimen.remove(metformin)
    apply(store, repo.changes(loaded))
    assert {d["name"] for _, d in store.query("doses")} == {"aspirin"}


def test_doses_whose_medication_is_gone_are_kept_and_rezoned():
    store = MemoryStore()
    repo = MedicationRepository(store)
    store.set(dose_path("orphan"), dose_doc(Dose.first("orphan", USER, "gone", "old", "",
                                                       DailyAt("08:00"), "UTC", NOW)))
    loaded = repo.load(USER)
    assert [d.id for d in loaded.regimen.loose] == ["orphan"]
    loaded.regimen.rezone("Asia/Taipei", NOW)
    [(path, doc)] = repo.changes(loaded)
    assert path == dose_path("orphan") and doc is not None and doc["timezone"] == "Asia/Taipei"
