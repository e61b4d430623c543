"""Capacity model: one time zone, 2 doses a day per patient, 40 % of them at 08:00.

Run: .venv/bin/python -m bench.capacity [--patients 10000 100000 1000000]

Arithmetic, not a measurement: it prints, for each size, how long the 08:00 burst
takes to reach LINE and Telegram under the published limits, and what a month costs.
Every input is named below with where it comes from; change one and rerun.

The burst. 2 doses a day and 40 % of all doses at 08:00 is 0.8 doses per patient at
08:00; a patient has at most one dose a day at 08:00 (two medicines at the same time
are one reminder: the claim step groups a user's due doses), so 0.8 x patients
reminder messages fall due in one minute.

The stages, overlapping:
  1. hand-off: the tick fans out to one sweep task per shard; the sweeps claim the due
     doses (one transaction per patient) and enqueue one remind task per patient, at
     most CLAIMS_PER_S in all (paced; see below) and at most SHARDS x
     SWEEP_CLAIMS_PER_S (what one sweep instance can do);
  2. delivery: Cloud Tasks dispatches each channel's remind queues at the rates set in
     Terraform, matched to the platform: LINE LINE_RATE (4 lanes of 450/s: LINE allows
     2,000 push requests/s per channel and asks for a margin, which the bot's other
     pushes use), Telegram TELEGRAM_RATE (Telegram allows about 30 messages/s per bot
     for messages to many users, and deleting a superseded reminder takes a call too).
The last first reminder reaches the platform when both stages are through:
max(hand-off, messages / rate), plus one send's latency.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

DOSES_PER_DAY = 2
SHARE_AT_8 = 0.4
# Fan-out (runtime.json "reminder_fanout" once built; these are its defaults).
SHARDS = 64
CLAIMS_PER_S = 2_000  # paced hand-off: LINE's push ceiling, 4 lanes x 500 creates/s
SWEEP_CLAIMS_PER_S = 250  # one sweep instance, 16 claim threads (estimate, see README)
# Delivery (Terraform queue rates).
LINE_RATE = 4 * 450  # LINE push: 2,000 requests/s per channel
LINE_LIMIT = 2_000
TELEGRAM_RATE = 25  # Telegram: about 30 messages/s per bot
TELEGRAM_LIMIT = 30
CLOUD_TASKS_QUEUE_MAX = 500  # dispatches/s per queue
SEND_LATENCY_S = 0.5
# Today's design (before issue 16): one page of 500 per tick, one queue at 20/s.
OLD_PAGE = 500
OLD_RATE = 20

# Cost (README "What it costs": counted from the code, per patient per day).
READS, WRITES, TASKS, INVOCATIONS, LOG_BYTES = 40, 67, 7.2, 11.2, 20_000
PRICE_READ, PRICE_WRITE = 0.06 / 100_000, 0.18 / 100_000  # Firestore, multi-region
FREE_READS, FREE_WRITES = 50_000, 20_000  # per day
PRICE_TASK, FREE_TASKS = 0.40 / 1e6, 1e6  # per month
PRICE_CALL, FREE_CALLS = 0.40 / 1e6, 2e6  # function requests, per month
CPU_S_PER_CALL, PRICE_CPU_S, FREE_CPU_S = 0.2, 0.000024, 180_000
GIB_PER_INSTANCE, PRICE_GIB_S, FREE_GIB_S = 0.5, 0.0000025, 360_000
PRICE_LOG_GIB, FREE_LOG_GIB = 0.50, 50
FIXED = 0.5  # Scheduler job, Secret Manager
DAYS = 30
# Fan-out overhead: 3 probe queries a minute; at most one sweep task per shard a minute.
PROBES_PER_MIN = 3
SWEEP_CPU_S = 0.1  # an empty or small sweep: one query, a few claims


@dataclass(frozen=True)
class Burst:
    patients: int

    @property
    def messages(self) -> int:
        return round(self.patients * DOSES_PER_DAY * SHARE_AT_8)

    def handoff_s(self, claims_per_s: float = CLAIMS_PER_S) -> float:
        return self.messages / min(claims_per_s, SHARDS * SWEEP_CLAIMS_PER_S)

    def last_s(self, rate: float, claims_per_s: float = CLAIMS_PER_S) -> float:
        return max(self.handoff_s(claims_per_s), self.messages / rate) + SEND_LATENCY_S

    def old_last_s(self) -> float:
        ticks = math.ceil(self.messages / OLD_PAGE)
        return max((ticks - 1) * 60, self.messages / OLD_RATE)


def duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def monthly_cost(patients: int) -> dict[str, float]:
    # Minutes a day in which the tick fans out (a probe group sees >= 50 due doses,
    # ~150 in all): every minute once the day's 3 reminders per patient average more
    # than that, else the few burst minutes (08:00, its repeat at 09:00, ...).
    busy_minutes = 1440 if patients * 3 / 1440 > 150 else 4
    sweeps_per_day = SHARDS * busy_minutes
    # The probes' rows are read again by the sweeps in a busy minute (<= 3 x 50).
    reads = patients * READS + PROBES_PER_MIN * 1440 + 150 * busy_minutes
    writes = patients * WRITES
    tasks = (patients * TASKS + sweeps_per_day) * DAYS
    calls = (patients * INVOCATIONS + sweeps_per_day) * DAYS
    cpu = calls * CPU_S_PER_CALL - sweeps_per_day * DAYS * (CPU_S_PER_CALL - SWEEP_CPU_S)
    cost = {
        "Firestore reads": max(0.0, reads - FREE_READS) * DAYS * PRICE_READ,
        "Firestore writes": max(0.0, writes - FREE_WRITES) * DAYS * PRICE_WRITE,
        "Cloud Tasks": max(0.0, tasks - FREE_TASKS) * PRICE_TASK,
        "function invocations": max(0.0, calls - FREE_CALLS) * PRICE_CALL,
        # Upper bound: an instance's time is billed per request, concurrent ones share it.
        "function CPU + memory": (max(0.0, cpu - FREE_CPU_S) * PRICE_CPU_S
                                  + max(0.0, cpu * GIB_PER_INSTANCE - FREE_GIB_S) * PRICE_GIB_S),
        "Cloud Logging": max(0.0, patients * LOG_BYTES * DAYS / 2**30 - FREE_LOG_GIB)
        * PRICE_LOG_GIB,
        "Scheduler, Secret Manager": FIXED,
    }
    cost["total"] = sum(cost.values())
    return cost


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    sizes = [Burst(p) for p in args.patients]
    print(f"one zone, {DOSES_PER_DAY} doses/day, {SHARE_AT_8:.0%} at 08:00; {SHARDS} shards, "
          f"hand-off paced at {CLAIMS_PER_S:,}/s; LINE {LINE_RATE:,}/s "
          f"(limit {LINE_LIMIT:,}/s), Telegram {TELEGRAM_RATE}/s (limit ~{TELEGRAM_LIMIT}/s)")
    header = f"{'':44}" + "".join(f"{b.patients:>20,}" for b in sizes)
    print(header)

    def row(label: str, values: list[str]) -> None:
        print(f"{label:44}" + "".join(f"{v:>20}" for v in values))

    row("reminders due at 08:00", [f"{b.messages:,}" for b in sizes])
    row("hand-off to the queues (paced)", [duration(b.handoff_s()) for b in sizes])
    row("hand-off, unpaced (64 x 250/s)",
        [duration(b.handoff_s(SHARDS * SWEEP_CLAIMS_PER_S)) for b in sizes])
    row("last first reminder: all on LINE", [duration(b.last_s(LINE_RATE)) for b in sizes])
    row("  at LINE's full 2,000/s", [duration(b.last_s(LINE_LIMIT)) for b in sizes])
    row("last first reminder: all on Telegram",
        [duration(b.last_s(TELEGRAM_RATE)) for b in sizes])
    row("  at Telegram's full ~30/s (no design beats)",
        [duration(b.last_s(TELEGRAM_LIMIT)) for b in sizes])
    row("half on each: LINE / Telegram",
        [f"{duration(Burst(b.patients // 2).last_s(LINE_RATE))} / "
         f"{duration(Burst(b.patients // 2).last_s(TELEGRAM_RATE))}" for b in sizes])
    row("before issue 16 (500 a tick, 20/s)", [duration(b.old_last_s()) for b in sizes])
    row("  its capacity: reminders a day / needed", [
        f"{OLD_PAGE * 1440 // 1000}k / {b.patients * 3 // 1000}k" for b in sizes])
    print("cost per month (USD, list prices, free tiers applied)")
    costs = [monthly_cost(b.patients) for b in sizes]
    for key in costs[0]:
        row(f"  {key}", [f"{c[key]:,.0f}" for c in costs])


if __name__ == "__main__":
    main()
