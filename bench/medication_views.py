"""The schedule's views (issue 14 items 3-5): what they cost. Prints figures, asserts
nothing.

* icalendar's import (paid only by a turn that builds a calendar: views.py imports it
  lazily) and the dialog worker's medication feature import without it;
* building the .ics of the largest schedule a patient may have (30 medicines x 12
  times, MAX_MEDICATIONS x MAX_TIMES) and of a typical one (3 medicines, 2 times), its
  size, and parsing it back;
* reading history questions (the unit tests' questions and near misses) and describing
  schedules, per second.

    .venv/bin/python -m bench.medication_views --repeat 20
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def _import_ms(module: str) -> float:
    code = f"import time; t=time.perf_counter(); import {module}; print(time.perf_counter()-t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return float(out.stdout) * 1000


def _median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    from icalendar import Calendar

    from shared.features.medication.common import MAX_MEDICATIONS, MAX_TIMES
    from shared.medication.describe import describe
    from shared.medication.facts import ScheduleFacts
    from shared.medication.history_words import read_history_question
    from shared.medication.ics import build_calendar
    from tests.unit.test_history_question import NOT_QUESTIONS, QUESTIONS

    icalendar_ms = [_import_ms("icalendar") for _ in range(5)]
    feature_ms = [_import_ms("shared.features.medication") for _ in range(3)]
    print(f"import icalendar: median {statistics.median(icalendar_ms):.0f} ms "
          f"(min {min(icalendar_ms):.0f}, max {max(icalendar_ms):.0f}); "
          f"shared.features.medication (without icalendar): "
          f"median {statistics.median(feature_ms):.0f} ms")

    zone, today, now = ZoneInfo("Europe/Berlin"), date(2026, 3, 25), datetime.now(UTC)
    times = tuple(f"{h:02d}:00" for h in range(8, 8 + MAX_TIMES))
    largest = [ScheduleFacts(f"medicine {i}", "100 mg", times=times)
               for i in range(MAX_MEDICATIONS)]
    typical = [ScheduleFacts(f"medicine {i}", "100 mg", times=("08:00", "20:00"))
               for i in range(3)]
    for label, schedules in (("largest", largest), ("typical", typical)):
        data = build_calendar(schedules, "Europe/Berlin", zone, today, now, "en", "p")
        assert data is not None
        build = _median_ms(lambda s=schedules: build_calendar(  # type: ignore[misc]
            s, "Europe/Berlin", zone, today, now, "en", "p"), args.repeat)
        parse = _median_ms(lambda d=data: Calendar.from_ical(d), args.repeat)  # type: ignore[misc]
        events = sum(len(s.times) for s in schedules)
        print(f".ics {label} ({len(schedules)} medicines, {events} events): "
              f"{len(data):,} bytes, built in {build:.1f} ms, parsed back in {parse:.1f} ms "
              f"(median of {args.repeat})")

    texts = [q for q, _ in QUESTIONS] + list(NOT_QUESTIONS)
    rounds = 50
    start = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            read_history_question(text)
    per_s = rounds * len(texts) / (time.perf_counter() - start)
    print(f"history questions read: {per_s:,.0f}/s ({len(texts)} sentences x {rounds})")

    facts = ScheduleFacts("aspirin", "100 mg", rule="FREQ=WEEKLY;COUNT=4;BYDAY=MO,TH",
                          times=("09:00",), start=today)
    start = time.perf_counter()
    for _ in range(2000):
        describe(facts, "ru", today)
    print(f"schedule described (a weekly course, ru): "
          f"{2000 / (time.perf_counter() - start):,.0f}/s")


if __name__ == "__main__":
    main()
