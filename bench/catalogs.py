"""What the message catalogs cost: the first message of a language in a fresh process
(reading and parsing its .po files), a message after that, and what gets imported.

Run: .venv/bin/python -m bench.catalogs [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys, time
t0 = time.perf_counter()
from shared.domain.i18n import t
t1 = time.perf_counter()
t({lang!r}, "menu.title")
t2 = time.perf_counter()
for n in range(10_000):
    t({lang!r}, "limit.emails", count=n)
t3 = time.perf_counter()
print(f"{{t1 - t0:.5f}} {{t2 - t1:.5f}} {{(t3 - t2) / 10_000 * 1e6:.2f}} "
      f"{{'babel' in sys.modules}} {{'json' in sys.modules}}")
"""


def measure(lang: str) -> list[str]:
    return subprocess.run([sys.executable, "-c", PROBE.format(lang=lang)], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    files = sorted((ROOT / "shared" / "locales").glob("*/LC_MESSAGES/*.po"))
    size = sum(f.stat().st_size for f in files)
    print(f"{len(files)} .po files, {size / 1024:.0f} KiB in all")
    print(f"{'language':8} {'import ms':>10} {'first message ms':>17} {'next, µs':>9}  babel")
    for lang in ("en", "ru", "zh-TW"):
        runs = [measure(lang) for _ in range(args.repeat)]
        imp = statistics.median(float(r[0]) for r in runs) * 1000
        first = statistics.median(float(r[1]) for r in runs) * 1000
        each = statistics.median(float(r[2]) for r in runs)
        print(f"{lang:8} {imp:10.1f} {first:17.1f} {each:9.2f}  {runs[0][3]}")


if __name__ == "__main__":
    main()
