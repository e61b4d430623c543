"""What a schedule phrase says (`Fragment`) and the slots of those phrases
(schedule_words.py): counts written as digits or number words in English, Russian and
Chinese, lists and ranges of weekday names in any case or abbreviation, parts of the day."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Final

from shared.medication.dates import (
    EN_WEEKDAY,
    EN_WEEKDAYS,
    RU_WEEKDAY,
    RU_WEEKDAY_SHORT,
    ZH_DAY_CHAR,
    ZH_WEEK_PREFIX,
    ZH_WEEKDAY_CHARS,
    ru_weekday,
)
from shared.medication.numbers import EN_NUMBERS, ZH_NUMERAL, zh_numeral_value
from shared.medication.text import alternation
from shared.medication.times import Period, Unsure


@dataclass(frozen=True)
class Fragment:
    """What one phrase says about a schedule; None/False = it says nothing about that."""

    daily: bool = False  # "every day", "ежедневно", "每天"
    days: frozenset[int] | None = None  # weekdays named, 0 = Monday
    recurring_days: bool = False  # "every Monday", "по понедельникам", "每週一" (not "on Monday")
    except_days: frozenset[int] | None = None  # "except Sundays"
    weekly: bool = False  # a weekly frequency word ("weekly", "раз в неделю", "每週")
    per_week: int | None = None  # "twice a week"
    week_interval: int | None = None  # "every 2 weeks"
    day_interval: int | None = None  # "every other day" = 2
    hour_interval: int | None = None  # "every 8 hours"
    per_day: int | None = None  # "three times a day"
    as_needed: bool = False
    max_per_day: int | None = None
    course_days: int | None = None  # "for 5 days"
    until: date | None = None  # last day, inclusive
    start: date | None = None  # "starting tomorrow"
    bare_start: date | None = None  # "tomorrow" with no "starting": a start only in a course
    start_time: bool = False  # "from"/"starting at" before the first dose's time
    period: Period | None = None  # "every morning", "утром": must agree with the times

    def merge(self, other: Fragment) -> Fragment:
        """Both fragments together; the same fact said twice differently is refused."""
        merged = self
        for f in fields(Fragment):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if theirs is None or theirs is False:
                continue
            if f.name == "days" and mine is not None:
                theirs = mine | theirs  # "every Monday ... and Thursday"
            elif mine not in (None, False) and mine != theirs:
                raise Unsure(f"two different {f.name}")
            merged = replace(merged, **{f.name: theirs})
        return merged


# ---------------------------------------------------------------- parts of the day

PERIODS_EN: Final[dict[str, Period]] = {
    "morning": Period.MORNING, "mornings": Period.MORNING, "evening": Period.EVENING,
    "evenings": Period.EVENING, "night": Period.NIGHT, "nights": Period.NIGHT,
    "afternoon": Period.AFTERNOON, "afternoons": Period.AFTERNOON,
}  # fmt: skip
PERIODS_RU: Final[dict[str, Period]] = {
    "утром": Period.MORNING, "утро": Period.MORNING, "утрам": Period.MORNING,
    "вечером": Period.EVENING, "вечер": Period.EVENING, "вечерам": Period.EVENING,
    "днем": Period.AFTERNOON, "ночью": Period.NIGHT, "ночь": Period.NIGHT,
}  # fmt: skip


def period_of(word: str | None) -> Period | None:
    if not word:
        return None
    return PERIODS_EN.get(word, PERIODS_RU.get(word))


# ---------------------------------------------------------------- numbers

_EN_COUNTS: Final[dict[str, int]] = {
    **EN_NUMBERS, "a": 1, "an": 1, "once": 1, "twice": 2, "thrice": 3, "fourteen": 14,
    "twenty-four": 24, "twenty four": 24, "other": 2, "second": 2, "2nd": 2, "third": 3,
    "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5,
}  # fmt: skip
_RU_COUNTS: Final[dict[str, int]] = {
    "один": 1, "одну": 1, "одного": 1, "однократно": 1, "два": 2, "две": 2,
    "двух": 2, "дважды": 2, "три": 3, "трех": 3, "трижды": 3, "четыре": 4, "четырех": 4,
    "пять": 5, "пяти": 5, "шесть": 6, "шести": 6, "семь": 7, "семи": 7, "восемь": 8,
    "восьми": 8, "девять": 9, "девяти": 9, "десять": 10, "десяти": 10, "двенадцать": 12,
    "двенадцати": 12, "четырнадцать": 14, "четырнадцати": 14, "двадцать": 20,
    "двадцати": 20, "тридцать": 30, "тридцати": 30, "второй": 2, "вторую": 2, "третий": 3,
    "третью": 3, "четвертый": 4, "четвертую": 4,
}  # fmt: skip

DIGITS = r"\d{1,3}"
EN_NUM = rf"(?:{DIGITS}|{alternation(_EN_COUNTS)})"
RU_NUM = rf"(?:{DIGITS}|{alternation(_RU_COUNTS)})"
ZH_NUM = rf"(?:{DIGITS}|{ZH_NUMERAL})"


_TIMES_WORD = re.compile(r"\s*(?:times?|x)$")


def times_count(text: str) -> int:
    """The count of "3 times", "3x", "twice"."""
    return count(_TIMES_WORD.sub("", text))


def count(text: str) -> int:
    """Value of a number slot in any of the three languages."""
    text = " ".join(text.split())
    if text.isdigit():
        value: int | None = int(text)
    else:
        value = _EN_COUNTS.get(text, _RU_COUNTS.get(text, zh_numeral_value(text)))
    if value is None or value < 1:
        raise Unsure(f"not a count: {text!r}")
    return value


# ---------------------------------------------------------------- weekday lists

_EN_DAY = rf"(?:(?:every|each)\s+)?{EN_WEEKDAY}s?\.?"
_EN_SEP = r"(?:\s*,\s*(?:and\s+)?|\s*[&/+]\s*|\s+and\s+|\s+)"
EN_DAY_LIST = rf"{_EN_DAY}(?:{_EN_SEP}{_EN_DAY})*"
_RU_DAY = rf"(?:(?:каждый|каждую|каждое|по)\s+)?(?:{RU_WEEKDAY}|{alternation(RU_WEEKDAY_SHORT)})\.?"
_RU_SEP = r"(?:\s*,\s*(?:и\s+)?|\s+и\s+|\s*[/+]\s*|\s+)"
RU_DAY_LIST = rf"{_RU_DAY}(?:{_RU_SEP}{_RU_DAY})*"
ZH_DAY_LIST = (
    rf"{ZH_WEEK_PREFIX}{ZH_DAY_CHAR}"
    rf"(?:\s*[、,，和跟及與与/]?\s*(?:{ZH_WEEK_PREFIX})?{ZH_DAY_CHAR}(?![點点時])){{0,6}}"
)
_EN_DAY_WORD = re.compile(rf"(?<![a-z]){EN_WEEKDAY}(?P<plural>s)?(?![a-z])")
_RU_DAY_WORD = re.compile(rf"(?<![а-я])(?:{RU_WEEKDAY}|{alternation(RU_WEEKDAY_SHORT)})(?![а-я])")
_ZH_DAY_WORD = re.compile(ZH_DAY_CHAR)
_ZH_NOISE = re.compile(rf"{ZH_WEEK_PREFIX}|[每個个逢隔、,，和跟及與与/\s]")


def en_days(text: str) -> tuple[frozenset[int], bool, bool]:
    """Weekdays of an English list, whether one is plural ("mondays") and how many are
    abbreviations."""
    found = list(_EN_DAY_WORD.finditer(text))
    days = frozenset(EN_WEEKDAYS[m.group().rstrip("s") if m["plural"] else m.group()]
                     for m in found)
    plural = any(m["plural"] for m in found)
    short = sum(len(m.group()) <= 4 for m in found)
    return days, plural, short >= 2


def ru_days(text: str) -> tuple[frozenset[int], bool, bool]:
    found = [m.group() for m in _RU_DAY_WORD.finditer(text)]
    days: set[int] = set()
    for word in found:
        day = ru_weekday(word)
        if day is None:
            raise Unsure(f"not a weekday: {word!r}")
        days.add(day)
    plural = any(w.endswith(("ам", "ям", "ами", "ями")) for w in found)
    short = sum(w in RU_WEEKDAY_SHORT for w in found)
    return frozenset(days), plural, short >= 2


def zh_days(text: str) -> frozenset[int]:
    chars = _ZH_NOISE.sub("", text)
    if not chars or any(c not in ZH_WEEKDAY_CHARS for c in chars):
        raise Unsure("not a weekday list")
    return frozenset(ZH_WEEKDAY_CHARS[c] for c in chars)


def day_range(first: int, last: int) -> frozenset[int]:
    """Monday..Friday; Friday..Monday wraps over the weekend."""
    span = (last - first) % 7
    return frozenset((first + i) % 7 for i in range(span + 1))


# ---------------------------------------------------------------- day phrases


def en_day_list(match: re.Match[str], today: date) -> Fragment:
    days, plural, short = en_days(match["list"])
    every = (match["every"] or "").startswith(("every", "each", "on every"))
    every = every or "every" in match["list"] or "each" in match["list"]
    return Fragment(days=days, recurring_days=every or plural or short,
                    period=period_of(match["period"]))


def ru_day_list(match: re.Match[str], today: date) -> Fragment:
    days, plural, short = ru_days(match["list"])
    words = match.group()
    every = bool(re.search(r"(?:^|\s)(?:каждый|каждую|каждое|по)\s", words))
    return Fragment(days=days, recurring_days=every or plural or short,
                    period=period_of(match["period"]))


def zh_day_list(match: re.Match[str], today: date) -> Fragment:
    prefix = match["every"] or ""
    interval = 2 if prefix.startswith("隔") else None
    return Fragment(days=zh_days(match["list"]), recurring_days=bool(prefix),
                    week_interval=interval)


def en_range(match: re.Match[str], today: date) -> Fragment:
    return Fragment(days=day_range(EN_WEEKDAYS[match["a"]], EN_WEEKDAYS[match["b"]]),
                    recurring_days=True)


def ru_range(match: re.Match[str], today: date) -> Fragment:
    first, last = ru_weekday(match["a"]), ru_weekday(match["b"])
    if first is None or last is None:
        raise Unsure("not a weekday range")
    return Fragment(days=day_range(first, last), recurring_days=True)


def zh_range(match: re.Match[str], today: date) -> Fragment:
    first, last = ZH_WEEKDAY_CHARS[match["a"]], ZH_WEEKDAY_CHARS[match["b"]]
    return Fragment(days=day_range(first, last), recurring_days=True)
