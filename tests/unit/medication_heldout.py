"""Held-out labelled medication commands (issue 14). FROZEN: never edit after its commit.

Written in one go, in English, Russian and Traditional Chinese, as patients type (no
capitals, missing punctuation, "pls", brand and generic names, several facts in one
message), and labelled BEFORE the parser was extended for schedules. The parser is tuned on
the development set (medication_dev.py) only; this set is scored, never looked at while
tuning. `bench.parser_corpus` prints its precision and coverage separately.

Label conventions (those of medication_corpus.py, plus schedules):
* rrule in dateutil's form (FREQ;INTERVAL;COUNT;UNTIL;BYDAY, weekdays in week order);
  None = every day. "N times a day" with its times -> those times and no rule; without
  them -> no times and doses_per_day=N. A weekly rule without its weekday -> "FREQ=WEEKLY".
  "every N hours from <time>" -> FREQ=HOURLY;INTERVAL=N with that one time; no start -> no
  times. Courses: COUNT = the number of doses per time ("for 7 days" every 12 h = 14);
  "until <day>" -> UNTIL=<day>T235959 (last day inclusive, local). start: the first day
  when named (relative days count from TODAY).
* as needed -> as_needed, no rule, no times; max_per_day when a daily limit is given.
* None when a careful human would ask back: "on Monday" (this Monday or every Monday?),
  "biweekly", "twice a week" without its days, a count of times that does not match the
  times given, monthly schedules (not supported), meals or bedtime without a clock time.
* weekly=True marks messages that state a weekly frequency: an answer for one of them must
  never be a daily schedule.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

Expected = dict[str, Any] | None
TODAY = date(2025, 3, 5)  # a Wednesday
TOMORROW = "2025-03-06"


class Labelled(NamedTuple):
    lang: str
    text: str
    known: tuple[str, ...]
    expected: Expected
    weekly: bool = False


def item(
    name: str,
    *times: str,
    dose: str | None = None,
    rule: str | None = None,
    prn: bool = False,
    max_day: int | None = None,
    per_day: int | None = None,
    start: str | None = None,
) -> dict[str, Any]:
    return {"name": name, "times": list(times), "dosage": dose, "rrule": rule,
            "as_needed": prn, "max_per_day": max_day, "doses_per_day": per_day,
            "start": start}


def cmd(kind: str, *items: dict[str, Any], tz: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "items": list(items), "timezone": tz}


def add(*items: dict[str, Any]) -> dict[str, Any]:
    return cmd("add", *items)


def delete(*items: dict[str, Any]) -> dict[str, Any]:
    return cmd("delete", *items)


def done(*items: dict[str, Any]) -> dict[str, Any]:
    return cmd("done", *items)


def tchange(name: str, *times: str) -> dict[str, Any]:
    return cmd("time_change", item(name, *times))


def dchange(name: str, dose: str) -> dict[str, Any]:
    return cmd("dose_change", item(name, dose=dose))


def tz(zone: str) -> dict[str, Any]:
    return cmd("timezone_change", tz=zone)


LIST = cmd("list")
UNKNOWN = cmd("unknown")
WEEKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
NOT_SUNDAY = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA"

EN_K = ("Aspirin", "Metformin", "Lisinopril", "Methotrexate", "Ibuprofen")
RU_K = ("Аспирин", "Метформин", "Эналаприл", "Метотрексат", "Нурофен")
ZH_K = ("阿斯匹靈", "普拿疼", "降血壓藥", "甲氨蝶呤", "布洛芬")


def _en() -> list[Labelled]:
    L = Labelled
    return [
        # weekly
        L("en", "add methotrexate 15 mg every monday at 8am", (),
          add(item("methotrexate", "08:00", dose="15 mg", rule="FREQ=WEEKLY;BYDAY=MO")), True),
        L("en", "remind me to take my methotrexate once a week on fridays at 9pm", EN_K,
          add(item("Methotrexate", "21:00", rule="FREQ=WEEKLY;BYDAY=FR")), True),
        L("en", "add methotrexate weekly", (),
          add(item("methotrexate", rule="FREQ=WEEKLY")), True),
        L("en", "add vitamin d 50000 iu once a week", (),
          add(item("vitamin d", dose="50000 iu", rule="FREQ=WEEKLY")), True),
        L("en", "i take alendronate every sunday morning at 7", (),
          add(item("alendronate", "07:00", rule="FREQ=WEEKLY;BYDAY=SU")), True),
        L("en", "add iron on mondays wednesdays and fridays at 9am", (),
          add(item("iron", "09:00", rule="FREQ=WEEKLY;BYDAY=MO,WE,FR")), True),
        L("en", "add methotrexate every week at 9am", (),
          add(item("methotrexate", "09:00", rule="FREQ=WEEKLY")), True),
        L("en", "add vitamin d every 2 weeks on sunday at 10am", (),
          add(item("vitamin d", "10:00", rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=SU")), True),
        L("en", "add levothyroxine every weekday at 6:30", (),
          add(item("levothyroxine", "06:30", rule=WEEKDAYS)), True),
        L("en", "add vitamin c on weekends at 10am", (),
          add(item("vitamin c", "10:00", rule="FREQ=WEEKLY;BYDAY=SA,SU")), True),
        L("en", "add aspirin every day except sunday at 9", (),
          add(item("aspirin", "09:00", rule=NOT_SUNDAY)), True),
        L("en", "add aspirin at 9 but not on sundays", (),
          add(item("aspirin", "09:00", rule=NOT_SUNDAY)), True),
        L("en", "Add Methotrexate 2.5mg x4 tablets every Thursday 8pm", (), None, True),
        L("en", "add methotrexate on monday at 8", (), None, True),
        L("en", "add methotrexate biweekly at 9", (), None, True),
        L("en", "add methotrexate twice a week", (), None, True),
        L("en", "add methotrexate on tuesdays and fridays at 7 pm", (),
          add(item("methotrexate", "19:00", rule="FREQ=WEEKLY;BYDAY=TU,FR")), True),
        # every N days
        L("en", "add prednisone every other day at 8", (),
          add(item("prednisone", "08:00", rule="FREQ=DAILY;INTERVAL=2"))),
        L("en", "add furosemide 40mg every 2 days at 7am", (),
          add(item("furosemide", "07:00", dose="40 mg", rule="FREQ=DAILY;INTERVAL=2"))),
        L("en", "set up warfarin on alternate days at 6pm", (),
          add(item("warfarin", "18:00", rule="FREQ=DAILY;INTERVAL=2"))),
        L("en", "add digoxin every third day at 10am", (),
          add(item("digoxin", "10:00", rule="FREQ=DAILY;INTERVAL=3"))),
        # every N hours
        L("en", "remind me to take amoxicillin every 8 hours starting at 6am", (),
          add(item("amoxicillin", "06:00", rule="FREQ=HOURLY;INTERVAL=8"))),
        L("en", "add amoxicillin 500mg every 8 hours", (),
          add(item("amoxicillin", dose="500 mg", rule="FREQ=HOURLY;INTERVAL=8"))),
        L("en", "add ciprofloxacin every 12 hours from 9am for 7 days", (),
          add(item("ciprofloxacin", "09:00", rule="FREQ=HOURLY;INTERVAL=12;COUNT=14"))),
        L("en", "add eye drops every 4 hours from 8am", (),
          add(item("eye drops", "08:00", rule="FREQ=HOURLY;INTERVAL=4"))),
        L("en", "remind me to take antibiotics every 6 hours", (),
          add(item("antibiotics", rule="FREQ=HOURLY;INTERVAL=6"))),
        # times a day, courses
        L("en", "add amoxicillin three times a day for 10 days", (),
          add(item("amoxicillin", rule="FREQ=DAILY;COUNT=10", per_day=3))),
        L("en", "add cephalexin 3 times a day at 8, 14 and 20 for 5 days", (),
          add(item("cephalexin", "08:00", "14:00", "20:00", rule="FREQ=DAILY;COUNT=5"))),
        L("en", "add aspirin twice a day", (), add(item("aspirin", per_day=2))),
        L("en", "add metformin twice daily at 8am and 8pm", (),
          add(item("metformin", "08:00", "20:00"))),
        L("en", "add metformin twice a day at 8am", (), None),
        L("en", "add prednisone 20mg for 5 days at 8am", (),
          add(item("prednisone", "08:00", dose="20 mg", rule="FREQ=DAILY;COUNT=5"))),
        L("en", "add amoxicillin at 8am and 8pm until march 12", (),
          add(item("amoxicillin", "08:00", "20:00", rule="FREQ=DAILY;UNTIL=20250312T235959"))),
        L("en", "start doxycycline tomorrow at 9am for 14 days", (),
          add(item("doxycycline", "09:00", rule="FREQ=DAILY;COUNT=14", start=TOMORROW))),
        L("en", "add aspirin at 9 for a week", (),
          add(item("aspirin", "09:00", rule="FREQ=DAILY;COUNT=7"))),
        L("en", "add amoxicillin 3x a day for 7 days", (),
          add(item("amoxicillin", rule="FREQ=DAILY;COUNT=7", per_day=3))),
        L("en", "add nitrofurantoin twice a day for 5 days starting tomorrow", (),
          add(item("nitrofurantoin", rule="FREQ=DAILY;COUNT=5", per_day=2, start=TOMORROW))),
        L("en", "add insulin 10 units before meals", (), None),
        L("en", "add b12 shot every month", (), None),
        # as needed
        L("en", "take ibuprofen as needed", EN_K, add(item("Ibuprofen", prn=True))),
        L("en", "add ibuprofen 400mg as needed, max 3 a day", (),
          add(item("ibuprofen", dose="400 mg", prn=True, max_day=3))),
        L("en", "add paracetamol when needed no more than 4 times a day", (),
          add(item("paracetamol", prn=True, max_day=4))),
        L("en", "add salbutamol prn", (), add(item("salbutamol", prn=True))),
        L("en", "add lorazepam 1 mg if needed", (),
          add(item("lorazepam", dose="1 mg", prn=True))),
        L("en", "add tramadol as needed for pain up to 4 times a day", (),
          add(item("tramadol", prn=True, max_day=4))),
        # ordinary add
        L("en", "can you set a reminder for my lisinopril at 7 every morning", EN_K,
          add(item("Lisinopril", "07:00"))),
        L("en", "remind me every day at 10pm to take atorvastatin", (),
          add(item("atorvastatin", "22:00"))),
        L("en", "please remind me at 9:30 pm to take my vitamin D", EN_K,
          add(item("vitamin D", "21:30"))),
        L("en", "new med: sertraline 50 mg at 9 am", (),
          add(item("sertraline", "09:00", dose="50 mg"))),
        L("en", "i started taking omeprazole 20mg at 7 am", (),
          add(item("omeprazole", "07:00", dose="20 mg"))),
        L("en", "i'm on atenolol 25mg at 8am and 8pm", (),
          add(item("atenolol", "08:00", "20:00", dose="25 mg"))),
        L("en", "I need a reminder to take metformin 500 at 8 and 6pm", EN_K, None),
        # delete
        L("en", "delete the ibuprofen reminder", EN_K, delete(item("Ibuprofen"))),
        L("en", "I don't take lisinopril anymore", EN_K, delete(item("Lisinopril"))),
        L("en", "please stop reminding me about metformin", EN_K, delete(item("Metformin"))),
        L("en", "remove aspirin from my meds", EN_K, delete(item("Aspirin"))),
        L("en", "get rid of the methotrexate reminder", EN_K, delete(item("Methotrexate"))),
        L("en", "delete metformin at 8pm", EN_K, delete(item("Metformin", "20:00"))),
        L("en", "no more aspirin", EN_K, None),
        # list
        L("en", "what meds am i on", EN_K, LIST),
        L("en", "show me my reminders", EN_K, LIST),
        L("en", "what's on my list?", EN_K, LIST),
        L("en", "list please", EN_K, LIST),
        # changes
        L("en", "move my aspirin to 10pm", EN_K, tchange("Aspirin", "22:00")),
        L("en", "change metformin from 8am to 9am", EN_K, tchange("Metformin", "08:00", "09:00")),
        L("en", "can you change the lisinopril time to 7:30?", EN_K,
          tchange("Lisinopril", "07:30")),
        L("en", "i want to take aspirin at 8 instead of 9", EN_K,
          tchange("Aspirin", "09:00", "08:00")),
        L("en", "reschedule ibuprofen to 2pm", EN_K, tchange("Ibuprofen", "14:00")),
        L("en", "lisinopril dose is now 20 mg", EN_K, dchange("Lisinopril", "20 mg")),
        L("en", "change my metformin dose to 1000mg", EN_K, dchange("Metformin", "1000 mg")),
        L("en", "increase aspirin to 2 tablets", EN_K, dchange("Aspirin", "2 tablets")),
        L("en", "the doctor changed my lisinopril to 10 mg", EN_K, dchange("Lisinopril", "10 mg")),
        # time zone
        L("en", "i'm in tokyo now", (), tz("Asia/Tokyo")),
        L("en", "my timezone is utc+8", (), tz("+08:00")),
        L("en", "set timezone to Europe/London", (), tz("Europe/London")),
        L("en", "I moved to Berlin", (), tz("Europe/Berlin")),
        # done
        L("en", "took my aspirin", EN_K, done(item("Aspirin"))),
        L("en", "just took metformin", EN_K, done(item("Metformin"))),
        L("en", "I've taken the lisinopril", EN_K, done(item("Lisinopril"))),
        L("en", "aspirin done", EN_K, done(item("Aspirin"))),
        L("en", "took ibuprofen at 3pm", EN_K, done(item("Ibuprofen", "15:00"))),
        L("en", "took metformin and aspirin", EN_K, done(item("Metformin"), item("Aspirin"))),
        # not commands
        L("en", "did i take my aspirin today?", EN_K, None),
        L("en", "i forgot my metformin this morning", EN_K, None),
        L("en", "should i take aspirin with food", EN_K, None),
        L("en", "thanks!", (), UNKNOWN),
    ]


def _ru() -> list[Labelled]:
    L = Labelled
    return [
        # weekly
        L("ru", "добавь метотрексат 15 мг по понедельникам в 8 утра", (),
          add(item("метотрексат", "08:00", dose="15 мг", rule="FREQ=WEEKLY;BYDAY=MO")), True),
        L("ru", "напомни принимать метотрексат раз в неделю по пятницам в 21:00", RU_K,
          add(item("Метотрексат", "21:00", rule="FREQ=WEEKLY;BYDAY=FR")), True),
        L("ru", "добавь метотрексат раз в неделю", (),
          add(item("метотрексат", rule="FREQ=WEEKLY")), True),
        L("ru", "добавь витамин Д 50000 МЕ еженедельно", (),
          add(item("витамин Д", dose="50000 ме", rule="FREQ=WEEKLY")), True),
        L("ru", "добавь алендронат каждое воскресенье в 7 утра", (),
          add(item("алендронат", "07:00", rule="FREQ=WEEKLY;BYDAY=SU")), True),
        L("ru", "добавь железо по понедельникам, средам и пятницам в 9:00", (),
          add(item("железо", "09:00", rule="FREQ=WEEKLY;BYDAY=MO,WE,FR")), True),
        L("ru", "добавь метотрексат каждую неделю в 9 утра", (),
          add(item("метотрексат", "09:00", rule="FREQ=WEEKLY")), True),
        L("ru", "добавь витамин Д раз в две недели по воскресеньям в 10", (),
          add(item("витамин Д", "10:00", rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=SU")), True),
        L("ru", "добавь эутирокс по будням в 6:30", (),
          add(item("эутирокс", "06:30", rule=WEEKDAYS)), True),
        L("ru", "добавь витамин С по выходным в 10", (),
          add(item("витамин С", "10:00", rule="FREQ=WEEKLY;BYDAY=SA,SU")), True),
        L("ru", "добавь аспирин каждый день кроме воскресенья в 9", (),
          add(item("аспирин", "09:00", rule=NOT_SUNDAY)), True),
        L("ru", "добавь аспирин в 9 кроме выходных", (),
          add(item("аспирин", "09:00", rule=WEEKDAYS)), True),
        L("ru", "добавь метотрексат в понедельник в 8", (), None, True),
        L("ru", "добавь метотрексат дважды в неделю", (), None, True),
        L("ru", "добавь метотрексат по вторникам и пятницам в 19:00", (),
          add(item("метотрексат", "19:00", rule="FREQ=WEEKLY;BYDAY=TU,FR")), True),
        L("ru", "метотрексат 10 мг раз в неделю, в четверг вечером", (), None, True),
        # every N days
        L("ru", "добавь преднизолон через день в 8", (),
          add(item("преднизолон", "08:00", rule="FREQ=DAILY;INTERVAL=2"))),
        L("ru", "добавь фуросемид 40 мг каждые 2 дня в 7 утра", (),
          add(item("фуросемид", "07:00", dose="40 мг", rule="FREQ=DAILY;INTERVAL=2"))),
        L("ru", "добавь варфарин раз в два дня в 18:00", (),
          add(item("варфарин", "18:00", rule="FREQ=DAILY;INTERVAL=2"))),
        L("ru", "добавь дигоксин каждый третий день в 10 утра", (),
          add(item("дигоксин", "10:00", rule="FREQ=DAILY;INTERVAL=3"))),
        # every N hours
        L("ru", "напомни пить амоксициллин каждые 8 часов начиная с 6 утра", (),
          add(item("амоксициллин", "06:00", rule="FREQ=HOURLY;INTERVAL=8"))),
        L("ru", "добавь амоксициллин 500 мг каждые 8 часов", (),
          add(item("амоксициллин", dose="500 мг", rule="FREQ=HOURLY;INTERVAL=8"))),
        L("ru", "добавь ципрофлоксацин каждые 12 часов с 9 утра в течение 7 дней", (),
          add(item("ципрофлоксацин", "09:00", rule="FREQ=HOURLY;INTERVAL=12;COUNT=14"))),
        L("ru", "добавь глазные капли каждые 4 часа с 8 утра", (),
          add(item("глазные капли", "08:00", rule="FREQ=HOURLY;INTERVAL=4"))),
        L("ru", "напомни пить антибиотик каждые 6 часов", (),
          add(item("антибиотик", rule="FREQ=HOURLY;INTERVAL=6"))),
        # times a day, courses
        L("ru", "добавь амоксициллин 3 раза в день в течение 10 дней", (),
          add(item("амоксициллин", rule="FREQ=DAILY;COUNT=10", per_day=3))),
        L("ru", "добавь цефалексин три раза в день в 8, 14 и 20 на 5 дней", (),
          add(item("цефалексин", "08:00", "14:00", "20:00", rule="FREQ=DAILY;COUNT=5"))),
        L("ru", "добавь аспирин два раза в день", (), add(item("аспирин", per_day=2))),
        L("ru", "добавь метформин 2 раза в день в 8 и 20", (),
          add(item("метформин", "08:00", "20:00"))),
        L("ru", "добавь метформин дважды в день в 8 утра", (), None),
        L("ru", "добавь преднизолон 20 мг в 8 утра 5 дней", (),
          add(item("преднизолон", "08:00", dose="20 мг", rule="FREQ=DAILY;COUNT=5"))),
        L("ru", "добавь амоксициллин в 8 и 20 до 12 марта", (),
          add(item("амоксициллин", "08:00", "20:00", rule="FREQ=DAILY;UNTIL=20250312T235959"))),
        L("ru", "добавь доксициклин с завтрашнего дня в 9 утра на 14 дней", (),
          add(item("доксициклин", "09:00", rule="FREQ=DAILY;COUNT=14", start=TOMORROW))),
        L("ru", "добавь аспирин в 9 на неделю", (),
          add(item("аспирин", "09:00", rule="FREQ=DAILY;COUNT=7"))),
        L("ru", "добавь нитрофурантоин два раза в день 5 дней начиная с завтра", (),
          add(item("нитрофурантоин", rule="FREQ=DAILY;COUNT=5", per_day=2, start=TOMORROW))),
        L("ru", "добавь инсулин 10 единиц перед едой", (), None),
        L("ru", "добавь витамин B12 раз в месяц", (), None),
        # as needed
        L("ru", "добавь ибупрофен при необходимости", (), add(item("ибупрофен", prn=True))),
        L("ru", "добавь ибупрофен 400 мг по требованию, не более 3 раз в день", (),
          add(item("ибупрофен", dose="400 мг", prn=True, max_day=3))),
        L("ru", "добавь парацетамол при болях не больше 4 раз в сутки", (),
          add(item("парацетамол", prn=True, max_day=4))),
        L("ru", "добавь сальбутамол по необходимости", (), add(item("сальбутамол", prn=True))),
        L("ru", "добавь трамадол по требованию до 4 раз в день", (),
          add(item("трамадол", prn=True, max_day=4))),
        L("ru", "добавь нурофен при необходимости максимум 3 раза в день", RU_K,
          add(item("Нурофен", prn=True, max_day=3))),
        # ordinary add
        L("ru", "напомни мне выпить эналаприл в 7 утра", RU_K, add(item("Эналаприл", "07:00"))),
        L("ru", "поставь напоминание на 22:00 про аторвастатин", (),
          add(item("аторвастатин", "22:00"))),
        L("ru", "добавь лозартан 50 мг утром в 8", (),
          add(item("лозартан", "08:00", dose="50 мг"))),
        L("ru", "новое лекарство: сертралин 50 мг в 9 утра", (),
          add(item("сертралин", "09:00", dose="50 мг"))),
        L("ru", "я начала принимать омепразол 20 мг в 7 утра", (),
          add(item("омепразол", "07:00", dose="20 мг"))),
        L("ru", "мне прописали бисопролол 5 мг в 8 утра", (),
          add(item("бисопролол", "08:00", dose="5 мг"))),
        # delete
        L("ru", "удали напоминание про нурофен", RU_K, delete(item("Нурофен"))),
        L("ru", "я больше не пью эналаприл", RU_K, delete(item("Эналаприл"))),
        L("ru", "не напоминай мне про метформин", RU_K, delete(item("Метформин"))),
        L("ru", "убери аспирин из списка", RU_K, delete(item("Аспирин"))),
        L("ru", "удали метформин в 20:00", RU_K, delete(item("Метформин", "20:00"))),
        # list
        L("ru", "что я принимаю?", RU_K, LIST),
        L("ru", "покажи мои напоминания", RU_K, LIST),
        L("ru", "какие у меня лекарства", RU_K, LIST),
        L("ru", "список пожалуйста", RU_K, LIST),
        # changes
        L("ru", "перенеси аспирин на 22:00", RU_K, tchange("Аспирин", "22:00")),
        L("ru", "поменяй время метформина с 8 на 9 утра", RU_K,
          tchange("Метформин", "08:00", "09:00")),
        L("ru", "можешь перенести эналаприл на 7:30?", RU_K, tchange("Эналаприл", "07:30")),
        L("ru", "хочу пить аспирин в 8 вместо 9", RU_K, tchange("Аспирин", "09:00", "08:00")),
        L("ru", "сдвинь нурофен на 14:00", RU_K, tchange("Нурофен", "14:00")),
        L("ru", "доза эналаприла теперь 20 мг", RU_K, dchange("Эналаприл", "20 мг")),
        L("ru", "измени дозу метформина на 1000 мг", RU_K, dchange("Метформин", "1000 мг")),
        L("ru", "увеличь аспирин до 2 таблеток", RU_K, dchange("Аспирин", "2 таблетки")),
        L("ru", "врач поменял дозу эналаприла на 10 мг", RU_K, dchange("Эналаприл", "10 мг")),
        # time zone
        L("ru", "я сейчас в Токио", (), tz("Asia/Tokyo")),
        L("ru", "мой часовой пояс UTC+3", (), tz("+03:00")),
        L("ru", "часовой пояс Europe/Moscow", (), tz("Europe/Moscow")),
        L("ru", "я переехал в Новосибирск", (), tz("Asia/Novosibirsk")),
        # done
        L("ru", "выпил аспирин", RU_K, done(item("Аспирин"))),
        L("ru", "только что приняла метформин", RU_K, done(item("Метформин"))),
        L("ru", "эналаприл выпит", RU_K, done(item("Эналаприл"))),
        L("ru", "нурофен принял в 15:00", RU_K, done(item("Нурофен", "15:00"))),
        L("ru", "выпила метформин и аспирин", RU_K, done(item("Метформин"), item("Аспирин"))),
        # not commands
        L("ru", "я сегодня пил аспирин?", RU_K, None),
        L("ru", "забыла выпить метформин утром", RU_K, None),
        L("ru", "можно пить аспирин с едой?", RU_K, None),
        L("ru", "спасибо большое", (), UNKNOWN),
    ]


def _zh() -> list[Labelled]:
    L = Labelled
    return [
        # weekly
        L("zh", "新增 甲氨蝶呤 15毫克 每週一 早上8點", (),
          add(item("甲氨蝶呤", "08:00", dose="15毫克", rule="FREQ=WEEKLY;BYDAY=MO")), True),
        L("zh", "提醒我每個星期五晚上9點吃甲氨蝶呤", ZH_K,
          add(item("甲氨蝶呤", "21:00", rule="FREQ=WEEKLY;BYDAY=FR")), True),
        L("zh", "新增甲氨蝶呤 一週一次", (), add(item("甲氨蝶呤", rule="FREQ=WEEKLY")), True),
        L("zh", "新增 維他命D 每週吃一次", (), add(item("維他命D", rule="FREQ=WEEKLY")), True),
        L("zh", "新增 骨鬆藥 每週日早上7點", (),
          add(item("骨鬆藥", "07:00", rule="FREQ=WEEKLY;BYDAY=SU")), True),
        L("zh", "新增 鐵劑 每週一三五 早上9點", (),
          add(item("鐵劑", "09:00", rule="FREQ=WEEKLY;BYDAY=MO,WE,FR")), True),
        L("zh", "新增 甲氨蝶呤 每週 早上9點", (),
          add(item("甲氨蝶呤", "09:00", rule="FREQ=WEEKLY")), True),
        L("zh", "新增 維他命D 每兩週 星期日 早上10點", (),
          add(item("維他命D", "10:00", rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=SU")), True),
        L("zh", "新增 甲狀腺素 平日早上6點半", (),
          add(item("甲狀腺素", "06:30", rule=WEEKDAYS)), True),
        L("zh", "新增 維他命C 週末早上10點", (),
          add(item("維他命C", "10:00", rule="FREQ=WEEKLY;BYDAY=SA,SU")), True),
        L("zh", "新增 阿斯匹靈 除了星期天 每天早上9點", (),
          add(item("阿斯匹靈", "09:00", rule=NOT_SUNDAY)), True),
        L("zh", "新增 阿斯匹靈 週一到週五 早上9點", (),
          add(item("阿斯匹靈", "09:00", rule=WEEKDAYS)), True),
        L("zh", "新增 甲氨蝶呤 星期一 早上8點", (), None, True),
        L("zh", "新增 甲氨蝶呤 一週兩次", (), None, True),
        L("zh", "新增 甲氨蝶呤 每週二和週五 晚上7點", (),
          add(item("甲氨蝶呤", "19:00", rule="FREQ=WEEKLY;BYDAY=TU,FR")), True),
        L("zh", "甲氨蝶呤 一個禮拜吃一次", (), None, True),
        # every N days
        L("zh", "新增 類固醇 隔天 早上8點", (),
          add(item("類固醇", "08:00", rule="FREQ=DAILY;INTERVAL=2"))),
        L("zh", "新增 利尿劑 40毫克 每兩天 早上7點", (),
          add(item("利尿劑", "07:00", dose="40毫克", rule="FREQ=DAILY;INTERVAL=2"))),
        L("zh", "新增 抗凝血藥 每隔一天 晚上6點", (),
          add(item("抗凝血藥", "18:00", rule="FREQ=DAILY;INTERVAL=2"))),
        L("zh", "新增 毛地黃 每三天一次 早上10點", (),
          add(item("毛地黃", "10:00", rule="FREQ=DAILY;INTERVAL=3"))),
        # every N hours
        L("zh", "提醒我每8小時吃一次抗生素 從早上6點開始", (),
          add(item("抗生素", "06:00", rule="FREQ=HOURLY;INTERVAL=8"))),
        L("zh", "新增 抗生素 500毫克 每8小時", (),
          add(item("抗生素", dose="500毫克", rule="FREQ=HOURLY;INTERVAL=8"))),
        L("zh", "新增 消炎藥 每12小時 從早上9點開始 連續7天", (),
          add(item("消炎藥", "09:00", rule="FREQ=HOURLY;INTERVAL=12;COUNT=14"))),
        L("zh", "新增 眼藥水 每4小時 早上8點開始", (),
          add(item("眼藥水", "08:00", rule="FREQ=HOURLY;INTERVAL=4"))),
        L("zh", "提醒我每6小時吃抗生素", (),
          add(item("抗生素", rule="FREQ=HOURLY;INTERVAL=6"))),
        # times a day, courses
        L("zh", "新增 抗生素 一天三次 吃10天", (),
          add(item("抗生素", rule="FREQ=DAILY;COUNT=10", per_day=3))),
        L("zh", "新增 胃藥 一天三次 早上8點 下午2點 晚上8點 吃5天", (),
          add(item("胃藥", "08:00", "14:00", "20:00", rule="FREQ=DAILY;COUNT=5"))),
        L("zh", "新增 維他命C 一天兩次", (), add(item("維他命C", per_day=2))),
        L("zh", "新增 降血糖藥 一天兩次 早上8點和晚上8點", (),
          add(item("降血糖藥", "08:00", "20:00"))),
        L("zh", "新增 降血糖藥 一天兩次 早上8點", (), None),
        L("zh", "新增 類固醇 20毫克 早上8點 連續5天", (),
          add(item("類固醇", "08:00", dose="20毫克", rule="FREQ=DAILY;COUNT=5"))),
        L("zh", "新增 抗生素 早上8點 晚上8點 吃到3月12日", (),
          add(item("抗生素", "08:00", "20:00", rule="FREQ=DAILY;UNTIL=20250312T235959"))),
        L("zh", "新增 多西環素 明天開始 每天早上9點 吃14天", (),
          add(item("多西環素", "09:00", rule="FREQ=DAILY;COUNT=14", start=TOMORROW))),
        L("zh", "新增 阿斯匹靈 早上9點 吃一週", (),
          add(item("阿斯匹靈", "09:00", rule="FREQ=DAILY;COUNT=7"))),
        L("zh", "新增 尿道炎藥 一天兩次 吃5天 明天開始", (),
          add(item("尿道炎藥", rule="FREQ=DAILY;COUNT=5", per_day=2, start=TOMORROW))),
        L("zh", "新增 胰島素 10單位 飯前", (), None),
        L("zh", "新增 B12 每個月一次", (), None),
        # as needed
        L("zh", "新增 止痛藥 需要時吃", (), add(item("止痛藥", prn=True))),
        L("zh", "新增 布洛芬 400毫克 必要時服用 一天最多3次", ZH_K,
          add(item("布洛芬", dose="400毫克", prn=True, max_day=3))),
        L("zh", "新增 普拿疼 頭痛時吃 一天不超過4次", ZH_K,
          add(item("普拿疼", prn=True, max_day=4))),
        L("zh", "新增 氣管擴張劑 有需要時使用", (), add(item("氣管擴張劑", prn=True))),
        L("zh", "新增 曲馬多 需要時 一天最多4次", (), add(item("曲馬多", prn=True, max_day=4))),
        L("zh", "新增 布洛芬 必要時 最多一天3次", ZH_K, add(item("布洛芬", prn=True, max_day=3))),
        # ordinary add
        L("zh", "提醒我早上7點吃降血壓藥", ZH_K, add(item("降血壓藥", "07:00"))),
        L("zh", "幫我設定晚上10點吃降膽固醇藥", (), add(item("降膽固醇藥", "22:00"))),
        L("zh", "新增 心律錠 50毫克 早上8點", (), add(item("心律錠", "08:00", dose="50毫克"))),
        L("zh", "我每天早上9點要吃抗憂鬱藥", (), add(item("抗憂鬱藥", "09:00"))),
        L("zh", "醫生開了胃藥 早上7點吃", (), add(item("胃藥", "07:00"))),
        # delete
        L("zh", "刪除普拿疼", ZH_K, delete(item("普拿疼"))),
        L("zh", "我不吃降血壓藥了", ZH_K, delete(item("降血壓藥"))),
        L("zh", "不要再提醒我吃阿斯匹靈", ZH_K, delete(item("阿斯匹靈"))),
        L("zh", "把布洛芬從清單移除", ZH_K, delete(item("布洛芬"))),
        L("zh", "刪除晚上8點的降血壓藥", ZH_K, delete(item("降血壓藥", "20:00"))),
        # list
        L("zh", "我吃哪些藥?", ZH_K, LIST),
        L("zh", "給我看我的藥單", ZH_K, LIST),
        L("zh", "我的用藥清單", ZH_K, LIST),
        L("zh", "查詢提醒", ZH_K, LIST),
        # changes
        L("zh", "把阿斯匹靈改到晚上10點", ZH_K, tchange("阿斯匹靈", "22:00")),
        L("zh", "降血壓藥從早上8點改成9點", ZH_K, tchange("降血壓藥", "08:00", "09:00")),
        L("zh", "可以把普拿疼的時間改成7點半嗎", ZH_K, tchange("普拿疼", "07:30")),
        L("zh", "布洛芬延到下午2點", ZH_K, tchange("布洛芬", "14:00")),
        L("zh", "降血壓藥的劑量改成20毫克", ZH_K, dchange("降血壓藥", "20毫克")),
        L("zh", "阿斯匹靈改成2顆", ZH_K, dchange("阿斯匹靈", "2顆")),
        L("zh", "醫生把普拿疼改成一次一顆", ZH_K, dchange("普拿疼", "1顆")),
        # time zone
        L("zh", "我在東京", (), tz("Asia/Tokyo")),
        L("zh", "時區改成UTC+8", (), tz("+08:00")),
        L("zh", "我現在人在紐約", (), tz("America/New_York")),
        L("zh", "時區 Asia/Taipei", (), tz("Asia/Taipei")),
        # done
        L("zh", "吃了阿斯匹靈", ZH_K, done(item("阿斯匹靈"))),
        L("zh", "降血壓藥吃了", ZH_K, done(item("降血壓藥"))),
        L("zh", "我剛吃完普拿疼", ZH_K, done(item("普拿疼"))),
        L("zh", "下午3點吃了布洛芬", ZH_K, done(item("布洛芬", "15:00"))),
        L("zh", "阿斯匹靈和降血壓藥都吃了", ZH_K, done(item("阿斯匹靈"), item("降血壓藥"))),
        # not commands
        L("zh", "我今天吃藥了嗎", ZH_K, None),
        L("zh", "早上忘記吃降血壓藥", ZH_K, None),
        L("zh", "阿斯匹靈可以跟普拿疼一起吃嗎", ZH_K, None),
        L("zh", "謝謝你", (), UNKNOWN),
    ]


HELD_OUT: tuple[Labelled, ...] = (*_en(), *_ru(), *_zh())
