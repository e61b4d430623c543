"""How many tablets a patient has on hand, typed in English, Russian or Traditional
Chinese (pure, no I/O): "I have 30 tablets of metformin", "refill metformin 60",
"二甲雙胍還有30顆", "у меня 30 таблеток метформина".

Precision first, as the command parser: the WHOLE message must be one of the frames
below, and a frame counts only with a cue that it is about a supply:

* a strong cue says so by itself: refill / restock / left / remaining, 還有 / 剩 / 補 /
  領, осталось / пополнил;
* a weak cue (have, bought, got; есть, купил) counts only with a count unit (tablets,
  capsules, pills, 顆, 粒, таблеток, капсул) or a medicine on the patient's list
  ("I have 3 children" is no refill, "I have 30 metformin" is).

A message with a clock time ("... at 8:00") is a schedule command, never a refill;
"I took 2 tablets" matches no frame. A name not on the list comes back with
known=False (the dialog says so and changes nothing); a frame without a name ("I have
10 tablets left") comes back with name None (the dialog asks which medicine). The count
is what the patient has now: it replaces the count on hand (it is not added to it).

`dose_units` reads how many countable units one dose is ("2 tablets" -> 2, "1/2 таблетки"
-> 0.5, "1顆" -> 1); a dose by weight or volume ("500 mg", "5 ml") is not a count and
gives None: such a medicine is never counted down.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from shared.medication.names import NameMatcher, ru_nominative
from shared.medication.numbers import EN_NUMBERS, RU_NUMBERS, ZH_NUMERAL, number_value
from shared.medication.text import MAX_TEXT_CHARS, alternation, clean, fold, is_cjk

MAX_COUNT: Final = 9999

# Units that are a count of things (a tablet can be counted; 500 mg cannot).
_EN_UNIT: Final = r"(?:tablets?|tabs?|pills?|capsules?|caps?|softgels?|lozenges?)"
_RU_UNIT: Final = r"(?:таблет\w*|капсул\w*|табл|таб|драже|пастил\w*|шт(?:ук[аи]?)?)"
_ZH_UNIT: Final = r"(?:顆|颗|粒|錠|锭|片|膠囊|胶囊)"
_COUNT_UNIT: Final = re.compile(
    rf"(?P<n>\d+(?:[.,]\d+)?(?:/\d+)?)\s*(?P<u>{_EN_UNIT}|{_RU_UNIT}|{_ZH_UNIT})(?![a-zа-я])")

_NUM: Final = rf"(?P<n>\d{{1,4}}|{alternation([*EN_NUMBERS, *RU_NUMBERS])})"
_ZH_NUM: Final = rf"(?P<n>\d{{1,4}}|{ZH_NUMERAL})"
_NAME: Final = r"(?P<name>[a-zа-я][\w\-]*(?: [\w\-]+){0,3}?)"
_ZH_NAME: Final = r"(?P<name>[\u3400-\u9fffa-z][\u3400-\u9fffa-z0-9\-]{0,19}?)"
_CLOCK: Final = re.compile(r"\d{1,2}\s*[:：.]\s*\d{2}(?!\d)|\d{1,2}\s*(?:am|pm|點|点|時)")

# Words that are never a medicine's name in these frames.
_NOT_NAMES: Final = frozenset({
    "my", "the", "it", "them", "more", "left", "of", "some", "pills", "tablets", "meds",
    "medicine", "medicines", "medication", "medications", "doses", "days", "мои", "моих",
    "лекарств", "лекарства", "таблеток", "таблетки", "дней", "我", "我的", "藥", "药",
    "藥物", "药物", "藥丸", "的",
})
_NOT_IN_NAMES: Final = frozenset({
    "i", "have", "got", "me", "left", "remaining", "я", "у", "меня", "есть", "еще",
    "осталось", "остались", "осталась", "остался",
})
_UNIT_ONLY: Final = re.compile(rf"{_EN_UNIT}|{_RU_UNIT}|{_ZH_UNIT}")


@dataclass(frozen=True)
class _Frame:
    pattern: re.Pattern[str]
    strong: bool  # the frame's own words say it is a supply (else: a unit or known name)


def _frames(*patterns: tuple[str, bool]) -> tuple[_Frame, ...]:
    return tuple(_Frame(re.compile(p), strong) for p, strong in patterns)


_EN_LEFT = r"(?:left|remaining|in stock)"
_EN_REFILL = r"(?:refill(?:ed)?|restock(?:ed)?|top(?:ped)? up)"
_EN: Final = _frames(
    (rf"(?:i |i've |we |we've )?(?:have|have got|still have|got) (?:only |just )?{_NUM}"
     rf"(?: (?P<u>{_EN_UNIT}))?(?: of)?(?: my)? {_NAME}", False),
    (rf"(?:i |i've |we |we've )?(?:have |got |still have )?(?:only |just )?{_NUM}"
     rf"(?: (?P<u>{_EN_UNIT}))?(?: of)?(?: my)? {_NAME} {_EN_LEFT}", True),
    (rf"(?:there are |i have )?(?:only |just )?{_NUM}(?: (?P<u>{_EN_UNIT}))? {_EN_LEFT}"
     rf" (?:of|for) (?:my )?{_NAME}", True),
    (rf"(?:i )?{_EN_REFILL} (?:my )?{_NAME}(?: (?:with|to))? {_NUM}(?: (?P<u>{_EN_UNIT}))?",
     True),
    (rf"(?:i )?{_EN_REFILL} (?:my )?{_NAME}", True),  # no count: asked
    (rf"(?:i )?{_EN_REFILL} (?:with )?{_NUM}(?: (?P<u>{_EN_UNIT}))?(?: of)?(?: my)? {_NAME}",
     True),
    (rf"(?:i )?(?:bought|got|picked up|collected) (?:a new |another |a )?(?:pack of |box of )?"
     rf"{_NUM}(?: (?P<u>{_EN_UNIT}))?(?: of)?(?: my)? {_NAME}", False),
    (rf"{_NAME} (?:refill|refilled|restocked|count|supply|stock|{_EN_LEFT})"
     rf"(?: (?:is|to|=))? {_NUM}(?: (?P<u>{_EN_UNIT}))?(?: {_EN_LEFT})?", True),
    (rf"{_NAME} {_NUM}(?: (?P<u>{_EN_UNIT}))? {_EN_LEFT}", True),
    (rf"(?:i |i've |we |we've )?(?:have |got |still have )?(?:only |just )?{_NUM}"
     rf" (?P<u>{_EN_UNIT}) {_EN_LEFT}", True),  # no name: asked which
)
_RU_LEFT = r"(?:осталось|остались|осталась|остался)"
_RU_REFILL = r"(?:пополнил[аи]?|пополнить|пополнение|докупил[аи]?)"
_RU: Final = _frames(
    (rf"(?:у меня )(?:есть |еще |только )?{_NUM}(?: (?P<u>{_RU_UNIT}))? {_NAME}", False),
    (rf"(?:у меня )?(?:еще |только )?{_RU_LEFT}(?: еще| только)? {_NUM}(?: (?P<u>{_RU_UNIT}))?"
     rf" {_NAME}", True),
    (rf"(?:у меня )?{_NAME} {_RU_LEFT} {_NUM}(?: (?P<u>{_RU_UNIT}))?", True),
    (rf"(?:у меня )?{_NUM}(?: (?P<u>{_RU_UNIT}))? {_NAME} {_RU_LEFT}", True),
    (rf"(?:я )?{_RU_REFILL} {_NAME}(?: до)? {_NUM}(?: (?P<u>{_RU_UNIT}))?", True),
    (rf"(?:я )?{_RU_REFILL} {_NUM}(?: (?P<u>{_RU_UNIT}))? {_NAME}", True),
    (rf"(?:я )?(?:купил[аи]?|получил[аи]?|взял[аи]?) (?:еще |новую упаковку )?{_NUM}"
     rf"(?: (?P<u>{_RU_UNIT}))? {_NAME}", False),
    (rf"(?:у меня )?{_RU_LEFT} {_NUM} (?P<u>{_RU_UNIT})", True),  # no name: asked which
)
_ZH_LEFT = r"(?:還有|还有|還剩下?|还剩下?|只剩下?|剩下?|剩餘|剩余|尚有)"
_ZH_REFILL = r"(?:補藥|补药|補充|补充|補|补|領藥|领药|領了|领了|領|领|拿了|買了|买了)"
_ZH: Final = _frames(
    (rf"(?:我的?)?{_ZH_NAME}{_ZH_LEFT}{_ZH_NUM}(?P<u>{_ZH_UNIT})?", True),
    (rf"(?:我)?{_ZH_LEFT}{_ZH_NUM}(?P<u>{_ZH_UNIT})?的?{_ZH_NAME}", True),
    (rf"(?:我)?(?:今天|剛|刚)?{_ZH_REFILL}了?{_ZH_NUM}(?P<u>{_ZH_UNIT})?的?{_ZH_NAME}", True),
    (rf"(?:我)?(?:今天|剛|刚)?{_ZH_REFILL}了?{_ZH_NAME}{_ZH_NUM}(?P<u>{_ZH_UNIT})?", True),
    (rf"(?:我的?)?{_ZH_NAME}{_ZH_REFILL}了?{_ZH_NUM}(?P<u>{_ZH_UNIT})?", True),
    (rf"(?:我)?{_ZH_LEFT}{_ZH_NUM}(?P<u>{_ZH_UNIT})", True),  # no name: asked which
)


@dataclass(frozen=True)
class RefillCommand:
    """A count on hand: `name` as stored when known (else as typed; None: not said),
    `count` None when the patient said they refilled without a number (asked)."""

    name: str | None
    count: int | None
    known: bool

    @property
    def kind(self) -> str:  # what the intent reader routes on ("medication:refill")
        return "refill"


def parse_refill(text: str, known_names: Sequence[str] = ()) -> RefillCommand | None:
    """The count on hand `text` states, or None when it is not surely one."""
    if not isinstance(text, str) or len(text) > MAX_TEXT_CHARS:
        return None
    folded = fold(clean(text)).strip(" .!?;,。！？")
    if not folded or _CLOCK.search(folded):
        return None
    matcher = NameMatcher(known_names)
    cjk = any(is_cjk(c) for c in folded)
    if cjk:
        found = _read(_ZH, re.sub(r"\s+", "", folded), matcher)
        return found if found is not None else _read(_EN + _RU, folded, matcher)
    return _read(_EN + _RU, folded, matcher)


def _read(frames: tuple[_Frame, ...], text: str, matcher: NameMatcher) -> RefillCommand | None:
    """The one reading the frames agree on; two frames that disagree mean the message is
    ambiguous (None)."""
    readings = {r for r in (_one(frame, text, matcher) for frame in frames) if r is not None}
    return readings.pop() if len(readings) == 1 else None


def _one(frame: _Frame, text: str, matcher: NameMatcher) -> RefillCommand | None:
    match = frame.pattern.fullmatch(text)
    if match is None:
        return None
    groups = match.groupdict()
    count = _count(groups.get("n"))
    if groups.get("n") is not None and count is None:
        return None
    raw = groups.get("name")
    if raw is not None and not _may_be_name(raw):
        return None
    name = matcher.resolve(raw) if raw else None
    if not (frame.strong or groups.get("u") or name):
        return None  # "I have 3 children": a weak cue alone is not a supply
    if raw and name is None:
        if matcher.candidates(raw) or matcher.near(raw):
            return None  # a slip or another product: only the patient can say
        return RefillCommand(_new_name(raw), count, known=False)
    return RefillCommand(name, count, known=name is not None)


def _may_be_name(raw: str) -> bool:
    """Not a pronoun, a verb or a unit of the frame, and no count inside it."""
    words = raw.split()
    return (raw not in _NOT_NAMES and not any(w.isdigit() for w in words)
            and not _NOT_IN_NAMES.intersection(words)
            and _UNIT_ONLY.fullmatch(raw) is None and _COUNT_UNIT.search(raw) is None)


def _count(raw: str | None) -> int | None:
    if raw is None:
        return None
    value = number_value(raw)
    return value if value is not None and 0 <= value <= MAX_COUNT else None


def _new_name(raw: str) -> str:
    """A name not on the list, as the patient would recognise it ("метформина" said after
    a count is "метформин")."""
    return ru_nominative(raw, genitive=True) or raw


def dose_units(dosage: str | None) -> Fraction | None:
    """How many countable units one dose is, or None when the dose is not a count."""
    match = _COUNT_UNIT.search(fold(clean(dosage or "")))
    if match is None:
        return None
    number = match["n"].replace(",", ".")
    try:
        value = Fraction(number)
    except (ValueError, ZeroDivisionError):
        return None
    return value if value > 0 else None
