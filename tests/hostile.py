"""The hostile corpus (tests/fixtures/hostile/): every LINE webhook event type and every
Telegram Update type, as the platforms send them, with what MedBot must do with each.

    for case in line_cases():      case.name, case.expect, case.payload (one event)
    for case in telegram_cases():  case.payload is one whole update

`expect`: "reply" (the bot answers the user), "silent" (it sends nothing), "leave" (one
short message to the group, then it leaves), "reply-or-silent" (either is right).
tests/unit/test_hostile_corpus.py checks the corpus itself: every type the SDKs know is
there, and each payload is what the platform sends (the SDKs parse it), except the ones
that are hostile on purpose.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

CORPUS = Path(__file__).parent / "fixtures" / "hostile"
Expect = Literal["reply", "silent", "leave", "reply-or-silent"]
EXPECTATIONS: frozenset[str] = frozenset({"reply", "silent", "leave", "reply-or-silent"})


@dataclass(frozen=True)
class Case:
    name: str
    expect: Expect
    payload: dict[str, Any]

    def __str__(self) -> str:  # pytest ids
        return self.name


@cache
def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CORPUS / name).read_text(encoding="utf-8"))
    return data


def line_destination() -> str:
    return str(_load("line_events.json")["destination"])


def line_cases() -> list[Case]:
    return [Case(c["name"], c["expect"], c["event"])
            for c in _load("line_events.json")["cases"]]


def telegram_cases() -> list[Case]:
    return [Case(c["name"], c["expect"], c["update"])
            for c in _load("telegram_updates.json")["cases"]]
