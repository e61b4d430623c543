"""Schedules beyond "every day at HH:MM" through the medication dialog (issue 14): weekly
days, every N days, every N hours, courses, as needed; what a message leaves unsaid is
asked with buttons as states of the dialog; a weekly medicine never becomes daily, by any
path (typed, the model's reading, "add these times", replacing the schedule, moving a
time). The harness (Bot) is the one of test_medication_commands.py: the preparer, the
handler, the writes applied, the session as the dialog table leaves it. START is Monday
2026-01-05 09:00 UTC; the user's zone is UTC unless a test sets one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.domain.i18n import t
from shared.fakes.memory_tasks import MemoryTaskQueue
from shared.fakes.scripted_llm import ScriptedModel
from shared.features.reminders.service import ReminderService
from shared.medication.recurrence import WEEKDAY_CODES
from shared.ports import Filter
from tests.functions.test_medication_commands import KEY, START, Bot, model_answer


def med_doc(bot: Bot, name: str) -> dict[str, Any]:
    rows = bot.store.query("medications", [Filter("user_id", "==", KEY)])
    [doc] = [d for _, d in rows if d["name"] == name]
    return doc


def doses(bot: Bot, name: str) -> list[dict[str, Any]]:
    rows = bot.store.query("doses", [Filter("user_id", "==", KEY)])
    return sorted((d for _, d in rows if d["name"] == name), key=lambda d: d["time"])


def data(reply: Any) -> list[str]:
    return [b.data for b in reply.buttons]


# ------------------------------------------------------------------ stored with their rule
@pytest.mark.parametrize(
    ("lang", "text", "name", "rule", "times"),
    [
        ("en", "add methotrexate 15 mg every monday at 8am", "methotrexate",
         "FREQ=WEEKLY;BYDAY=MO", ["08:00"]),
        ("en", "add amoxicillin every 8 hours from 6am", "amoxicillin",
         "FREQ=HOURLY;INTERVAL=8", ["06:00"]),
        ("en", "add prednisone at 8am for 5 days", "prednisone", "FREQ=DAILY;COUNT=5",
         ["08:00"]),
        ("ru", "добавь метотрексат по понедельникам в 8 утра", "метотрексат",
         "FREQ=WEEKLY;BYDAY=MO", ["08:00"]),
        ("ru", "добавь аспирин через день в 9", "аспирин", "FREQ=DAILY;INTERVAL=2", ["09:00"]),
        ("zh-TW", "新增 甲氨蝶呤 每週一 早上8點", "甲氨蝶呤", "FREQ=WEEKLY;BYDAY=MO", ["08:00"]),
    ],
)
def test_a_schedule_beyond_daily_is_stored_with_its_rule(
    lang: str, text: str, name: str, rule: str, times: list[str]
) -> None:
    bot = Bot(lang=lang)
    reply = bot.say(text)
    doc = med_doc(bot, name)
    assert doc["rule"] == rule and doc["times"] == times
    assert doc["start"] == "2026-01-06"  # 09:00 passed: the schedule begins tomorrow
    assert [d["rule"] for d in doses(bot, name)] == [rule] * len(times)
    assert reply.text != t(lang, "med.schedule.unsupported", name=name)
    # The reply names the next reminders with their weekday, the first one first.
    first = min(d["next_due_at"] for d in doses(bot, name))
    day = t(lang, f"med.weekday.{WEEKDAY_CODES[first.weekday()]}")
    assert f"{day} {first:%Y-%m-%d %H:%M}" in reply.text


def test_a_weekly_medicine_is_told_with_its_weekdays_and_reminded_on_them_only() -> None:
    bot = Bot()
    reply = bot.say("add methotrexate 15 mg every monday at 8am")
    assert reply.text == t("en", "med.added.rule", name="methotrexate", dosage=" 15 mg",
                           times="08:00", next="Mon 2026-01-12 08:00, Mon 2026-01-19 08:00, "
                                               "Mon 2026-01-26 08:00")
    [dose] = doses(bot, "methotrexate")
    assert dose["next_due_at"] == datetime(2026, 1, 12, 8, tzinfo=UTC)


def test_a_course_is_told_its_last_dose() -> None:
    bot = Bot()
    reply = bot.say("add prednisone at 8am and 8pm for 3 days")
    assert reply.text.splitlines()[-1] == t("en", "med.added.last",
                                            last="Thu 2026-01-08 20:00")


def test_as_needed_is_stored_without_doses() -> None:
    bot = Bot()
    reply = bot.say("add ibuprofen 200 mg as needed, at most 4 a day")
    assert reply.text == t("en", "med.added.as_needed_max", name="ibuprofen",
                           dosage=" 200 mg", count=4)
    doc = med_doc(bot, "ibuprofen")
    assert doc["as_needed"] is True and doc["max_per_day"] == 4 and doc["times"] == []
    assert doses(bot, "ibuprofen") == []  # nothing for the tick


def test_a_daily_medication_writes_the_same_documents_as_before() -> None:
    bot = Bot()
    bot.say("add aspirin 100 mg at 08:00")
    assert med_doc(bot, "aspirin") == {"user_id": KEY, "name": "aspirin", "dosage": "100 mg",
                                       "times": ["08:00"]}
    [dose] = doses(bot, "aspirin")
    assert "rule" not in dose and "start" not in dose


# ------------------------------------------------------------------ what is missing is asked
def test_weekly_without_a_day_asks_the_day_then_the_time() -> None:
    bot = Bot()
    ask = bot.say("add methotrexate 10 mg weekly")
    assert ask.text == t("en", "med.day.ask", name="methotrexate")
    assert data(ask) == [f"med:day:{d}" for d in ("MO", "TU", "WE", "TH", "FR", "SA", "SU")]
    assert bot.session["state"] == "medication.day" and bot.meds() == {}
    ask = bot.press("med:day:FR")
    assert ask.text == t("en", "med.time.ask", name="methotrexate")
    assert bot.session["state"] == "medication.time" and bot.meds() == {}
    bot.press("med:at:08:00")
    assert med_doc(bot, "methotrexate")["rule"] == "FREQ=WEEKLY;BYDAY=FR"
    assert bot.session["state"] == "medication" and bot.session["data"] == {}
    # The questions are answered: their buttons do nothing more.
    assert bot.press("med:day:MO").text == t("en", "med.unknown")
    assert med_doc(bot, "methotrexate")["rule"] == "FREQ=WEEKLY;BYDAY=FR"


def test_several_doses_a_day_without_times_asks_the_times() -> None:
    bot = Bot(lang="ru")
    ask = bot.say("добавь амоксициллин 500 мг три раза в день 5 дней")
    assert bot.session["state"] == "medication.times" and bot.meds() == {}
    assert "med:ats:0800-1400-2000" in data(ask)
    bot.press("med:ats:0800-1400-2000")
    doc = med_doc(bot, "амоксициллин")
    assert doc["times"] == ["08:00", "14:00", "20:00"] and doc["rule"] == "FREQ=DAILY;COUNT=5"
    assert len(doses(bot, "амоксициллин")) == 3


def test_every_n_hours_without_a_start_asks_the_first_dose() -> None:
    bot = Bot(lang="zh-TW")
    ask = bot.say("新增 普拿疼 每8小時")
    assert ask.text == t("zh-TW", "med.first.ask", name="普拿疼")
    assert bot.session["state"] == "medication.first"
    bot.press("med:at:07:00")
    doc = med_doc(bot, "普拿疼")
    assert doc["rule"] == "FREQ=HOURLY;INTERVAL=8" and doc["times"] == ["07:00"]


def test_a_forged_answer_completes_nothing() -> None:
    bot = Bot()
    bot.say("add methotrexate weekly at 9")
    assert bot.session["state"] == "medication.day"
    assert bot.press("med:ats:0800-2000").text == t("en", "med.unknown")
    assert bot.press("med:at:10:00").text == t("en", "med.unknown")
    assert bot.meds() == {}


# ------------------------------------------------------------------ weekly never daily
WEEKLY = "FREQ=WEEKLY;BYDAY=MO"


@pytest.fixture
def weekly() -> Bot:
    bot = Bot()
    bot.say("add methotrexate 15 mg every monday at 8am")
    assert med_doc(bot, "methotrexate")["rule"] == WEEKLY
    return bot


def test_adding_a_daily_time_to_a_weekly_medicine_offers_no_add(weekly: Bot) -> None:
    ask = weekly.say("add methotrexate at 20:00")
    assert data(ask) == ["med:dup:replace", "med:dup:other"]
    # A forged or stale "add these times" is asked again, never carried out.
    again = weekly.press("med:dup:add")
    assert data(again) == ["med:dup:replace", "med:dup:other"]
    assert med_doc(weekly, "methotrexate")["rule"] == WEEKLY


def test_replacing_a_weekly_schedule_with_plain_times_keeps_it_weekly(weekly: Bot) -> None:
    weekly.say("add methotrexate 15 mg at 20:00")
    weekly.press("med:dup:replace")
    doc = med_doc(weekly, "methotrexate")
    assert doc["rule"] == WEEKLY and doc["times"] == ["20:00"]
    assert [d["rule"] for d in doses(weekly, "methotrexate")] == [WEEKLY]


def test_the_same_weekly_rule_may_add_a_time_which_is_weekly_too(weekly: Bot) -> None:
    ask = weekly.say("add methotrexate every monday at 20:00")
    assert "med:dup:add" in data(ask)
    weekly.press("med:dup:add")
    doc = med_doc(weekly, "methotrexate")
    assert doc["times"] == ["08:00", "20:00"] and doc["rule"] == WEEKLY
    assert [d["rule"] for d in doses(weekly, "methotrexate")] == [WEEKLY, WEEKLY]


def test_moving_a_weekly_time_keeps_it_weekly(weekly: Bot) -> None:
    weekly.say("change methotrexate time to 09:30")
    doc = med_doc(weekly, "methotrexate")
    assert doc["times"] == ["09:30"] and doc["rule"] == WEEKLY
    [dose] = doses(weekly, "methotrexate")
    assert dose["rule"] == WEEKLY and dose["next_due_at"].weekday() == 0


def test_a_model_reading_of_a_weekly_drug_stores_it_weekly() -> None:
    model = ScriptedModel(strict=True)
    bot = Bot(model)
    model.add_json(model_answer("add", name="methotrexate", times=["08:00"],
                                rrule="RRULE:FREQ=WEEKLY;BYDAY=MO"))
    bot.say("the weekly rheumatism shot thing, methotrexate, mondays 8 o'clock")
    assert med_doc(bot, "methotrexate")["rule"] == WEEKLY


def test_a_model_reading_of_weekly_without_a_day_asks_the_day() -> None:
    model = ScriptedModel(strict=True)
    bot = Bot(model)
    model.add_json(model_answer("add", name="methotrexate", times=["08:00"],
                                rrule="FREQ=WEEKLY"))
    ask = bot.say("methotrexate once a week, eight in the morning, my rheumatologist says")
    assert ask.text == t("en", "med.day.ask", name="methotrexate")
    assert bot.meds() == {}


# ------------------------------------------------------------------ the tick follows it
def tick(bot: Bot, at: datetime) -> list[dict[str, Any]]:
    """One tick at `at`: the reminder items it enqueued."""
    bot.clock.current = at
    tasks = MemoryTaskQueue()
    ReminderService(bot.store, tasks, bot.clock, delivery=None).tick()  # type: ignore[arg-type]
    return [i for task in tasks.tasks for i in task.payload.get("items", [])]


def test_a_course_says_its_last_dose_once_and_stops() -> None:
    bot = Bot()
    bot.say("add prednisone 20 mg at 10:00 for 2 days")  # 2026-01-05 and 06, from today
    first = tick(bot, datetime(2026, 1, 5, 10, tzinfo=UTC))
    assert [i.get("course_end") for i in first] == [None]
    answer = bot.say("took prednisone")
    assert t("en", "med.course.finished", names="prednisone") not in answer.text
    last = tick(bot, datetime(2026, 1, 6, 10, tzinfo=UTC))
    assert [i.get("course_end") for i in last] == [True]
    repeat = tick(bot, datetime(2026, 1, 6, 11, 1, tzinfo=UTC))
    assert repeat and not any(i.get("course_end") for i in repeat)  # said once
    answer = bot.say("took prednisone")
    assert answer.text.splitlines()[-1] == t("en", "med.course.finished", names="prednisone")
    [dose] = doses(bot, "prednisone")
    assert "next_due_at" not in dose and "next_slot_at" not in dose  # never due again
    for day in range(2, 10):
        assert tick(bot, datetime(2026, 1, 5, 10, tzinfo=UTC) + timedelta(days=day)) == []
    listed = bot.say("list")
    assert "course finished on 6 January" in listed.text


def test_as_needed_is_never_in_the_tick() -> None:
    bot = Bot()
    bot.say("add ibuprofen as needed")
    for hour in range(0, 48, 3):
        assert tick(bot, START + timedelta(hours=hour)) == []


# ------------------------------------------------------------------ as needed
def logged(bot: Bot) -> list[dict[str, Any]]:
    rows = bot.store.query("dose_log", [Filter("user_id", "==", KEY)])
    return sorted((d for _, d in rows), key=lambda d: d["at"])


@pytest.mark.parametrize(("lang", "add", "took", "name"), [
    ("en", "add ibuprofen 200 mg as needed, at most 3 a day", "I took ibuprofen", "ibuprofen"),
    ("zh-TW", "新增 布洛芬 需要時吃 一天最多3次", "我吃了布洛芬", "布洛芬"),
    ("ru", "добавь ибупрофен при необходимости не более 3 раз в день", "выпил ибупрофен",
     "ибупрофен"),
])
def test_taking_an_as_needed_medicine_logs_it_and_counts_the_day(
    lang: str, add: str, took: str, name: str
) -> None:
    bot = Bot(lang=lang)
    bot.say(add)
    assert med_doc(bot, name)["max_per_day"] == 3
    said = []
    for minutes in (0, 180, 360, 480):
        bot.clock.current = START + timedelta(minutes=minutes)
        said.append(bot.say(took).text)
    assert said[0].splitlines()[-1] == t(lang, "med.prn.count", count=1, max=3)
    assert said[1].splitlines()[-1] == t(lang, "med.prn.count", count=2, max=3)
    assert said[2].splitlines()[-1] == t(lang, "med.prn.limit", count=3, max=3)
    # Over the limit: warned, and still logged (never refused).
    assert said[3].splitlines()[-1] == t(lang, "med.prn.over", count=4, max=3)
    entries = logged(bot)
    assert len(entries) == 4 and {e["status"] for e in entries} == {"taken"}
    assert entries[-1]["taken_at"] == START + timedelta(minutes=480)
    # A new local day starts the count again.
    bot.clock.current = START + timedelta(days=1)
    assert bot.say(took).text.splitlines()[-1] == t(lang, "med.prn.count", count=1, max=3)


def test_the_day_of_the_count_is_the_patients_local_day() -> None:
    bot = Bot()
    bot.user["timezone"] = "Asia/Taipei"  # START 09:00 UTC is 17:00 in Taipei
    bot.say("add ibuprofen as needed, at most 2 a day")
    bot.say("took ibuprofen")
    bot.clock.current = START + timedelta(hours=6)  # 23:00 Taipei: the same day
    assert bot.say("took ibuprofen").text.splitlines()[-1] == t("en", "med.prn.limit",
                                                                count=2, max=2)
    bot.clock.current = START + timedelta(hours=8)  # 01:00 the next day in Taipei
    assert bot.say("took ibuprofen").text.splitlines()[-1] == t("en", "med.prn.count",
                                                                count=1, max=2)


def test_without_a_maximum_taking_is_logged_without_a_count() -> None:
    bot = Bot()
    bot.say("add ibuprofen as needed")
    reply = bot.say("took ibuprofen")
    assert reply.text == t("en", "med.prn.logged", name="ibuprofen", dosage="", time="09:00")
    assert len(logged(bot)) == 1


@pytest.mark.parametrize(("lang", "question", "name"), [
    ("en", "when did I last take ibuprofen?", "ibuprofen"),
    ("zh-TW", "上次吃布洛芬是什麼時候", "布洛芬"),
    ("ru", "когда я последний раз пил ибупрофен", "ибупрофен"),
])
def test_when_did_i_last_take_it_answers_from_the_log(lang: str, question: str,
                                                       name: str) -> None:
    bot = Bot(lang=lang)
    bot.say({"en": "add ibuprofen as needed", "zh-TW": "新增 布洛芬 需要時吃",
             "ru": "добавь ибупрофен при необходимости"}[lang])
    assert bot.say(question).text == t(lang, "med.last.never", name=name)
    bot.clock.current = START + timedelta(hours=2, minutes=15)
    bot.say({"en": "took ibuprofen", "zh-TW": "吃了布洛芬", "ru": "выпил ибупрофен"}[lang])
    bot.clock.current = START + timedelta(days=3)
    assert bot.say(question).text == t(lang, "med.last.taken", name=name,
                                       when="2026-01-05 11:15")


def test_when_did_i_last_take_a_scheduled_medicine_uses_its_taken_dose() -> None:
    bot = Bot()
    bot.say("add aspirin at 10:00")
    tick(bot, START + timedelta(hours=1))
    bot.clock.current = START + timedelta(hours=1, minutes=20)
    bot.say("took aspirin")
    bot.clock.current = START + timedelta(days=40)
    assert bot.say("when did I last take aspirin?").text == t(
        "en", "med.last.taken", name="aspirin", when="2026-01-05 10:20")


def test_the_models_reading_of_a_last_dose_question_answers_from_the_log() -> None:
    model = ScriptedModel(strict=True)
    bot = Bot(model)
    bot.say("add ibuprofen as needed")
    bot.say("took ibuprofen")
    model.add_json({"kind": "last_taken", "timezone": None,
                    "items": [{"medication_id": "m1", "name": "ibuprofen"}]})
    reply = bot.say("the painkiller, ibuprofen - at what time was it that I had one?")
    assert reply.text == t("en", "med.last.taken", name="ibuprofen", when="2026-01-05 09:00")


# ------------------------------------------------------------------ typed answers
@pytest.mark.parametrize(("lang", "add", "answer", "rule"), [
    ("en", "add methotrexate 10 mg weekly at 9", "on Mondays and Thursdays",
     "FREQ=WEEKLY;BYDAY=MO,TH"),
    ("ru", "добавь метотрексат раз в неделю в 9", "по понедельникам и четвергам",
     "FREQ=WEEKLY;BYDAY=MO,TH"),
    ("zh-TW", "新增 甲氨蝶呤 每週 早上9點", "每週一、四", "FREQ=WEEKLY;BYDAY=MO,TH"),
])
def test_the_days_may_be_typed_and_several(lang: str, add: str, answer: str,
                                           rule: str) -> None:
    bot = Bot(lang=lang)
    bot.say(add)
    assert bot.session["state"] == "medication.day"
    bot.say(answer)
    [doc] = [d for _, d in bot.store.query("medications", [Filter("user_id", "==", KEY)])]
    assert doc["rule"] == rule and doc["times"] == ["09:00"]
    assert bot.session["state"] == "medication"


def test_the_times_may_be_typed() -> None:
    bot = Bot()
    bot.say("add amoxicillin 500 mg three times a day for 7 days")
    assert bot.session["state"] == "medication.times"
    bot.say("7:00, 15:00 and 23:00")
    doc = med_doc(bot, "amoxicillin")
    assert doc["times"] == ["07:00", "15:00", "23:00"] and doc["rule"] == "FREQ=DAILY;COUNT=7"


def test_a_typed_answer_takes_only_what_was_asked() -> None:
    bot = Bot()
    bot.say("add methotrexate weekly at 9")
    # Times are not the weekday: the question stays, nothing is stored as daily.
    bot.say("at 10:00")
    assert bot.meds() == {} and bot.session["state"] == "medication.day"
    bot.say("add paracetamol every 8 hours")
    assert bot.session["state"] == "medication.first"
    bot.say("6:00 and 14:00")  # every 8 hours starts from ONE time
    assert "paracetamol" not in bot.meds()


def test_another_command_typed_while_a_question_waits_still_works() -> None:
    bot = Bot()
    bot.say("add methotrexate weekly at 9")
    bot.say("add aspirin at 8")
    assert bot.meds() == {"aspirin": ["08:00"]}


def test_as_needed_doses_are_not_adherence() -> None:
    bot = Bot()
    bot.say("add ibuprofen as needed")
    bot.say("took ibuprofen")
    week = bot.press("med:week")
    assert "ibuprofen" not in week.text


def test_a_model_reading_of_plain_times_for_a_weekly_medicine_never_adds_a_daily_time(
    weekly: Bot,
) -> None:
    model = ScriptedModel(strict=True)
    weekly.model = model
    weekly.service.model = lambda: model
    model.add_json({"kind": "add", "timezone": None, "items": [
        {"medication_id": "m1", "name": "methotrexate", "times": ["20:00"]}]})
    ask = weekly.say("the methotrexate, also in the evening around eight please")
    assert data(ask) == ["med:dup:replace", "med:dup:other"]
    weekly.press("med:dup:replace")
    doc = med_doc(weekly, "methotrexate")
    assert doc["rule"] == WEEKLY and doc["times"] == ["20:00"]
