"""The doctor's report: how long the report worker takes to build, render and store one,
and how big it is (no timed assertion: a figure to compare).

Run: .venv/bin/python -m bench.report [--medicines 5] [--repeat 3] [--language zh-TW]

A patient with N medicines, each twice a day, 30 days of dose log (on time, late,
skipped and missed mixed) and a count on hand, in the in-memory store; the report
worker's use case (features/supply/report.py) with WeasyPrint, as deployed. Prints the
page size, the PDF size and the time per report (first one includes importing
WeasyPrint and loading the fonts).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

from shared.adapters.weasy_pdf import WeasyPdfRenderer
from shared.clock import FixedClock
from shared.features.medication.adherence import Logged
from shared.features.supply.model import Supply
from shared.features.supply.report_html import report_html
from shared.features.supply.report_model import Medicine, build_report

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
STATUSES = ("taken", "taken", "taken", "skipped", "missed")


def patient(medicines: int) -> tuple[list[Medicine], list[Logged], list[Supply]]:
    meds = [Medicine(f"m{n}", f"medicine {n}", "1 tablet", ("08:00", "20:00"))
            for n in range(medicines)]
    logged: list[Logged] = []
    for med in meds:
        for day in range(30):
            for hour in (0, 12):
                slot = NOW - timedelta(days=day, hours=hour)
                late = timedelta(hours=2 if (day + hour) % 7 == 0 else 0)
                logged.append(Logged(med.id, slot, STATUSES[day % len(STATUSES)],
                                     slot + late))
    supplies = [Supply.first(m.id, "u", m.name, 60, NOW - timedelta(days=20), 7) for m in meds]
    return meds, logged, supplies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--medicines", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--language", default="zh-TW")
    args = parser.parse_args()
    meds, logged, supplies = patient(args.medicines)
    renderer = WeasyPdfRenderer()
    clock = FixedClock(NOW)
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        report = build_report(meds, logged, supplies, clock.now(), "Asia/Taipei", 30)
        page = report_html(args.language, report)
        pdf = renderer.render(page)
        times.append(time.perf_counter() - started)
    print(f"medicines={args.medicines} slots={len(logged)} language={args.language}")
    print(f"html_bytes={len(page)} pdf_bytes={len(pdf)}")
    print(f"first_s={times[0]:.2f} median_after_first_s="
          f"{statistics.median(times[1:] or times):.2f}")


if __name__ == "__main__":
    main()
