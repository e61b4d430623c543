"""Clock-time expressions in English, Russian and Chinese ("8am", "в 9 утра", "晚上9點半").

`match_time` reads one expression at a position of normalised (lower-cased) text. It
raises `Unsure` for something that is clearly meant as a time but is impossible ("25:61",
"at 30") or ambiguous ("at 3": night or afternoon?), so the whole command is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from shared.medication.numbers import EN_NUMBERS, RU_NUMBERS, ZH_NUMERAL, number_value
from shared.medication.text import alternation, is_cjk


class Unsure(Exception):
    """The text is a command we must not guess about; the parser answers None."""


class Period(Enum):
    AM = "am"
    PM = "pm"
    MORNING = "morning"
    NOON = "noon"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    NIGHT = "night"  # "10 at night" = 22:00, "2 ночи" = 02:00
    LATE_NIGHT = "late night"  # 凌晨/半夜: after midnight only


# Word -> period. English and Russian words follow the hour, Chinese ones precede it.
PERIOD_WORDS: dict[str, Period] = {
    "am": Period.AM, "pm": Period.PM,
    "in the morning": Period.MORNING, "in the afternoon": Period.AFTERNOON,
    "in the evening": Period.EVENING, "tonight": Period.EVENING,
    "at night": Period.NIGHT, "in the night": Period.NIGHT,
    "утра": Period.MORNING, "дня": Period.AFTERNOON, "вечера": Period.EVENING,
    "ночи": Period.NIGHT,
    "早上": Period.MORNING, "早晨": Period.MORNING, "清晨": Period.MORNING,
    "上午": Period.MORNING, "早": Period.MORNING, "中午": Period.NOON,
    "下午": Period.AFTERNOON, "傍晚": Period.EVENING, "晚上": Period.EVENING,
    "晚間": Period.EVENING, "每晚": Period.EVENING, "晚": Period.EVENING,
    "夜間": Period.NIGHT, "夜裡": Period.NIGHT, "凌晨": Period.LATE_NIGHT,
    "半夜": Period.LATE_NIGHT,
}  # fmt: skip

# Period -> (hours written, hours to add). An hour outside every range is impossible
# ("13 pm", "8 дня") and the command is refused.
_PERIOD_RULES: dict[Period, tuple[tuple[range, int], ...]] = {
    Period.AM: ((range(1, 12), 0), (range(12, 13), -12)),
    Period.PM: ((range(1, 12), 12), (range(12, 13), 0)),
    Period.MORNING: ((range(0, 12), 0),),
    Period.NOON: ((range(11, 13), 0), (range(1, 3), 12)),
    Period.AFTERNOON: ((range(12, 19), 0), (range(1, 7), 12)),
    Period.EVENING: ((range(5, 12), 12), (range(17, 24), 0), (range(12, 13), -12)),
    Period.NIGHT: ((range(0, 6), 0), (range(12, 13), -12), (range(9, 12), 12), (range(21, 24), 0)),
    Period.LATE_NIGHT: ((range(0, 6), 0), (range(12, 13), -12)),
}

# A period word next to one hour may be meant for its neighbour too ("at 8 and 10 pm").
PM_LIKE = frozenset({Period.PM, Period.AFTERNOON, Period.EVENING, Period.NIGHT})

# Hours 1..6 with nothing else are as often afternoon as night: never guess them.
AMBIGUOUS_BARE_HOURS = range(1, 7)

_SPECIAL_TIMES: dict[str, tuple[int, int]] = {
    "noon": (12, 0), "midday": (12, 0), "midnight": (0, 0),
    "полдень": (12, 0), "полночь": (0, 0),
}  # fmt: skip

# Words before a time. They need a space after them: "в12" is part of "витамин В12".
_WORD_PREFIXES = ("at", "around", "в", "во", "на", "около")


_ZH_PERIODS = [w for w in PERIOD_WORDS if is_cjk(w[0])]
_SUFFIX_PERIODS = [w for w in PERIOD_WORDS if w not in _ZH_PERIODS and w not in ("am", "pm")]
_WORD_HOURS = [*EN_NUMBERS, *RU_NUMBERS]

_TIME_RE = re.compile(
    rf"""
    (?P<prefix>(?:{alternation(_WORD_PREFIXES)})\s+|[@在]\s*)?
    (?:(?P<zp>{alternation(_ZH_PERIODS)})\s*)?
    (?:
        (?P<h>\d{{1,2}})(?:(?P<sep>[:.])(?P<m>\d{{2}})|h(?P<hm>\d{{2}}))?(?![\d.,:]\d)
      | (?P<hw>{alternation(_WORD_HOURS)})(?![a-zа-я])
      | (?P<hz>{ZH_NUMERAL})(?=\s*[點点時])
    )
    (?P<zdian>\s*[點点時]鐘?(?:(?P<half>半)|(?P<zm>\d{{1,2}}|{ZH_NUMERAL})(?!\s*[點点時])分?)?)?
    (?P<unit>\s*(?:o'?clock|hrs|h|часов|часа|час|ч)(?![a-zа-я]))?
    (?P<ap>\s*(?:(?P<a>a)|p)\.?\s?m\.?(?![a-z]))?
    (?P<pp>\s+(?:{alternation(_SUFFIX_PERIODS)})(?![a-zа-я]))?
    """,
    re.VERBOSE,
)
_SPECIAL_RE = re.compile(rf"(?:(?:at|в)\s+)?(?P<special>{alternation(_SPECIAL_TIMES)})(?![a-zа-я])")
_LETTER_OR_DIGIT = re.compile(r"[a-z0-9а-я]")


@dataclass(frozen=True)
class ClockTime:
    hour: int
    minute: int
    period: Period | None
    has_minutes: bool
    clock_form: bool  # written unmistakably as a time (colon, 點, o'clock, am/pm, period)

    @property
    def bare(self) -> bool:
        """An hour with nothing saying morning or evening ("at 8", "8點")."""
        return self.period is None and not self.has_minutes and self.hour <= 12

    def text(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"


def _resolve_hour(hour: int, period: Period | None) -> int:
    if period is None:
        if hour > 23:
            raise Unsure("hour out of range")
        return hour
    for hours, shift in _PERIOD_RULES[period]:
        if hour in hours:
            return hour + shift
    raise Unsure("hour does not fit its period")


def _period_of(match: re.Match[str]) -> Period | None:
    periods: list[Period] = []
    if match["zp"]:
        periods.append(PERIOD_WORDS[match["zp"]])
    if match["ap"]:
        periods.append(Period.AM if match["a"] else Period.PM)
    if match["pp"]:
        periods.append(PERIOD_WORDS[" ".join(match["pp"].split())])
    if len(periods) > 1:
        raise Unsure("two period words for one time")  # "8pm in the morning"
    return periods[0] if periods else None


def _minutes_of(match: re.Match[str]) -> int | None:
    raw = match["m"] or match["hm"] or match["zm"]
    if match["half"]:
        return 30
    if raw is None:
        return None
    value = number_value(raw)
    if value is None or value > 59:
        raise Unsure("minutes out of range")
    return value


def _at_boundary(text: str, end: int) -> bool:
    return end >= len(text) or not _LETTER_OR_DIGIT.match(text, end)


def match_time(text: str, pos: int, allow_bare: bool = False) -> tuple[ClockTime, int] | None:
    """The time expression starting at `pos` and where it ends, or None if there is none.

    A lone number counts only after "at"/"в"/"на" or when `allow_bare` (a slot that can
    only hold a time, or a list like "at 10, 14 and 18").
    """
    special = _SPECIAL_RE.match(text, pos)
    if special and _at_boundary(text, special.end()):
        special_hour, special_minute = _SPECIAL_TIMES[special["special"]]
        return ClockTime(special_hour, special_minute, None, True, True), special.end()
    match = _TIME_RE.match(text, pos)
    if match is None or not _at_boundary(text, match.end()):
        return None
    clock_form = bool(match["zdian"] or match["unit"] or match["ap"] or match["pp"])
    clock_form = clock_form or bool(match["zp"]) or match["sep"] == ":" or bool(match["hm"])
    dotted = match["sep"] == "."
    if not (clock_form or dotted or match["prefix"] or allow_bare):
        return None
    if match["hw"] and not (clock_form or match["prefix"]):
        return None  # "two" alone is a count, not a time
    period = _period_of(match)
    raw_hour = match["h"] or match["hw"] or match["hz"]
    hour_value = number_value(raw_hour)
    if hour_value is None:
        return None
    minute = _minutes_of(match)
    hour = _resolve_hour(hour_value, period)
    time = ClockTime(hour, minute or 0, period, minute is not None, clock_form or dotted)
    if time.bare and hour in AMBIGUOUS_BARE_HOURS:
        raise Unsure("hour 1..6 without morning/evening")
    return time, match.end()


def check_item_times(times: list[ClockTime]) -> None:
    """Refuse one medication's times when a period word may cover a neighbour hour."""
    if any(t.period in PM_LIKE for t in times) and any(t.bare for t in times):
        raise Unsure("period word may apply to a neighbouring bare hour")
