"""A reminder loop over simulated days, driven through ReminderService with a FixedClock.

Users in many time zones (DST zones, the date line, half-hour offsets) keep medications
at awkward local times (midnight, 23:59, the repeated and skipped DST hours). Cloud
Scheduler is played at minute resolution but only where something is due: each firing
runs at the minute boundary plus 0..59 s of jitter, some firings are skipped, some are
delivered twice (at once and a few seconds later). Users tap "Taken" for one medicine
of a reminder after a while (per-medicine taps), take some doses early ("I took it" up
to 3 h before: that slot must never be reminded), and leave the rest unanswered: those
are repeated at most 3 times, never in the user's quiet hours (the default 22:00-07:00,
or their own), and recorded missed.

The result says, for every (dose, slot): how often each reminder number was enqueued,
how late the first reminder came, and the log's verdict; and every reminder enqueued
inside its user's quiet hours that is not a dose's first reminder (at its time), or
that carries a dose from an earlier slot of a medicine whose later slot has started.

Issue 14: the medicines follow every kind of schedule (KINDS): every day, weekly on some
days (the DST Sundays among them), every other day, every 8 hours (elapsed time), a
5-dose course (COUNT) and a course until a day (UNTIL), and as needed (never reminded).
The expected slots are computed here independently of the application's recurrence
(plain day and hour arithmetic in the zone, fold=0; no dateutil): a weekly medicine is
reminded only on its days, a course stops after its last dose (its doses end finished,
never due again), and nothing is reminded twice or lost across the DST changes.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from shared.clock import FixedClock
from shared.domain.schedule import resolve_zone, zone_of
from shared.fakes.memory_store import MemoryStore
from shared.features.medication.model import At, Dose, SlotStatus
from shared.features.medication.policy import DEFAULT_QUIET, NO_QUIET, QuietHours
from shared.features.medication.repository import MedicationRepository, dose_doc
from shared.features.reminders.records import CLAIM_TTL
from shared.features.reminders.service import ReminderService
from shared.jobs import Job, job_of
from shared.ports import Doc, DocumentStore, Filter

ZONES = (
    "Europe/Berlin", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago",
    "Pacific/Apia", "Pacific/Chatham", "Asia/Kolkata", "Asia/Kathmandu",
    "Australia/Lord_Howe", "America/St_Johns", "Asia/Taipei", "Europe/Moscow", "UTC",
    "+03:00", "-09:30", "America/Sao_Paulo", "Australia/Sydney", "America/Los_Angeles",
    "Europe/London", "America/Havana",
)
# Midnight, the last minute, and the hours that repeat (01:30 New York, 02:30 Berlin)
# when the clocks go back inside the window.
TIMES = ("00:00", "23:59", "01:30", "02:30", "07:00", "08:15", "12:00", "20:00", "21:45")
# 2026-10-20 .. 11-03: Europe goes back on 10-25, the US and Cuba on 11-01.
START = datetime(2026, 10, 20, 0, 0, tzinfo=UTC)
# Quiet hours by user (None: the default, 22:00-07:00), across the DST changes above.
QUIETS = (None, None, QuietHours("23:30", "06:00"), QuietHours("20:30", "08:30"), NO_QUIET)
EARLY = timedelta(hours=3)  # settings.remind_early_s


@dataclass(frozen=True)
class Kind:
    """A kind of schedule as the simulation expects it (independent arithmetic) and as
    the application stores it (rule, start day)."""

    name: str
    rule: str | None = None
    days: tuple[int, ...] = ()  # weekly: weekday numbers (0 = Monday)
    every_days: int = 1
    every_hours: int = 0  # elapsed hours between doses (0: a wall-clock rule)
    count: int | None = None  # slots per time
    until: date | None = None  # last local day, inclusive
    as_needed: bool = False


START_DAY = date(2026, 10, 20)
KINDS = (
    Kind("daily"),
    # Sundays (both DST Sundays of the window) and Wednesdays.
    Kind("weekly", "FREQ=WEEKLY;BYDAY=WE,SU", days=(2, 6)),
    Kind("every 2 days", "FREQ=DAILY;INTERVAL=2", every_days=2),
    Kind("every 8 hours", "FREQ=HOURLY;INTERVAL=8", every_hours=8),
    Kind("5-day course", "FREQ=DAILY;COUNT=5", count=5),
    Kind("course until", "FREQ=DAILY;UNTIL=20261026T235959", until=date(2026, 10, 26)),
    Kind("as needed", as_needed=True),
)


def _local(day: date, hhmm: str, zone_name: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=zone_of(zone_name)).astimezone(UTC)


def kind_slots(kind: Kind, hhmm: str, zone_name: str, first: datetime,
               end: datetime) -> list[str]:
    """The slots of one time of a schedule in (first, end], ISO UTC."""
    if kind.name == "daily":
        return _slots(hhmm, zone_name, first, end)
    if kind.as_needed:
        return []
    out: list[datetime] = []
    if kind.every_hours:
        at = _local(START_DAY, hhmm, zone_name)
        while at <= end:
            out.append(at)
            at += timedelta(hours=kind.every_hours)
    else:
        day, n = START_DAY, 0
        while day <= (end + timedelta(days=2)).date():
            on = (day - START_DAY).days % kind.every_days == 0 and (
                not kind.days or day.weekday() in kind.days)
            if on and (kind.until is None or day <= kind.until):
                out.append(_local(day, hhmm, zone_name))
                n += 1
                if kind.count is not None and n == kind.count:
                    break
            day += timedelta(days=1)
    return sorted(a.isoformat() for a in out if first < a <= end)
REPEATS = 3  # settings.remind_repeats


class RecordingQueue:
    """Every remind enqueue call, duplicates included (the tasks emulator does not
    dedupe); sweep tasks (a tick's fan-out) wait in `sweeps` to be run."""

    def __init__(self) -> None:
        self.calls: list[tuple[datetime, Doc]] = []
        self.sweeps: list[Doc] = []
        self.clock: FixedClock | None = None

    def enqueue(self, queue: str, payload: Doc, *, name: str | None = None,
                schedule_at: datetime | None = None) -> bool:
        assert self.clock is not None
        if job_of(queue) is Job.SWEEP:
            self.sweeps.append(payload)
        else:
            self.calls.append((self.clock.now(), payload))
        return True


def fire(service: ReminderService, queue: RecordingQueue) -> None:
    """One firing of the tick, and the sweeps it fans out to (Cloud Tasks runs them
    at once)."""
    service.tick()
    while queue.sweeps:
        service.sweep(queue.sweeps.pop(0))


@dataclass
class Result:
    enqueued: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    first_at: dict[tuple[str, str], datetime] = field(default_factory=dict)
    expected: set[tuple[str, str]] = field(default_factory=set)
    skipped_minutes: set[datetime] = field(default_factory=set)
    ticks: int = 0
    duplicated_ticks: int = 0
    taken: int = 0
    early: set[tuple[str, str]] = field(default_factory=set)  # slots taken before their time
    log: dict[tuple[str, str], str] = field(default_factory=dict)
    in_quiet_hours: list[tuple[str, str, int]] = field(default_factory=list)
    stale: list[tuple[str, str]] = field(default_factory=list)
    one_medicine_twice: int = 0
    users: dict[str, tuple[str, QuietHours]] = field(default_factory=dict)  # zone, quiet
    medicine_times: dict[str, tuple[str, ...]] = field(default_factory=dict)
    medicine_kind: dict[str, Kind] = field(default_factory=dict)
    off_day: list[tuple[str, str]] = field(default_factory=list)  # weekly, not its day
    courses_unfinished: list[str] = field(default_factory=list)  # a dose still due

    def slots_of(self, medicine: str, first: datetime, end: datetime) -> list[str]:
        """Every slot of a medicine (all its times) in (first, end]."""
        zone, _ = self.users[_user_of(medicine)]
        kind = self.medicine_kind.get(medicine, KINDS[0])
        return [s for hhmm in self.medicine_times[medicine]
                for s in kind_slots(kind, hhmm, zone, first, end)]

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.enqueued.values() if n > 1)

    def lost(self) -> set[tuple[str, str]]:
        return self.expected - set(self.first_at) - self.overtaken()

    def overtaken(self) -> set[tuple[str, str]]:
        """Slots never reminded because their medicine's next slot began before a
        firing could remind them (23:59 and 00:00, the 23:59 firing skipped): logged
        missed, and not carried into the next slot's reminder."""
        out = set()
        for key in self.expected - set(self.first_at):
            medicine = key[0].split("-")[0]
            slot = datetime.fromisoformat(key[1])
            soon = self.slots_of(medicine, slot, slot + timedelta(minutes=5))
            if soon and self.log.get(key) == "missed":
                out.add(key)
        return out

    def unexpected(self) -> set[tuple[str, str]]:
        return set(self.first_at) - self.expected

    def lateness(self) -> dict[tuple[str, str], float]:
        return {k: (at - datetime.fromisoformat(k[1])).total_seconds()
                for k, at in self.first_at.items()}

    def late_without_excuse(self, limit_s: float = 60.0) -> list[tuple[str, str]]:
        """First reminders later than limit_s whose due minute's firing was not skipped."""
        out = []
        for key, seconds in self.lateness().items():
            due = datetime.fromisoformat(key[1])
            if seconds >= limit_s and _ceil_minute(due) not in self.skipped_minutes:
                out.append(key)
        return out


def _ceil_minute(at: datetime) -> datetime:
    floor = at.replace(second=0, microsecond=0)
    return floor if floor == at else floor + timedelta(minutes=1)


def _slots(hhmm: str, zone_name: str, first: datetime, end: datetime) -> list[str]:
    """Independent of domain/schedule.py: each local day's wall time, fold=0."""
    zone = zone_of(zone_name)
    hour, minute = map(int, hhmm.split(":"))
    out = []
    day: date = (first - timedelta(days=2)).date()
    while day <= (end + timedelta(days=2)).date():
        at = datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)
        if first < at <= end:
            out.append(at.isoformat())
        day += timedelta(days=1)
    return sorted(set(out))


def seed(store: DocumentStore, users: int, rng: random.Random,
         result: Result | None = None) -> list[tuple[str, Doc]]:
    doses: list[tuple[str, Doc]] = []
    for u in range(users):
        key = f"telegram-{1000 + u}"
        zone = ZONES[u % len(ZONES)]
        quiet = QUIETS[(u // len(ZONES)) % len(QUIETS)]
        assert resolve_zone(zone) is not None, zone  # never the UTC fallback
        store.set(f"users/{key}", {"channel": "telegram", "chat_id": str(1000 + u),
                                   "language": "en", "timezone": zone})
        if result is not None:
            result.users[key] = (zone, quiet or DEFAULT_QUIET)
        for m in range(rng.randint(1, 2)):
            mid = f"u{u}m{m}"
            # Every kind of schedule in every zone (users cycle through zones and kinds).
            kind = KINDS[(u + 3 * m) % len(KINDS)]
            times = sorted(rng.sample(TIMES, 1 if kind.every_hours else rng.randint(1, 2)))
            med: dict[str, Any] = {"user_id": key, "name": f"med{m}", "dosage": "",
                                   "times": [] if kind.as_needed else times}
            if kind.rule is not None:
                med.update(rule=kind.rule, start=START_DAY.isoformat())
            if kind.as_needed:
                med.update(as_needed=True, max_per_day=4)
            store.set(f"medications/{mid}", med)
            if result is not None:
                result.medicine_times[mid] = tuple(times)
                result.medicine_kind[mid] = kind
            if kind.as_needed:
                continue
            for hhmm in times:
                dose_id = f"{mid}-{hhmm.replace(':', '')}"
                at = At(hhmm) if kind.rule is None else At(hhmm, kind.rule, START_DAY)
                dose = Dose.first(dose_id, key, mid, f"med{m}", "", at, zone, START)
                dose.sibling_times, dose.quiet = tuple(times), quiet
                doc = dose_doc(dose)
                store.set(f"doses/{dose_id}", doc)
                doses.append((dose_id, doc))
    return doses


def simulate(store: DocumentStore, *, users: int, days: int, seed_value: int = 7,
             p_skip: float = 0.05, p_duplicate: float = 0.1,
             p_taken: float = 0.75, p_early: float = 0.1) -> Result:
    rng = random.Random(seed_value)
    end = START + timedelta(days=days)
    clock = FixedClock(START)
    queue = RecordingQueue()
    queue.clock = clock
    service = ReminderService(store, queue, clock, delivery=None)  # type: ignore[arg-type]
    result = Result()
    for dose_id, doc in seed(store, users, rng, result):
        kind = result.medicine_kind[dose_id.split("-")[0]]
        for slot in kind_slots(kind, str(doc["time"]), str(doc["timezone"]), START, end):
            result.expected.add((dose_id, slot))
    taps: list[tuple[datetime, str, str, bool]] = []  # (when, dose id, slot, early)
    seen_calls = 0
    last_tick = START

    while True:
        due = _next_due(store, end)
        next_tap = taps[0][0] if taps else None
        if due is None and next_tap is None:
            break
        tick_at = None
        if due is not None:
            minute = _ceil_minute(max(due, last_tick + timedelta(seconds=1)))
            while rng.random() < p_skip:  # Cloud Scheduler skipped this firing
                result.skipped_minutes.add(minute)
                minute += timedelta(minutes=1)
            tick_at = minute + timedelta(seconds=rng.randint(0, 59))
        if next_tap is not None and (tick_at is None or next_tap < tick_at):
            _, dose_id, slot, early = heapq.heappop(taps)
            clock.current = max(clock.current, next_tap)
            if early:
                if _take_early(store, dose_id, slot, clock.current):
                    result.early.add((dose_id, slot))
                    result.expected.discard((dose_id, slot))  # never to be reminded
            else:
                _tap(store, dose_id, slot, clock.current)
                result.taken += 1
            continue
        assert tick_at is not None
        if tick_at > end + timedelta(minutes=2):
            break
        clock.current = last_tick = tick_at
        fire(service, queue)
        result.ticks += 1
        if rng.random() < p_duplicate:  # delivered twice
            fire(service, queue)
            clock.current = last_tick = tick_at + timedelta(seconds=rng.randint(1, 5))
            fire(service, queue)
            result.duplicated_ticks += 1
        for at, payload in queue.calls[seen_calls:]:
            _check_reminder(result, at, payload)
            for item in payload["items"]:
                key = (str(item["dose_id"]), str(item["slot"]))
                result.enqueued[(key[0], key[1], int(item["sent"]))] += 1
                if int(item["sent"]) == 1 and key not in result.first_at:
                    result.first_at[key] = at
                    draw = rng.random()
                    if draw < p_taken:  # Taken, for this medicine of the reminder
                        later = at + timedelta(minutes=rng.randint(1, 150))
                        heapq.heappush(taps, (later, key[0], key[1], False))
                    elif draw < p_taken + p_early:  # its next slot, "I took it" early
                        nxt = _next_slot(result, key[0], key[1], end)
                        if nxt is not None:
                            before = timedelta(minutes=rng.randint(5, 175))
                            heapq.heappush(taps, (max(at, datetime.fromisoformat(nxt) - before),
                                                  key[0], nxt, True))
        seen_calls = len(queue.calls)
        if isinstance(store, MemoryStore) and result.ticks % 100 == 0:
            _expire(store, clock.current, result)
    _collect_log(store, result, delete=False)
    _check_courses(store, result, end)
    return result


def _check_courses(store: DocumentStore, result: Result, end: datetime) -> None:
    """Every dose of a course that ended inside the window is finished: no next slot,
    never due again."""
    for path, doc in store.query("doses"):
        medicine = path.split("/", 1)[1].split("-")[0]
        kind = result.medicine_kind.get(medicine)
        if kind is not None and (kind.count or kind.until) and doc.get("next_due_at"):
            result.courses_unfinished.append(medicine)


def _check_reminder(result: Result, at: datetime, payload: Doc) -> None:
    """Quiet hours and stale doses, for one reminder as enqueued at `at`."""
    zone, quiet = result.users[str(payload["user"])]
    medicines = [str(i["dose_id"]).split("-")[0] for i in payload["items"]]
    result.one_medicine_twice += len(medicines) - len(set(medicines))
    for item in payload["items"]:
        dose_id, slot, sent = str(item["dose_id"]), str(item["slot"]), int(item["sent"])
        if quiet.contains(at, zone_of(zone)) and sent > 1:
            result.in_quiet_hours.append((dose_id, slot, sent))
        medicine = dose_id.split("-")[0]
        started = result.slots_of(medicine, START, at)
        if started and max(started) > slot:  # a later slot of this medicine has begun
            result.stale.append((dose_id, slot))
        days = result.medicine_kind[medicine].days
        local_day = datetime.fromisoformat(slot).astimezone(zone_of(zone)).weekday()
        if days and local_day not in days:
            result.off_day.append((dose_id, slot))


def _user_of(medicine: str) -> str:
    return f"telegram-{1000 + int(medicine[1:].split('m')[0])}"  # u<n>m<m>


def _next_slot(result: Result, dose_id: str, slot: str, end: datetime) -> str | None:
    medicine, hhmm = dose_id.split("-")
    zone, _ = result.users[_user_of(medicine)]
    kind = result.medicine_kind[medicine]
    later = [s for s in kind_slots(kind, f"{hhmm[:2]}:{hhmm[2:]}", zone, START, end)
             if s > slot]
    return later[0] if later else None


def _take_early(store: DocumentStore, dose_id: str, slot: str, now: datetime) -> bool:
    """What a typed "I took it" before the dose does (medication/taking.py take_early)."""
    repo = MedicationRepository(store)
    dose = repo.dose(dose_id)
    if dose is None or dose.next_slot_at is None or dose.next_slot_at.isoformat() != slot:
        return False
    step = dose.take_early(now, EARLY)
    if step is None:
        return False
    logs = [step.taken, *([step.missed] if step.missed else [])]
    for path, doc in repo.dose_writes([dose], logs):
        assert doc is not None
        store.set(path, doc)
    return True


def _collect_log(store: DocumentStore, result: Result, delete: bool) -> None:
    for path, entry in store.query("dose_log"):
        result.log[(str(entry["dose_id"]), entry["slot_at"].isoformat())] = str(entry["status"])
        if delete:
            store.delete(path)


def _next_due(store: DocumentStore, end: datetime) -> datetime | None:
    """When the scheduler next has something to do (the simulation's own look-ahead,
    not part of any tick)."""
    if isinstance(store, MemoryStore):  # the fake's query deep-copies every match
        dues = [d["next_due_at"] for p, d in store._docs.items()
                if p.startswith("doses/") and "next_due_at" in d]
        return min((x for x in dues if x <= end), default=None)
    rows = store.query("doses", [Filter("next_due_at", "<=", end)],
                       order_by="next_due_at", limit=1)
    return rows[0][1]["next_due_at"] if rows else None


def _tap(store: DocumentStore, dose_id: str, slot: str, now: datetime) -> None:
    """What the "Taken" button does (features/reminders/dialog.py resolve)."""
    repo = MedicationRepository(store)
    dose = repo.dose(dose_id)
    if dose is None or dose.pending is None or dose.pending.slot != slot:
        return  # already superseded (the next slot started)
    entry = dose.settle(SlotStatus.TAKEN, now)
    assert entry is not None
    for path, doc in repo.dose_writes([dose], [entry]):
        assert doc is not None
        store.set(path, doc)


def _expire(store: MemoryStore, now: datetime, result: Result) -> None:
    """Keeps the fake's full scans short: claims older than two hours go (they only
    have to outlive a duplicated firing), and log entries move into the result."""
    for path, doc in store.query("remind_claims"):
        if doc["expires_at"] <= now + CLAIM_TTL - timedelta(hours=2):
            store.delete(path)
    _collect_log(store, result, delete=True)


def summary(result: Result) -> dict[str, Any]:
    lateness = sorted(result.lateness().values())
    return {
        "expected_first_reminders": len(result.expected),
        "first_reminders": len(result.first_at),
        "reminders_enqueued": sum(result.enqueued.values()),
        "duplicates": result.duplicates, "lost": len(result.lost()),
        "ticks": result.ticks, "duplicated_ticks": result.duplicated_ticks,
        "skipped_firings": len(result.skipped_minutes), "taken": result.taken,
        "max_lateness_s": lateness[-1] if lateness else None,
        "late_over_60s_without_a_skipped_firing": len(result.late_without_excuse()),
        "missed_logged": sum(1 for s in result.log.values() if s == "missed"),
        "overtaken_before_a_firing": len(result.overtaken()),
        "taken_early": len(result.early),
        "most_reminders_for_one_slot": max((k[2] for k in result.enqueued), default=0),
        "repeats_in_quiet_hours": len(result.in_quiet_hours),
        "reminders_with_an_earlier_slot_of_a_medicine": len(result.stale),
        "one_medicine_twice_in_a_reminder": result.one_medicine_twice,
        "first_reminders_by_kind": dict(sorted(Counter(
            result.medicine_kind[k[0].split("-")[0]].name for k in result.first_at).items())),
        "weekly_reminders_off_their_days": len(result.off_day),
        "course_doses_still_due_after_their_end": len(result.courses_unfinished),
    }


def assert_sound(result: Result) -> None:
    assert result.duplicates == 0, [k for k, n in result.enqueued.items() if n > 1][:5]
    assert not result.lost(), sorted(result.lost())[:5]
    assert not result.unexpected(), sorted(result.unexpected())[:5]
    assert not result.late_without_excuse(), result.late_without_excuse()[:5]
    # A skipped firing is caught up by the next one.
    assert all(s < 120 + 60 * 3 for s in result.lateness().values())
    # Every slot that was not taken and whose next slot started is logged missed.
    for key in result.expected:
        status = result.log.get(key)
        assert status in ("taken", "missed", None), (key, status)
    assert result.taken > 0 and any(s == "missed" for s in result.log.values())
    # Issue 11: at most REPEATS repeats, none in quiet hours, no stale dose, early doses
    # logged taken (and, above, never reminded: they are not expected).
    assert max(k[2] for k in result.enqueued) <= 1 + REPEATS
    assert result.in_quiet_hours == [], result.in_quiet_hours[:5]
    assert result.stale == [], result.stale[:5]
    assert result.one_medicine_twice == 0
    assert result.early and all(result.log.get(k) == "taken" for k in result.early)
    # Issue 14: every kind reminded, a weekly medicine only on its days, a course stops.
    kinds = {result.medicine_kind[k[0].split("-")[0]].name for k in result.first_at}
    assert kinds == {k.name for k in KINDS if not k.as_needed}, kinds
    assert result.off_day == [], result.off_day[:5]
    assert result.courses_unfinished == [], result.courses_unfinished[:5]
