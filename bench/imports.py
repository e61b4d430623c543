"""Cold import time of each function's entry module (a fresh interpreter each time).

Cloud Functions imports main.py, so main.py is the figure that matters for a cold
start; the per-module figures show where the time goes. Run: make bench or
  .venv/bin/python -m bench.imports [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = [
    "main",
    "functions.line_webhook",
    "functions.telegram_webhook",
    "functions.dialog_worker",
    "functions.job_workers",
    "functions.reminders",
]
# What a webhook must never import on its path (heavy SDKs).
HEAVY = ("linebot", "telegram", "google.genai", "google.cloud.firestore",
         "google.cloud.tasks_v2", "google.cloud.storage", "boto3", "babel")

PROBE = """
import sys, time
t = time.perf_counter()
import {module}
elapsed = time.perf_counter() - t
heavy = [m for m in {heavy!r} if m in sys.modules]
print(f"{{elapsed:.4f}} {{','.join(heavy) or '-'}}")
"""


def measure(module: str) -> tuple[float, str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module, heavy=HEAVY)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()
    return float(out[0]), out[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'module':32} {'median s':>9} {'max s':>7}  heavy SDKs imported")
    for module in MODULES:
        runs = [measure(module) for _ in range(args.repeat)]
        times = [r[0] for r in runs]
        print(f"{module:32} {statistics.median(times):9.3f} {max(times):7.3f}  {runs[0][1]}")


if __name__ == "__main__":
    main()
