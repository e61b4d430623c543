"""What one Dose.next_after costs per kind of schedule (issue 14), i.e. the tick's cost
per due dose for its recurrence, for a schedule that started years ago (the worst case:
a rule is iterated from whole periods before `after`, At._near) and one that starts now.
Also a course's last slot (the confirmation of a long course). Figures, no assertions.
Run: .venv/bin/python -m bench.recurrence [--repeat 2000]
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from shared.features.medication.recurrence import At, Schedule

ZONE = ZoneInfo("America/New_York")
AFTER = datetime(2026, 12, 7, 12, tzinfo=UTC)
KINDS = {
    "daily (stored before rules)": At("08:00"),
    "daily from a start": At("08:00", None, date(2023, 12, 1)),
    "weekly MO,TH": At("09:00", "FREQ=WEEKLY;BYDAY=MO,TH", date(2023, 12, 1)),
    "every 2 weeks TU": At("09:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", date(2023, 12, 1)),
    "every 3 days": At("09:00", "FREQ=DAILY;INTERVAL=3", date(2023, 12, 1)),
    "every 4 hours": At("06:00", "FREQ=HOURLY;INTERVAL=4", date(2023, 12, 1)),
    "course COUNT=1000 (from its start)": At("08:00", "FREQ=DAILY;COUNT=1000",
                                             date(2024, 3, 18)),
    "course UNTIL 2030": At("08:00", "FREQ=DAILY;UNTIL=20301231T235959", date(2023, 12, 1)),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    figures: dict[str, float] = {}
    for name, at in KINDS.items():
        at.next_after(AFTER, ZONE)  # the parsed rule is cached per (rule, start)
        started = time.perf_counter()
        for _ in range(args.repeat):
            at.next_after(AFTER, ZONE)
        figures[f"next_after µs: {name}"] = round(
            (time.perf_counter() - started) / args.repeat * 1e6, 1)
    course = Schedule.of(["08:00", "20:00"], "FREQ=DAILY;UNTIL=20301231T235959",
                         date(2026, 1, 1))
    started = time.perf_counter()
    course.last_slot(ZONE)
    figures["last_slot ms: 5-year course, 2 times"] = round(
        (time.perf_counter() - started) * 1e3, 1)
    print(json.dumps(figures, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
