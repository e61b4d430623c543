"""Reminder ticks and transactions under contention, on the official Firestore emulator.

* Two reminder ticks for the same minute run at once (two threads on one
  ReminderService, and two ReminderService instances as two function instances would):
  every due dose is reminded exactly once - one reminder name per (dose, slot, number),
  one message per user after the send worker ran every enqueued task (duplicates
  included: the tasks emulator does not deduplicate), and the hourly repeat, also
  ticked twice at once, comes once more.
* A tick skipped, or a tick an hour late: the missed reminder is still sent, once, and
  the repeat comes an hour after it was sent, not earlier.
* Concurrent increments of two documents through FirestoreStore.transaction from
  several threads, some transactions failing midway (after one write, or after both):
  the contended ones are retried, and both counters end at the number of transactions
  that succeeded - a failed one leaves no partial write.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.clock import FixedClock
from shared.domain.channels import Channel
from shared.domain.i18n import t
from shared.domain.messages import Text
from shared.fakes.recording_messenger import RecordingMessenger
from shared.features.reminders.service import ReminderService
from shared.jobs import Job, job_of
from shared.plumbing.delivery import Delivery
from shared.ports import Conflict, Doc, DocumentStore, Transaction
from tests.support import dose_document

pytestmark = pytest.mark.emulator

SLOT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
USERS = 4


class Queue:
    """Records every enqueue (thread-safe); answers like Cloud Tasks (False for a name
    it has seen) but keeps the duplicate calls too."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Doc]] = []
        self._lock = threading.Lock()

    def enqueue(self, queue: str, payload: Doc, *, name: str | None = None,
                schedule_at: datetime | None = None) -> bool:
        # A remind task, in its patient's channel's lane (shared/jobs.py).
        assert job_of(queue) is Job.REMIND and queue.startswith("remind-") and name is not None
        with self._lock:
            seen = any(n == name for n, _ in self.calls)
            self.calls.append((name, payload))
            return not seen

    def names_by_item(self, since: int = 0) -> dict[tuple[str, str, int], set[str]]:
        out: dict[tuple[str, str, int], set[str]] = {}
        for name, payload in self.calls[since:]:
            for item in payload["items"]:
                key = (str(item["dose_id"]), str(item["slot"]), int(item["sent"]))
                out.setdefault(key, set()).add(name)
        return out


class World:
    def __init__(self, store: DocumentStore, at: datetime) -> None:
        self.store = store
        self.clock = FixedClock(at)
        self.queue = Queue()
        self.messenger = RecordingMessenger(Channel.TELEGRAM)
        self.delivery = Delivery(store, self.clock, {Channel.TELEGRAM: self.messenger,
                                                     Channel.LINE: RecordingMessenger(
                                                         Channel.LINE)})
        self.doses: list[str] = []

    def service(self) -> ReminderService:
        return ReminderService(self.store, self.queue, self.clock, self.delivery)  # type: ignore[arg-type]

    def seed(self, users: int = USERS, hhmm: str = "08:00",
             start: datetime = SLOT - timedelta(hours=1)) -> None:
        for u in range(users):
            key = f"telegram-{7000 + u}"
            self.store.set(f"users/{key}", {"channel": "telegram", "chat_id": str(7000 + u),
                                            "language": "en", "timezone": "UTC"})
            for m in range(1 + u % 2):  # 1 or 2 doses per user
                mid = f"u{u}m{m}"
                self.store.set(f"medications/{mid}", {"user_id": key, "name": f"med{m}",
                                                      "dosage": "", "times": [hhmm]})
                self.store.set(f"doses/{mid}", dose_document(mid, key, mid, f"med{m}", "",
                                                             hhmm, "UTC", start))
                self.doses.append(mid)

    def concurrently(self, *ticks: Callable[[], dict[str, int]]) -> list[dict[str, int]]:
        barrier = threading.Barrier(len(ticks))
        results: list[Any] = [None] * len(ticks)

        def run(i: int) -> None:
            barrier.wait()
            try:
                results[i] = ticks[i]()
            except BaseException as exc:  # surfaced below
                results[i] = exc

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(ticks))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return results

    def send_all(self, since: int = 0) -> None:
        """The send worker runs every enqueued task, duplicates included."""
        service = self.service()
        for _, payload in self.queue.calls[since:]:
            service.send(payload)

    def reminders_to(self) -> Counter[str]:
        return Counter(record.chat_id for record in self.messenger.sends)


def _assert_each_dose_once(world: World, since: int, sent: int, slot: datetime) -> None:
    by_item = world.queue.names_by_item(since)
    expected = {(dose, slot.isoformat(), sent) for dose in world.doses}
    assert set(by_item) == expected
    # One reminder (task name) per dose, slot and number: Cloud Tasks' name dedupe and
    # the send worker's idempotency key both work on that name.
    assert all(len(names) == 1 for names in by_item.values()), by_item


def _store(project: str) -> DocumentStore:
    from shared.adapters.firestore_store import FirestoreStore

    return FirestoreStore(project=project)


# ------------------------------------------------------------------ duplicate ticks
@pytest.mark.parametrize("instances", ["one service, two threads", "two services"])
def test_two_ticks_for_the_same_minute_at_once_remind_each_dose_exactly_once(
    firestore_project: str, instances: str,
) -> None:
    world = World(_store(firestore_project), SLOT + timedelta(seconds=3))
    world.seed()
    first = world.service()
    second = first if instances == "one service, two threads" else world.service()

    results = world.concurrently(first.tick, second.tick)
    assert sum(r["enqueued"] for r in results) >= USERS  # every user's reminder queued
    _assert_each_dose_once(world, 0, 1, SLOT)
    world.send_all()
    assert world.reminders_to() == Counter({str(7000 + u): 1 for u in range(USERS)})
    reminded = [i["dose_id"] for _, doc in world.store.query("reminders")
                for i in doc["items"]]
    assert sorted(reminded) == sorted(world.doses)
    for dose in world.doses:
        state = world.store.get(f"doses/{dose}")
        assert state is not None
        assert state["pending_slot"] == SLOT.isoformat() and state["sent"] == 1

    # A third tick in the same minute finds nothing due.
    assert first.tick()["enqueued"] == 0

    # The hourly repeat, ticked twice at once too, comes once more (sent = 2).
    calls, sends = len(world.queue.calls), len(world.messenger.sends)
    world.clock.current = SLOT + timedelta(hours=1, seconds=5)
    world.concurrently(first.tick, second.tick)
    _assert_each_dose_once(world, calls, 2, SLOT)
    world.send_all(calls)
    assert Counter(r.chat_id for r in world.messenger.sends[sends:]) == Counter(
        {str(7000 + u): 1 for u in range(USERS)})
    repeats = [m.text for r in world.messenger.sends[sends:] for m in r.messages
               if isinstance(m, Text)]
    assert repeats and all(text.startswith(t("en", "remind.again")) for text in repeats)


# ------------------------------------------------------------------ late ticks
@pytest.mark.parametrize("late", [timedelta(minutes=1, seconds=2),  # one firing skipped
                                  timedelta(hours=1, seconds=30)],  # an hour late
                         ids=["skipped", "hour-late"])
def test_a_late_tick_still_reminds_once_and_the_repeat_follows_an_hour_later(
    firestore_project: str, late: timedelta,
) -> None:
    world = World(_store(firestore_project), SLOT - timedelta(minutes=1))
    world.seed(users=2)
    service = world.service()
    assert service.tick()["enqueued"] == 0  # nothing due yet; then no tick until late
    world.clock.current = sent_at = SLOT + late
    world.concurrently(service.tick, service.tick)  # and the late firing came twice
    _assert_each_dose_once(world, 0, 1, SLOT)
    world.send_all()
    assert world.reminders_to() == Counter({"7000": 1, "7001": 1})
    for _, payload in world.queue.calls:
        assert all(item["due"] == SLOT.isoformat() for item in payload["items"])

    # The next firings before the repeat is due send nothing ...
    calls = len(world.queue.calls)
    for minutes in (1, 30, 59):
        world.clock.current = sent_at + timedelta(minutes=minutes)
        assert service.tick()["enqueued"] == 0
    assert len(world.queue.calls) == calls
    # ... and the repeat comes an hour after the late reminder, once.
    world.clock.current = sent_at + timedelta(hours=1)
    service.tick()
    _assert_each_dose_once(world, calls, 2, SLOT)


# ------------------------------------------------------------------ transactions
class Boom(RuntimeError):
    """A failure injected in the middle of a transaction."""


def test_contended_transactions_are_retried_and_never_half_applied(
    firestore_project: str,
) -> None:
    store = _store(firestore_project)
    store.set("counters/a", {"n": 0})
    store.set("counters/b", {"n": 0})
    threads, per_thread = 5, 4
    attempts = Counter[str]()
    outcomes: list[str] = []
    lock = threading.Lock()

    def increment(name: str, fail: str | None) -> Callable[[Transaction], None]:
        def body(txn: Transaction) -> None:
            with lock:
                attempts[name] += 1
            a, b = txn.get("counters/a"), txn.get("counters/b")
            assert a is not None and b is not None
            txn.set("counters/a", {"n": a["n"] + 1, "last": name})
            if fail == "after one write":
                raise Boom(name)
            txn.set("counters/b", {"n": b["n"] + 1, "last": name})
            if fail == "after both writes":
                raise Boom(name)
        return body

    barrier = threading.Barrier(threads)

    def worker(t: int) -> None:
        barrier.wait()
        for i in range(per_thread):
            name = f"t{t}-{i}"
            fail = {1: "after one write", 3: "after both writes"}.get((t + i) % 4)
            try:
                store.transaction(increment(name, fail))
                outcome = "ok"
            except Boom:
                outcome = "failed"
            except Conflict:  # contention outlasted every retry: nothing applied either
                outcome = "gave up"
            except Exception as exc:  # anything else is a finding, not a thread's death
                outcome = f"error {exc!r}"
            with lock:
                outcomes.append(outcome)

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)

    assert len(outcomes) == threads * per_thread
    assert set(outcomes) <= {"ok", "failed", "gave up"}, outcomes
    succeeded = outcomes.count("ok")
    assert 0 < succeeded < len(outcomes)
    a, b = store.get("counters/a"), store.get("counters/b")
    assert a is not None and b is not None
    assert a["n"] == b["n"] == succeeded, (a, b, Counter(outcomes))
    assert a["last"] == b["last"]  # both written by the same (successful) transaction
    # Contention happened and was retried (more attempts than transactions).
    assert sum(attempts.values()) > len(outcomes), attempts
