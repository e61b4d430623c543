"""Precision, coverage and speed of the intent reader (shared/domain/reading) on the
labelled typed messages: the development set (tests/unit/intent_corpus.py), the
held-out set written with it before the reader existed (intent_heldout.py), a second
round written after the reader (intent_heldout2.py: its first run scored precision
0.970, coverage 0.865; the misses showed three general gaps, fixed) and a third round
written after those fixes and never tuned on (intent_heldout3.py).

routed = messages given a reading other than the mode's free text; precision = right
readings / routed (a wrong route is the harmful error: an action the patient did not
ask for); coverage = right readings / messages labelled with one; free text kept =
messages labelled as the mode's free text that the reader left to the mode.

Run from the repository root: .venv/bin/python -m bench.intent_reader
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence

from shared.domain.reading import read_text
from shared.medication import parse_command
from tests.unit.intent_corpus import CASES, Case, evaluate, language_of, screen_of
from tests.unit.intent_heldout import HELD_OUT
from tests.unit.intent_heldout2 import HELD_OUT_2
from tests.unit.intent_heldout3 import HELD_OUT_3

ROUNDS = 20


def report(name: str, cases: Sequence[Case]) -> None:
    score = evaluate(cases)
    sizes = Counter(language_of(case.text) for case in cases)
    print(f"{name}: {len(cases)} messages {dict(sorted(sizes.items()))}")
    print(f"  precision: {score.right}/{score.routed} = {score.precision:.3f}")
    print(f"  coverage:  {score.right}/{score.labelled} = {score.coverage:.3f}")
    print(f"  free text kept: {score.free_kept}/{score.free}")
    for lang in ("en", "ru", "zh-TW"):
        part = evaluate([c for c in cases if language_of(c.text) == lang])
        print(f"    {lang:5}: precision {part.right}/{part.routed} = {part.precision:.3f}"
              f"  coverage {part.right}/{part.labelled} = {part.coverage:.3f}"
              f"  free kept {part.free_kept}/{part.free}")
    for case, got in score.wrong:
        print(f"  MISS [{case.screen}] {case.text!r}: labelled {case.expected}, read {got}")


def main() -> None:
    report("development set", CASES)
    report("held-out set", HELD_OUT)
    report("round 2 (written after the reader; its misses prompted fixes)", HELD_OUT_2)
    report("round 3 (written after those fixes; never tuned on)", HELD_OUT_3)
    everything = [*CASES, *HELD_OUT, *HELD_OUT_2, *HELD_OUT_3]
    screens = [screen_of(case.screen) for case in everything]
    start = time.perf_counter()
    for _ in range(ROUNDS):
        for case, screen in zip(everything, screens, strict=True):
            read_text(case.text, screen, parse_command)
    elapsed = time.perf_counter() - start
    print(f"speed: {ROUNDS * len(everything) / elapsed:,.0f} messages/s "
          f"(parser included), {1e6 * elapsed / (ROUNDS * len(everything)):.0f} µs each")


if __name__ == "__main__":
    main()
