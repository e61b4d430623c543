"""Schedules in words (issue 14 item 3): every kind in zh-TW, en and ru, from the
catalogs, with Russian plural forms and weekday cases."""

from __future__ import annotations

from datetime import date

import pytest

from shared.domain.i18n import UI_LANGUAGES
from shared.medication.describe import day_label, describe, join
from shared.medication.facts import ScheduleFacts, finished, last_day
from shared.medication.recurrence import build_rule

TODAY = date(2026, 3, 8)  # a Sunday


def facts(rule: str | None = None, times: tuple[str, ...] = ("08:00",),
          **more: object) -> ScheduleFacts:
    return ScheduleFacts("aspirin", "100 mg", rule=rule, times=times, **more)  # type: ignore[arg-type]


CASES = [
    (facts(None, ("08:00", "20:00")),
     "every day at 08:00 and 20:00", "каждый день в 08:00 и 20:00", "每天 08:00、20:00"),
    (facts(None, ("08:00", "14:00", "20:00")),
     "every day at 08:00, 14:00 and 20:00", "каждый день в 08:00, 14:00 и 20:00",
     "每天 08:00、14:00、20:00"),
    (facts("FREQ=WEEKLY;BYDAY=MO,TH", ("09:00",)),
     "every Monday and Thursday at 09:00", "по понедельникам и четвергам в 09:00",
     "每週一、週四 09:00"),
    (facts("FREQ=WEEKLY;BYDAY=WE,SA,SU", ("09:00",)),
     "every Wednesday, Saturday and Sunday at 09:00",
     "по средам, субботам и воскресеньям в 09:00", "每週三、週六、週日 09:00"),
    (facts("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", ("09:00",)),
     "every 2 weeks on Friday at 09:00", "каждые 2 недели по пятницам в 09:00",
     "每2週的週五 09:00"),
    (facts("FREQ=WEEKLY", ("09:00",), start=date(2026, 3, 10)),  # weekday from the start
     "every Tuesday at 09:00, from 10 March", "по вторникам в 09:00, с 10 марта",
     "每週二 09:00，3月10日起"),
    (facts("FREQ=HOURLY;INTERVAL=8", ("06:00",)),
     "every 8 hours from 06:00", "каждые 8 часов, начиная с 06:00", "每8小時，從06:00開始"),
    (facts("FREQ=HOURLY;INTERVAL=2", ("07:00",)),
     "every 2 hours from 07:00", "каждые 2 часа, начиная с 07:00", "每2小時，從07:00開始"),
    (facts("FREQ=HOURLY", ("07:00",)),
     "every hour from 07:00", "каждый час, начиная с 07:00", "每小時，從07:00開始"),
    (facts("FREQ=DAILY;INTERVAL=2", ("08:00",)),
     "every other day at 08:00", "через день в 08:00", "每隔一天 08:00"),
    (facts("FREQ=DAILY;INTERVAL=3", ("08:00",)),
     "every 3 days at 08:00", "каждые 3 дня в 08:00", "每3天 08:00"),
    (facts("FREQ=DAILY;INTERVAL=5", ("08:00",)),
     "every 5 days at 08:00", "каждые 5 дней в 08:00", "每5天 08:00"),
    (facts(None, (), as_needed=True, max_per_day=4),
     "as needed, at most 4 a day", "по необходимости, не больше 4 раз в день",
     "需要時服用，每天最多4次"),
    (facts(None, (), as_needed=True, max_per_day=1),
     "as needed, at most 1 a day", "по необходимости, не больше 1 раза в день",
     "需要時服用，每天最多1次"),
    (facts(None, (), as_needed=True),
     "as needed", "по необходимости", "需要時服用"),
    (facts("FREQ=DAILY;COUNT=5", ("08:00", "20:00"), start=TODAY),
     "every day at 08:00 and 20:00, for 5 days, until 12 March",
     "каждый день в 08:00 и 20:00, курс 5 дней, до 12 марта",
     "每天 08:00、20:00，共5天，至3月12日"),
    (facts("FREQ=DAILY;COUNT=5", ("08:00",)),  # start unknown: the count only
     "every day at 08:00, for 5 days", "каждый день в 08:00, курс 5 дней", "每天 08:00，共5天"),
    (facts(build_rule("DAILY", until=date(2026, 3, 20)), ("08:00",)),
     "every day at 08:00, until 20 March", "каждый день в 08:00, до 20 марта",
     "每天 08:00，至3月20日"),
    (facts(build_rule("DAILY", until=date(2027, 1, 2)), ("08:00",)),
     "every day at 08:00, until 2 January 2027", "каждый день в 08:00, до 2 января 2027 г.",
     "每天 08:00，至2027年1月2日"),
    (facts("FREQ=WEEKLY;COUNT=4;BYDAY=MO,TH", ("09:00",), start=TODAY),
     "every Monday and Thursday at 09:00, 4 doses, until 19 March",
     "по понедельникам и четвергам в 09:00, 4 приёма, до 19 марта",
     "每週一、週四 09:00，共4次，至3月19日"),
    (facts("FREQ=DAILY;COUNT=5", ("08:00",), start=date(2026, 3, 1)),  # ended 5 March
     "every day at 08:00, course finished on 5 March",
     "каждый день в 08:00, курс закончился 5 марта", "每天 08:00，療程已於3月5日結束"),
    (facts(build_rule("DAILY", until=date(2026, 3, 7)), ("08:00",)),  # ended yesterday
     "every day at 08:00, course finished on 7 March",
     "каждый день в 08:00, курс закончился 7 марта", "每天 08:00，療程已於3月7日結束"),
]


@pytest.mark.parametrize(("schedule", "en", "ru", "zh"), CASES)
def test_every_kind_in_three_languages(schedule: ScheduleFacts, en: str, ru: str, zh: str) -> None:
    assert describe(schedule, "en", TODAY) == en
    assert describe(schedule, "ru", TODAY) == ru
    assert describe(schedule, "zh-TW", TODAY) == zh


@pytest.mark.parametrize(("count", "hours", "days", "weeks", "doses", "course"), [
    (1, "каждый 1 час", "каждый 1 день", "каждую 1 неделю", "1 приём", "курс 1 день"),
    (2, "каждые 2 часа", "через день", "каждые 2 недели", "2 приёма", "курс 2 дня"),
    (5, "каждые 5 часов", "каждые 5 дней", "каждые 5 недель", "5 приёмов", "курс 5 дней"),
    (11, "каждые 11 часов", "каждые 11 дней", "каждые 11 недель", "11 приёмов", "курс 11 дней"),
    (21, "каждый 21 час", "каждый 21 день", "каждую 21 неделю", "21 приём", "курс 21 день"),
    (22, "каждые 22 часа", "каждые 22 дня", "каждые 22 недели", "22 приёма", "курс 22 дня"),
])
def test_russian_counts_take_the_plural_form_of_the_number(
        count: int, hours: str, days: str, weeks: str, doses: str, course: str) -> None:
    if count > 1:
        assert describe(facts(f"FREQ=HOURLY;INTERVAL={count}"), "ru", TODAY).startswith(hours)
        assert describe(facts(f"FREQ=DAILY;INTERVAL={count}"), "ru", TODAY).startswith(days)
        assert describe(facts(f"FREQ=WEEKLY;INTERVAL={count};BYDAY=MO"), "ru", TODAY) \
            .startswith(weeks)
    assert describe(facts(f"FREQ=WEEKLY;COUNT={count};BYDAY=MO"), "ru", TODAY).endswith(
        f", {doses}")
    assert course in describe(facts(f"FREQ=DAILY;COUNT={count}"), "ru", TODAY)


def test_a_weekly_rule_without_its_day_never_reads_as_daily() -> None:
    for lang, word in (("en", "every week"), ("ru", "раз в неделю"), ("zh-TW", "每週")):
        text = describe(facts("FREQ=WEEKLY", ("09:00",)), lang, TODAY)
        assert text.startswith(word)
        assert "every day" not in text and "каждый день" not in text and "每天" not in text


def test_every_weekday_has_its_word_in_every_language() -> None:
    for lang in UI_LANGUAGES:
        names = {describe(facts(f"FREQ=WEEKLY;BYDAY={d}"), lang, TODAY)
                 for d in ("MO", "TU", "WE", "TH", "FR", "SA", "SU")}
        assert len(names) == 7


def test_course_end_is_the_last_dose_s_day_computed_by_dateutil() -> None:
    # Every other day, 3 doses, from Sunday 8 March: 8, 10, 12 March.
    course = facts("FREQ=DAILY;INTERVAL=2;COUNT=3", start=TODAY)
    assert last_day(course) == date(2026, 3, 12)
    assert not finished(course, date(2026, 3, 12)) and finished(course, date(2026, 3, 13))
    # Every 8 hours, 4 doses from 20:00: 20:00, 04:00, 12:00, 20:00 the next day.
    assert last_day(facts("FREQ=HOURLY;INTERVAL=8;COUNT=4", ("20:00",), start=TODAY)) == \
        date(2026, 3, 9)
    assert last_day(facts(None)) is None and last_day(facts("FREQ=DAILY;COUNT=3")) is None
    assert last_day(facts(None, (), as_needed=True)) is None


def test_dates_and_lists_in_each_language() -> None:
    assert day_label("ru", date(2026, 5, 9), TODAY) == "9 мая"
    assert day_label("en", date(2025, 12, 31), TODAY) == "31 December 2025"
    assert day_label("zh-TW", date(2026, 12, 1), TODAY) == "12月1日"
    assert join("en", ["a"]) == "a" and join("ru", ["a", "b"]) == "a и b"
    assert join("zh-TW", ["a", "b", "c"]) == "a、b、c"
