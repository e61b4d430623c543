"""Calendar days in English, Russian and Chinese ("tomorrow", "March 12", "12 марта",
"3月12日", "星期五"), resolved against the day the message is read.

Weekday names name the next such day; "Friday" said on a Friday is ambiguous (today or in a
week?) and raises Unsure, as does a date that does not exist ("February 30").
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Final

from shared.medication.numbers import ZH_NUMERAL, zh_numeral_value
from shared.medication.text import alternation
from shared.medication.times import Unsure

# Weekday words -> 0 (Monday) .. 6. Russian: every case form people write after "по",
# "каждый", "с", "до", "в"; Chinese: the day character after 週/星期/禮拜.
EN_WEEKDAYS: Final[dict[str, int]] = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}  # fmt: skip
RU_WEEKDAY_STEMS: Final[dict[str, int]] = {
    "понедельник": 0, "вторник": 1, "сред": 2, "четверг": 3, "пятниц": 4, "суббот": 5,
    "воскресень": 6,
}  # fmt: skip
RU_WEEKDAY_SHORT: Final[dict[str, int]] = {
    "пн": 0, "вт": 1, "ср": 2, "чт": 3, "пт": 4, "сб": 5, "вс": 6,
}  # fmt: skip
ZH_WEEKDAY_CHARS: Final[dict[str, int]] = {
    "一": 0, "1": 0, "二": 1, "2": 1, "三": 2, "3": 2, "四": 3, "4": 3, "五": 4, "5": 4,
    "六": 5, "6": 5, "日": 6, "天": 6, "7": 6,
}  # fmt: skip

EN_MONTHS: Final[dict[str, int]] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
RU_MONTHS: Final[dict[str, int]] = {  # genitive, as in "12 марта"
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
    "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
}  # fmt: skip

RU_WEEKDAY = (
    r"(?:понедельник|вторник|сред|четверг|пятниц|суббот|воскресень)"
    r"(?:ами|ями|ям|ам|ом|ем|ой|ою|а|я|у|ю|е|ы|и|ь)?"
)
_RU_WEEKDAY_RE = re.compile(RU_WEEKDAY)
# One day (not "по пятницам", every Friday): genitive after "до"/"с", accusative after "по".
_RU_ONE_WEEKDAY = (
    r"(?:понедельник|вторник|сред|четверг|пятниц|суббот|воскресень)(?:а|я|у|ю|е|ы|и)?"
)
EN_WEEKDAY = rf"(?:{alternation(EN_WEEKDAYS)})"
ZH_DAY_CHAR = "[一二三四五六日天1-7]"
ZH_WEEK_PREFIX = "(?:週|周|星期|禮拜|礼拜)"

_ORD = r"(?:st|nd|rd|th)?"
_EN_DATE = re.compile(
    rf"""(?:
        (?P<today>today)
      | (?P<tomorrow>tomorrow)
      | (?P<after>the\s+day\s+after\s+tomorrow)
      | (?:the\s+)?(?P<wd>{EN_WEEKDAY})\.?
      | (?P<mon>{alternation(EN_MONTHS)})\.?\s+(?:the\s+)?(?P<d1>\d{{1,2}}){_ORD}
      | (?:the\s+)?(?P<d2>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<mon2>{alternation(EN_MONTHS)})\.?
      | (?P<iso>\d{{4}}-\d{{2}}-\d{{2}})
    )(?![a-z0-9])""",
    re.VERBOSE,
)
_RU_DATE = re.compile(
    rf"""(?:
        (?P<today>сегодня|сегодняшнего\s+дня)
      | (?P<tomorrow>завтра|завтрашнего\s+дня)
      | (?P<after>послезавтра)
      | (?P<wd>{_RU_ONE_WEEKDAY})
      | (?P<d>\d{{1,2}})(?:-?го)?\s+(?P<mon>{alternation(RU_MONTHS)})
      | (?P<iso>\d{{4}}-\d{{2}}-\d{{2}})
    )(?![а-яa-z0-9])""",
    re.VERBOSE,
)
_ZH_DATE = re.compile(
    rf"""(?:
        (?P<today>今天|今日)
      | (?P<tomorrow>明天|明日)
      | (?P<after>後天)
      | (?P<next>下個?){ZH_WEEK_PREFIX}(?P<nwd>{ZH_DAY_CHAR})
      | {ZH_WEEK_PREFIX}(?P<wd>{ZH_DAY_CHAR})
      | (?P<m>\d{{1,2}}|{ZH_NUMERAL})\s*月\s*(?P<d>\d{{1,2}}|{ZH_NUMERAL})\s*(?:日|號|号)
      | (?P<iso>\d{{4}}-\d{{2}}-\d{{2}})
    )""",
    re.VERBOSE,
)


def ru_weekday(word: str) -> int | None:
    """Weekday of any case form of a Russian weekday name ("пятницам" -> 4)."""
    if word in RU_WEEKDAY_SHORT:
        return RU_WEEKDAY_SHORT[word]
    if not _RU_WEEKDAY_RE.fullmatch(word):
        return None
    return next((d for stem, d in RU_WEEKDAY_STEMS.items() if word.startswith(stem)), None)


def next_weekday(today: date, weekday: int) -> date:
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0:
        raise Unsure("a weekday named on that same weekday: today or in a week?")
    return today + timedelta(days=ahead)


def _day_of(today: date, month: int, day: int) -> date:
    """The next `day` of `month` from today (this year, or next year once it has passed)."""
    for year in (today.year, today.year + 1):
        try:
            found = date(year, month, day)
        except ValueError as error:
            raise Unsure("no such day") from error
        if found >= today:
            return found
    raise Unsure("no such day")  # pragma: no cover - the loop always returns


def _iso(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise Unsure("no such day") from error


def _number(text: str) -> int:
    value = int(text) if text.isdigit() else zh_numeral_value(text)
    if value is None:
        raise Unsure("not a number")
    return value


def match_date(text: str, pos: int, today: date) -> tuple[date, int] | None:
    """The calendar day written at `pos` (any of the three languages) and where it ends."""
    for regex in (_EN_DATE, _RU_DATE, _ZH_DATE):
        found = regex.match(text, pos)
        if found:
            return _resolve(found, today), found.end()
    return None


def _resolve(found: re.Match[str], today: date) -> date:
    groups = {k: v for k, v in found.groupdict().items() if v is not None}
    if "today" in groups:
        return today
    if "tomorrow" in groups:
        return today + timedelta(days=1)
    if "after" in groups:
        return today + timedelta(days=2)
    if "iso" in groups:
        return _iso(groups["iso"])
    if "nwd" in groups:  # 下週一: Monday of next week (weeks start on Monday)
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=ZH_WEEKDAY_CHARS[groups["nwd"]])
    if "wd" in groups:
        word = groups["wd"]
        weekday = EN_WEEKDAYS.get(word, ZH_WEEKDAY_CHARS.get(word))
        if weekday is None:
            weekday = ru_weekday(word)
        if weekday is None:
            raise Unsure("not a weekday")
        return next_weekday(today, weekday)
    if "mon" in groups and "d1" in groups:
        return _day_of(today, EN_MONTHS[groups["mon"]], int(groups["d1"]))
    if "mon2" in groups:
        return _day_of(today, EN_MONTHS[groups["mon2"]], int(groups["d2"]))
    if "mon" in groups:
        return _day_of(today, RU_MONTHS[groups["mon"]], int(groups["d"]))
    return _day_of(today, _number(groups["m"]), _number(groups["d"]))
