"""Precision, coverage and speed of the medication-command parser on the labelled sets.

Three sets, scored apart (issue 14): the original corpus (tests/unit/medication_corpus.py,
which the parser was built on), the development set the schedule grammar was tuned on
(medication_dev.py) and the frozen held-out set written before that tuning
(medication_heldout.py). "weekly read as daily" counts answers that give a medication of a
message stating a weekly frequency anything but a weekly rule (must be 0).

Then name safety, on the known names of the corpus and the development set: "another
product read as known" counts command sentences about a DIFFERENT product (a strength or
suffix word added, "-XR" for "-CR", another first letter, one Chinese character replaced
or added) that the parser answers with the known name (must be 0); "slips resolved" counts
how many one-letter typos of a long Latin or Cyrillic name still find the known name.

Run from the repository root: .venv/bin/python -m bench.parser_corpus
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from shared.medication import parse_command
from shared.medication.text import has_cyrillic, is_cjk
from tests.unit.medication_corpus import CASES, CORPUS_TODAY, evaluate
from tests.unit.medication_dev import DEV
from tests.unit.medication_heldout import HELD_OUT

ROUNDS = 20

_SENTENCES = {
    "latin": ("delete {}", "took {}", "add {} at 08:00", "change {} to 21:30"),
    "cyrillic": ("удали {}", "принял {}", "добавь {} в 8:00", "перенеси {} на 21:30"),
    "cjk": ("刪除{}", "新增 {} 早上8點", "{}改到晚上9點半", "我吃了{}"),
}
_OTHER_CJK = "甲乙緩速錠液膏"


def _script(name: str) -> str:
    if any(is_cjk(c) for c in name):
        return "cjk"
    return "cyrillic" if has_cyrillic(name) else "latin"


def other_products(name: str) -> list[str]:
    """Names of products other than `name` that differ from it by little."""
    if _script(name) == "cjk":
        swaps = [name[:i] + next(c for c in _OTHER_CJK if c != name[i]) + name[i + 1 :]
                 for i in range(len(name))]
        return [*swaps, name + "錠", name + "緩釋", "兒童" + name]
    first = "b" if name[0].lower() != "b" else "d"
    if _script(name) == "cyrillic":
        first = "б" if name[0].lower() != "б" else "д"
    return [f"{name} forte", f"{name} XR", f"{name}-XR", f"baby {name}", f"{name} 500",
            f"{name} plus", first + name[1:]]


def slips(name: str) -> list[str]:
    """One-letter typos of a long Latin or Cyrillic name: a letter dropped, doubled or
    swapped with the next one, never the first letter."""
    if _script(name) == "cjk" or len(name) < 6 or " " in name:
        return []
    inner = range(1, len(name) - 1)
    dropped = [name[:i] + name[i + 1 :] for i in inner]
    doubled = [name[:i] + name[i] + name[i:] for i in inner]
    swapped = [name[:i] + name[i + 1] + name[i] + name[i + 2 :] for i in inner]
    return [s for s in {*dropped, *doubled, *swapped} if s.lower() != name.lower()]


def name_safety(names: Sequence[str]) -> None:
    wrong = total = resolved = typos = 0
    for name in names:
        for sentence in _SENTENCES[_script(name)]:
            for other in other_products(name):
                total += 1
                answer = parse_command(sentence.format(other), [name], today=CORPUS_TODAY)
                wrong += bool(answer and any(i.name == name for i in answer.items))
            for typo in slips(name):
                typos += 1
                answer = parse_command(sentence.format(typo), [name], today=CORPUS_TODAY)
                resolved += bool(answer and any(i.name == name for i in answer.items))
    print(f"name safety on {len(names)} known names:")
    print(f"  another product read as known: {wrong}/{total}")
    print(f"  slips resolved: {resolved}/{typos}")


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
    tuned: list[Any] = [*CASES, *DEV]
    name_safety(sorted({name for case in tuned for name in case.known}))
    everything: list[Any] = [*tuned, *HELD_OUT]
    start = time.perf_counter()
    for _ in range(ROUNDS):
        for case in everything:
            parse_command(case.text, case.known, today=CORPUS_TODAY)
    elapsed = time.perf_counter() - start
    print(f"speed: {ROUNDS * len(everything) / elapsed:,.0f} parses/s")


if __name__ == "__main__":
    main()
