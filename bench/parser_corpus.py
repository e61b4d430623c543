"""Precision, coverage and speed of the medication-command parser on the labelled sets.

Three sets, scored apart (issue 14): the original corpus (tests/unit/medication_corpus.py,
which the parser was built on), the development set the schedule grammar was tuned on
(medication_dev.py) and the frozen held-out set written before that tuning
(medication_heldout.py). "weekly read as daily" counts answers that give a medication of a
message stating a weekly frequency anything but a weekly rule (must be 0).

Run from the repository root: .venv/bin/python -m bench.parser_corpus
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from shared.medication import parse_command
from tests.unit.medication_corpus import CASES, CORPUS_TODAY, evaluate
from tests.unit.medication_dev import DEV
from tests.unit.medication_heldout import HELD_OUT

ROUNDS = 20


def report(name: str, cases: Sequence[Any], show_wrong: bool) -> None:
    score = evaluate(cases)
    sizes = Counter(case.lang for case in cases)
    print(f"{name}: {len(cases)} cases {dict(sizes)}")
    print(f"  precision: {score.right}/{score.given} = {score.precision:.4f}")
    print(f"  coverage:  {score.given}/{score.expected} = {score.coverage:.4f}")
    print(f"  weekly read as daily: {len(score.weekly_as_daily)}")
    for lang in ("en", "ru", "zh"):
        part = evaluate(tuple(c for c in cases if c.lang == lang))
        print(f"    {lang}: precision {part.right}/{part.given} = {part.precision:.4f}"
              f"  coverage {part.given}/{part.expected} = {part.coverage:.4f}")
    if show_wrong:
        for case, answer in score.wrong:
            print(f"  WRONG {case.text!r}: {answer}")


def main() -> None:
    report("corpus", CASES, show_wrong=True)
    report("development set", DEV, show_wrong=True)
    # Held-out: figures only, so that reading this output does not tune the parser to it.
    report("held-out set", HELD_OUT, show_wrong=False)
    everything: list[Any] = [*CASES, *DEV, *HELD_OUT]
    start = time.perf_counter()
    for _ in range(ROUNDS):
        for case in everything:
            parse_command(case.text, case.known, today=CORPUS_TODAY)
    elapsed = time.perf_counter() - start
    print(f"speed: {ROUNDS * len(everything) / elapsed:,.0f} parses/s")


if __name__ == "__main__":
    main()
