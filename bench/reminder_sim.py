"""The full 14-day reminder simulation (200 users, 20 time zones, every kind of schedule
(issue 14: daily, weekly, every 2 days, every 8 hours, courses, as needed), duplicated and
skipped scheduler firings) on the official Firestore emulator. The test suite runs it with 25
users on the emulator and 200 in memory to stay short; this runs the full size on the
emulator. Run: .venv/bin/python -m bench.reminder_sim [--users 200] [--days 14]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import time

from infra.local.emulators import start_firestore
from tests.e2e.reminder_sim import assert_sound, simulate, summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--days", type=int, default=14)
    args = parser.parse_args()
    emulator = start_firestore()
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.host
    try:
        from shared.adapters.firestore_store import FirestoreStore

        started = time.perf_counter()
        result = simulate(FirestoreStore(project=f"sim-{secrets.token_hex(4)}"),
                          users=args.users, days=args.days)
        elapsed = time.perf_counter() - started
        assert_sound(result)  # zero duplicates, zero lost, lateness bounds
        print(json.dumps({**summary(result), "wall_s": round(elapsed)}, indent=1))
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
