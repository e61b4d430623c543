"""Where medications live in Firestore; the only module that knows their paths and
document fields.

    medications/{medication id}  user_id, name, dosage, times (sorted "HH:MM"), and
                                 only when not plain daily: rule (RRULE value), start
                                 ("YYYY-MM-DD", local), as_needed, max_per_day
    doses/{dose id}              user_id, shard, medication_id, name, dosage, time,
                                 rule and start (when not plain daily),
                                 timezone, next_slot_at, next_due_at (the tick's index:
                                 shard, next_due_at; both absent once a course is
                                 finished, so the tick's range query never finds it),
                                 pending_slot (ISO UTC or None), sent, reminded {slot, rid},
                                 pending_until, phase (with a pending slot), med_times
                                 (its medication's times), quiet ("22:00-07:00", if set)
    dose_log/{stable_id(dose id, slot)}  user_id, dose_id, medication_id, slot_at, status, at
                                         (and taken_at, when taken)

A document without the schedule fields is every day at its times (as every document
was before rules existed), and a daily schedule writes none of them: its documents and
ids stay exactly as they were.

Ids derive from the user, the medication's name and the time (model.py), so a handler
re-run after a transaction retry writes the same documents, and a slot is logged once.

A dialog command reads the user's Regimen with plain queries (a transaction offers
none), changes it, and `changes()` gives the writes that make the store match it: the
dialog commits them with the session in one transaction. The reminder tick and send
read and write single doses inside their own transactions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from shared.domain.signatures import stable_id
from shared.features.medication.model import (
    At,
    Dose,
    DoseLog,
    Medication,
    PendingSlot,
    Phase,
    Regimen,
    Reminded,
    Schedule,
    SlotStatus,
)
from shared.features.medication.policy import QuietHours
from shared.ports import Doc, DocumentStore, Filter, Transaction

MEDICATIONS: Final = "medications"
DOSES: Final = "doses"
DOSE_LOG: Final = "dose_log"

Write = tuple[str, Doc | None]  # a document to set, or to delete (None)

# The reminder tick reads due doses per shard: a stable hash of the patient, so one
# patient's doses share a shard (one reminder for two medicines due together). 64
# shards spread the 08:00 burst's index writes over 64 ranges of the composite index
# (shard, next_due_at) instead of one (Firestore's sequential-index limit, 500 writes/s
# per range): docs/reminders-at-scale.md.
SHARDS: Final = 64


def shard_of(user: str) -> int:
    return int(stable_id("shard", user)[:8], 16) % SHARDS


def medication_path(med_id: str) -> str:
    return f"{MEDICATIONS}/{med_id}"


def dose_path(dose_id: str) -> str:
    return f"{DOSES}/{dose_id}"


def dose_log_path(dose_id: str, slot: str) -> str:
    # One log entry per (dose, slot): a repeated tap or tick cannot log twice.
    return f"{DOSE_LOG}/{stable_id(dose_id, slot)}"


# --------------------------------------------------------------------------- documents
def _pending(doc: Doc) -> PendingSlot | None:
    slot = doc.get("pending_slot")
    if not slot:
        return None
    until = doc.get("pending_until")
    phase = str(doc.get("phase") or Phase.OPEN)
    return PendingSlot(str(slot), int(doc.get("sent") or 0),
                       until if isinstance(until, datetime) else None,
                       Phase(phase) if phase in set(Phase) else Phase.OPEN)


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _when(value: object) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _rule_fields(rule: str | None, start: date | None) -> Doc:
    doc: dict[str, Any] = {}
    if rule is not None:
        doc["rule"] = rule
    if start is not None:
        doc["start"] = start.isoformat()
    return doc


def schedule_from_doc(doc: Doc) -> Schedule:
    """A medication document's schedule; one without rule fields is every day."""
    limit = doc.get("max_per_day")
    return Schedule(tuple(str(h) for h in doc.get("times") or ()),
                    str(doc["rule"]) if doc.get("rule") else None, _day(doc.get("start")),
                    bool(doc.get("as_needed")), int(limit) if limit else None)


def dose_from_doc(dose_id: str, doc: Doc) -> Dose:
    reminded = doc.get("reminded")
    return Dose(
        id=dose_id, user_id=str(doc["user_id"]),
        medication_id=str(doc["medication_id"]) if doc.get("medication_id") else None,
        name=str(doc.get("name") or ""), dosage=str(doc.get("dosage") or ""),
        recurrence=At(str(doc["time"]), str(doc["rule"]) if doc.get("rule") else None,
                      _day(doc.get("start"))),
        timezone=str(doc["timezone"]),
        next_slot_at=_when(doc.get("next_slot_at")), next_due_at=_when(doc.get("next_due_at")),
        pending=_pending(doc),
        reminded=Reminded(str(reminded.get("slot")), str(reminded.get("rid")))
        if isinstance(reminded, dict) and reminded.get("rid") else None,
        sibling_times=tuple(str(h) for h in doc.get("med_times") or ()),
        quiet=QuietHours.parse(doc.get("quiet")),
    )


def dose_doc(dose: Dose) -> Doc:
    doc: dict[str, Any] = {"user_id": dose.user_id, "shard": shard_of(dose.user_id)}
    if dose.medication_id is not None:
        doc["medication_id"] = dose.medication_id
    doc.update(name=dose.name, dosage=dose.dosage, time=dose.time,
               **_rule_fields(dose.recurrence.rule, dose.recurrence.start),
               timezone=dose.timezone)
    if dose.next_slot_at is not None:
        doc["next_slot_at"] = dose.next_slot_at
    if dose.next_due_at is not None:
        doc["next_due_at"] = dose.next_due_at
    doc.update(pending_slot=dose.pending.slot if dose.pending else None,
               sent=dose.pending.sent if dose.pending else 0)
    if dose.pending is not None:
        doc.update(pending_until=dose.pending.until, phase=dose.pending.phase.value)
    if dose.reminded is not None:
        doc["reminded"] = {"slot": dose.reminded.slot, "rid": dose.reminded.rid}
    if dose.sibling_times and dose.sibling_times != (dose.time,):
        doc["med_times"] = list(dose.sibling_times)
    if dose.quiet is not None:
        doc["quiet"] = str(dose.quiet)
    return doc


def log_doc(entry: DoseLog) -> Doc:
    doc: dict[str, Any] = {
        "user_id": entry.user_id, "dose_id": entry.dose_id,
        "medication_id": entry.medication_id,
        "slot_at": datetime.fromisoformat(entry.slot), "status": entry.status.value,
        "at": entry.at}
    if entry.status is SlotStatus.TAKEN:
        doc["taken_at"] = entry.at  # early (before slot_at), on time or late
    return doc


def medication_doc(med: Medication) -> Doc:
    schedule = med.schedule
    doc: dict[str, Any] = {"user_id": med.user_id, "name": med.name, "dosage": med.dosage,
                           "times": med.times, **_rule_fields(schedule.rule, schedule.start)}
    if schedule.as_needed:
        doc["as_needed"] = True
    if schedule.max_per_day is not None:
        doc["max_per_day"] = schedule.max_per_day
    return doc


@dataclass(frozen=True)
class LoggedSlot:
    medication_id: str
    slot_at: datetime
    status: str
    at: datetime


@dataclass
class Loaded:
    """A regimen as read, and its documents then (what changes() compares with)."""

    regimen: Regimen
    stored: dict[str, Doc]


# --------------------------------------------------------------------------- repository
@dataclass
class MedicationRepository:
    store: DocumentStore

    # ------------------------------------------------------------------ a user's regimen
    def load(self, user: str) -> Loaded:
        """The user's medications with their doses, as stored now."""
        regimen = Regimen(user)
        doses = [dose_from_doc(path.split("/", 1)[1], doc)
                 for path, doc in self.store.query(DOSES, [Filter("user_id", "==", user)])]
        for path, doc in self.store.query(MEDICATIONS, [Filter("user_id", "==", user)]):
            med_id = path.split("/", 1)[1]
            regimen.medications.append(Medication(
                med_id, user, str(doc["name"]), str(doc.get("dosage") or ""),
                schedule_from_doc(doc),
                {d.time: d for d in doses if d.medication_id == med_id}))
            regimen.medications[-1].sync()
        owned = {m.id for m in regimen.medications}
        regimen.loose = [d for d in doses if d.medication_id not in owned]
        return Loaded(regimen, self._docs(regimen))

    def medications(self, user: str) -> list[Medication]:
        """The user's medications without their doses (what the model is shown)."""
        return [Medication(path.split("/", 1)[1], user, str(doc["name"]),
                           str(doc.get("dosage") or ""), schedule_from_doc(doc))
                for path, doc in self.store.query(MEDICATIONS, [Filter("user_id", "==", user)])]

    def changes(self, loaded: Loaded) -> list[Write]:
        """The writes that make the store match the regimen as changed since it was
        loaded (changed documents only), and the log entries of the slots it settled."""
        old, new = loaded.stored, self._docs(loaded.regimen)
        writes: list[Write] = [(path, doc) for path, doc in new.items() if old.get(path) != doc]
        writes += [(path, None) for path in old if path not in new]
        writes += [(dose_log_path(e.dose_id, e.slot), log_doc(e)) for e in loaded.regimen.logs]
        return writes

    @staticmethod
    def _docs(regimen: Regimen) -> dict[str, Doc]:
        docs = {medication_path(m.id): medication_doc(m) for m in regimen.medications}
        docs.update({dose_path(d.id): dose_doc(d) for d in regimen.doses()})
        return docs

    # ------------------------------------------------------------------ single doses
    def dose(self, dose_id: str) -> Dose | None:
        doc = self.store.get(dose_path(dose_id))
        return dose_from_doc(dose_id, doc) if doc is not None else None

    def doses(self, dose_ids: Iterable[str]) -> list[Dose]:
        return [d for d in (self.dose(i) for i in dose_ids) if d is not None]

    @staticmethod
    def dose_in(txn: Transaction, dose_id: str) -> Dose | None:
        doc = txn.get(dose_path(dose_id))
        return dose_from_doc(dose_id, doc) if doc is not None else None

    def due(self, shards: Sequence[int], now: datetime, limit: int) -> list[Dose]:
        """Due doses of these shards (at most 30: Firestore's "in"), earliest first: a
        range query on the composite index (shard, next_due_at)."""
        rows = self.store.query(DOSES, [Filter("next_due_at", "<=", now),
                                        Filter("shard", "in", list(shards))],
                                order_by="next_due_at", limit=limit)
        return [dose_from_doc(path.split("/", 1)[1], doc) for path, doc in rows]

    def add_shards(self) -> tuple[int, int]:
        """Give every dose written before the shard field existed its shard (the tick
        finds doses per shard only). Patient by patient, in user id order; idempotent,
        safe while the tick runs (a merge of one field). -> (patients, doses written)."""
        patients = written = 0
        last = ""
        while rows := self.store.query(DOSES, [Filter("user_id", ">", last)],
                                       order_by="user_id", limit=1):
            last = str(rows[0][1]["user_id"])
            patients += 1
            for path, doc in self.store.query(DOSES, [Filter("user_id", "==", last)]):
                if doc.get("shard") != shard_of(last):
                    self.store.set(path, {"shard": shard_of(last)}, merge=True)
                    written += 1
        return patients, written

    @staticmethod
    def dose_writes(doses: Iterable[Dose], logs: Iterable[DoseLog] = ()) -> list[Write]:
        """Full writes of these doses and log entries (a tick's or a button's step)."""
        writes: list[Write] = [(dose_path(d.id), dose_doc(d)) for d in doses]
        return writes + [(dose_log_path(e.dose_id, e.slot), log_doc(e)) for e in logs]

    @staticmethod
    def save(txn: Transaction, dose: Dose, missed: DoseLog | None = None) -> None:
        txn.set(dose_path(dose.id), dose_doc(dose))
        if missed is not None:
            txn.set(dose_log_path(missed.dose_id, missed.slot), log_doc(missed))

    @staticmethod
    def mark_reminded(txn: Transaction, dose_id: str, slot: str, rid: str) -> None:
        """Which reminder message stands for the dose's pending slot (a merge: the tick
        may have moved the dose on meanwhile)."""
        txn.set(dose_path(dose_id), {"reminded": {"slot": slot, "rid": rid}}, merge=True)

    # ------------------------------------------------------------------ the log
    def logged_since(self, user: str, since: datetime) -> list[LoggedSlot]:
        rows = self.store.query(DOSE_LOG, [Filter("user_id", "==", user),
                                           Filter("slot_at", ">=", since)])
        return [LoggedSlot(str(doc.get("medication_id")), doc["slot_at"],
                           str(doc.get("status")), doc["at"]) for _, doc in rows]
