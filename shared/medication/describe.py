"""A medication's schedule in words, in the patient's language (pure).

    every day at 08:00 and 20:00          каждый день в 08:00 и 20:00     每天 08:00、20:00
    every Monday and Thursday at 09:00    по понедельникам и четвергам в 09:00
    every 8 hours from 06:00              каждые 8 часов, начиная с 06:00 每8小時，從06:00開始
    every other day at 08:00              через день в 08:00              每隔一天 08:00
    as needed, at most 4 a day            по необходимости, не больше 4 раз в день
    ..., for 5 days, until 12 March       ..., курс 5 дней, до 12 марта   ...，共5天，至3月12日
    ..., course finished on 12 March      ..., курс закончился 12 марта   ...，療程已於3月12日結束

Every word comes from the catalogs (medviews.po: keys med.words.*), counted words with
the language's plural forms ("каждые 2 дня", "каждые 5 дней", "каждый 21 день").
Russian weekdays stand in the dative plural after "по" ("по средам"); names are never
inflected (docs/i18n.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

from shared.domain.i18n import t
from shared.medication.facts import (
    ScheduleFacts,
    count,
    freq,
    interval,
    last_day,
)
from shared.medication.recurrence import WEEKDAY_CODES, rule_days

_DAY_KEYS: Final = tuple(f"med.words.day.{code.lower()}" for code in WEEKDAY_CODES)


def join(lang: str, items: Sequence[str]) -> str:
    """"A, B and C" in the language ("A, B и C", "A、B、C")."""
    if len(items) <= 1:
        return "".join(items)
    separator, last = t(lang, "med.words.sep"), t(lang, "med.words.and")
    return separator.join(items[:-1]) + last + items[-1]


def day_label(lang: str, day: date, today: date) -> str:
    """"12 March" ("12 марта", "3月12日"), with the year when it is not this year's."""
    month = t(lang, f"med.words.month.{day.month}")
    key = "med.words.date" if day.year == today.year else "med.words.date_year"
    return t(lang, key, day=day.day, month=month, year=day.year)


def weekday_names(lang: str, days: Sequence[int]) -> str:
    return join(lang, [t(lang, _DAY_KEYS[d]) for d in days])


def _when(lang: str, facts: ScheduleFacts) -> str:
    """How often, without the times ("every Monday and Thursday", "через день")."""
    kind, every = freq(facts.rule), interval(facts.rule)
    if kind == "WEEKLY":
        days = rule_days(facts.rule or "")
        if not days and facts.start is not None:
            days = (facts.start.weekday(),)  # RFC 5545: DTSTART's weekday
        if not days:
            return t(lang, "med.words.weekly") if every == 1 else \
                t(lang, "med.words.every_weeks", count=every)
        names = weekday_names(lang, days)
        return t(lang, "med.words.on_days", days=names) if every == 1 else \
            t(lang, "med.words.every_weeks_on", count=every, days=names)
    if every == 2:
        return t(lang, "med.words.other_day")
    return t(lang, "med.words.every_day") if every == 1 else \
        t(lang, "med.words.every_days", count=every)


def _rhythm(lang: str, facts: ScheduleFacts) -> str:
    """The schedule without its course: how often and at what times."""
    if facts.as_needed:
        if facts.max_per_day is None:
            return t(lang, "med.words.as_needed")
        return t(lang, "med.words.as_needed_max", count=facts.max_per_day)
    if freq(facts.rule) == "HOURLY":
        every = interval(facts.rule)
        if not facts.times:
            return t(lang, "med.words.hours", count=every) if every > 1 else \
                t(lang, "med.words.hour")
        first = facts.times[0]
        return t(lang, "med.words.hours_from", count=every, time=first) if every > 1 else \
            t(lang, "med.words.hour_from", time=first)
    when = _when(lang, facts)
    if not facts.times:
        return when
    return t(lang, "med.words.at", when=when, times=join(lang, list(facts.times)))


def _course(lang: str, facts: ScheduleFacts, today: date) -> list[str]:
    """A course's length and end, or that it has finished; a later start."""
    parts: list[str] = []
    if facts.as_needed:
        return parts
    if facts.start is not None and facts.start > today:
        parts.append(t(lang, "med.words.from", date=day_label(lang, facts.start, today)))
    end = last_day(facts)
    if end is not None and end < today:
        return [*parts, t(lang, "med.words.finished", date=day_label(lang, end, today))]
    doses = count(facts.rule)
    if doses is not None:
        plain_daily = freq(facts.rule) == "DAILY" and interval(facts.rule) == 1
        parts.append(t(lang, "med.words.for_days", count=doses) if plain_daily else
                     t(lang, "med.words.doses", count=doses * max(1, len(facts.times))))
    if end is not None:
        parts.append(t(lang, "med.words.until", date=day_label(lang, end, today)))
    return parts


def describe(facts: ScheduleFacts, lang: str, today: date) -> str:
    """The schedule in words. `today` is the patient's local day (courses end, start)."""
    text = _rhythm(lang, facts)
    for part in _course(lang, facts, today):
        text = t(lang, "med.words.then", first=text, second=part)
    return text
