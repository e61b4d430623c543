"""Precision, coverage and speed of the medication-command parser on the labelled corpus.

Run from the repository root: .venv/bin/python -m bench.parser_corpus
"""

from __future__ import annotations

import time
from collections import Counter

from shared.medication import parse_command
from tests.unit.medication_corpus import CASES, evaluate

ROUNDS = 20


def main() -> None:
    score = evaluate()
    sizes = Counter(case.lang for case in CASES)
    print(f"corpus: {len(CASES)} cases {dict(sizes)}")
    print(f"precision: {score.right}/{score.given} = {score.precision:.4f}")
    print(f"coverage:  {score.given}/{score.expected} = {score.coverage:.4f}")
    for lang in ("en", "ru", "zh"):
        part = evaluate(tuple(c for c in CASES if c.lang == lang))
        print(f"  {lang}: precision {part.precision:.4f}  coverage {part.coverage:.4f}")
    for case, answer in score.wrong:
        print(f"WRONG {case.text!r}: {answer}")
    start = time.perf_counter()
    for _ in range(ROUNDS):
        for case in CASES:
            parse_command(case.text, case.known)
    elapsed = time.perf_counter() - start
    print(f"speed: {ROUNDS * len(CASES) / elapsed:,.0f} parses/s")


if __name__ == "__main__":
    main()
