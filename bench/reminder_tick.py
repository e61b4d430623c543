"""Reminder tick on the Firestore emulator: 50k medications, 1 % due in one minute.
Prints document reads per tick (counted by a wrapper of the store adapter; an empty
query is billed as one read, so it counts as one) and tick duration.
Run: .venv/bin/python -m bench.reminder_tick [--medications 50000] [--due 0.01]

Each medication is one dose document (one time a day), owned by one of
medications/2 users; due doses are spread over distinct users (the worst case: one
claim transaction per due dose). Three ticks run: the due minute, a duplicate of it,
and the next minute (nothing due).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from infra.local.emulators import start_firestore
from shared.clock import FixedClock
from shared.ports import Doc, Filter, Transaction

T = TypeVar("T")
NOW = datetime(2026, 3, 2, 8, 0, 30, tzinfo=UTC)


class CountingStore:
    """The Firestore adapter with a count of documents read (gets, query rows,
    transactional gets)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.reads = 0

    def get(self, path: str) -> Doc | None:
        self.reads += 1
        result: Doc | None = self.inner.get(path)
        return result

    def create(self, path: str, data: Doc) -> bool:
        return bool(self.inner.create(path, data))

    def set(self, path: str, data: Doc, merge: bool = False) -> None:
        self.inner.set(path, data, merge)

    def delete(self, path: str) -> None:
        self.inner.delete(path)

    def query(self, collection: str, filters: Sequence[Filter] = (),
              order_by: str | None = None, limit: int | None = None) -> list[tuple[str, Doc]]:
        rows: list[tuple[str, Doc]] = self.inner.query(collection, filters, order_by, limit)
        self.reads += max(1, len(rows))
        return rows

    def transaction(self, fn: Callable[[Transaction], T]) -> T:
        counter = self

        class Counted:
            def __init__(self, txn: Transaction) -> None:
                self.txn = txn

            def get(self, path: str) -> Doc | None:
                counter.reads += 1
                return self.txn.get(path)

            def create(self, path: str, data: Doc) -> None:
                self.txn.create(path, data)

            def set(self, path: str, data: Doc, merge: bool = False) -> None:
                self.txn.set(path, data, merge)

            def delete(self, path: str) -> None:
                self.txn.delete(path)

        result: T = self.inner.transaction(lambda txn: fn(Counted(txn)))
        return result


def load(project: str, medications: int, due_share: float) -> int:
    from google.cloud import firestore

    client = firestore.Client(project=project)
    due_count = int(medications * due_share)
    batch = client.batch()
    pending = 0
    for i in range(medications):
        user = f"telegram-{i // 2 if i >= due_count else 10_000_000 + i}"
        due = NOW - timedelta(seconds=30) if i < due_count else NOW + timedelta(
            minutes=1 + i % 1400)
        mid = f"m{i:06d}"
        batch.set(client.document(f"medications/{mid}"), {
            "user_id": user, "name": f"med{i}", "dosage": "", "times": ["08:00"]})
        batch.set(client.document(f"doses/d{i:06d}"), {
            "user_id": user, "medication_id": mid, "name": f"med{i}", "dosage": "",
            "time": "08:00", "timezone": "UTC", "next_slot_at": due, "next_due_at": due,
            "pending_slot": None, "sent": 0})
        pending += 2
        if pending >= 500:  # Firestore's batch limit
            batch.commit()
            batch, pending = client.batch(), 0
    if pending:
        batch.commit()
    return due_count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--medications", type=int, default=50_000)
    parser.add_argument("--due", type=float, default=0.01)
    args = parser.parse_args()

    emulator = start_firestore()
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.host
    try:
        from shared.adapters.firestore_store import FirestoreStore
        from shared.fakes.memory_tasks import MemoryTaskQueue
        from shared.features.reminders.service import ReminderService

        project = "bench-reminders"
        started = time.perf_counter()
        due = load(project, args.medications, args.due)
        load_s = time.perf_counter() - started
        store = CountingStore(FirestoreStore(project=project))
        clock = FixedClock(NOW)
        service = ReminderService(store, MemoryTaskQueue(), clock, delivery=None)  # type: ignore[arg-type]
        rows = []
        for label, at in (("due minute", NOW), ("duplicate", NOW + timedelta(seconds=2)),
                          ("next minute", NOW + timedelta(minutes=1) - timedelta(seconds=29))):
            clock.current = at
            store.reads = 0
            t0 = time.perf_counter()
            result = service.tick()
            rows.append({"tick": label, "due_doses": due if label == "due minute" else 0,
                         "found": result["due"], "enqueued": result["enqueued"],
                         "reads": store.reads,
                         "duration_s": round(time.perf_counter() - t0, 3)})
        print(json.dumps({"medications": args.medications, "due": due,
                          "load_s": round(load_s, 1), "ticks": rows}, indent=1))
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
