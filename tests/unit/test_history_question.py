"""Questions about what was taken (issue 14 item 5): read in zh-TW, en and ru with
precision first; reports, plans and other questions are not read as such."""

from __future__ import annotations

from datetime import date

import pytest

from shared.medication.history_words import Period, read_history_question

TODAY = date(2026, 3, 11)  # a Wednesday

QUESTIONS = [
    # en
    ("what did I take yesterday?", (date(2026, 3, 10), date(2026, 3, 10))),
    ("What did I take today", (TODAY, TODAY)),
    ("what have I taken today?", (TODAY, TODAY)),
    ("what did i take", (TODAY, TODAY)),
    ("what did I take this week?", (date(2026, 3, 9), TODAY)),
    ("what did I take on Monday", (date(2026, 3, 9), date(2026, 3, 9))),
    ("what did I take on Thursday?", (date(2026, 3, 5), date(2026, 3, 5))),
    ("which pills did I take last week", (date(2026, 3, 2), date(2026, 3, 8))),
    ("which medicines did I take the day before yesterday?", (date(2026, 3, 9),) * 2),
    ("did I take my meds today?", (TODAY, TODAY)),
    ("Did I take my pills yesterday", (date(2026, 3, 10),) * 2),
    ("can you tell me what I took yesterday?", (date(2026, 3, 10),) * 2),
    ("what have I taken in the last 3 days", (date(2026, 3, 9), TODAY)),
    ("show my medication history", (date(2026, 3, 9), TODAY)),
    ("dose log for yesterday", (date(2026, 3, 10),) * 2),
    ("did I miss any doses yesterday?", (date(2026, 3, 10),) * 2),
    ("what meds did I take last Monday", (date(2026, 3, 9),) * 2),
    ("have I taken my pills today?", (TODAY, TODAY)),
    # ru
    ("что я пил вчера", (date(2026, 3, 10),) * 2),
    ("Что я вчера пил?", (date(2026, 3, 10),) * 2),
    ("вчера что я пила", (date(2026, 3, 10),) * 2),
    ("что я принимал сегодня", (TODAY, TODAY)),
    ("какие лекарства я принимала на этой неделе", (date(2026, 3, 9), TODAY)),
    ("какие таблетки я пил на прошлой неделе?", (date(2026, 3, 2), date(2026, 3, 8))),
    ("пил ли я таблетки сегодня", (TODAY, TODAY)),
    ("принимала ли я вчера лекарства?", (date(2026, 3, 10),) * 2),
    ("что я пил в понедельник", (date(2026, 3, 9),) * 2),
    ("что я пил в среду", (TODAY, TODAY)),
    ("что я принимал за последние 5 дней", (date(2026, 3, 7), TODAY)),
    ("покажи историю приёма лекарств", (date(2026, 3, 9), TODAY)),
    ("пропустила ли я вчера приём?", (date(2026, 3, 10),) * 2),
    # zh-TW
    ("這週吃了什麼藥", (date(2026, 3, 9), TODAY)),
    ("我昨天吃了什麼藥？", (date(2026, 3, 10),) * 2),
    ("昨天我吃了哪些藥", (date(2026, 3, 10),) * 2),
    ("今天服用了什麼藥物", (TODAY, TODAY)),
    ("前天吃了什麼藥", (date(2026, 3, 9),) * 2),
    ("上週吃了哪些藥", (date(2026, 3, 2), date(2026, 3, 8))),
    ("週一吃了什麼藥", (date(2026, 3, 9),) * 2),
    ("星期日吃了什麼藥", (date(2026, 3, 8),) * 2),
    ("我今天吃藥了嗎", (TODAY, TODAY)),
    ("我昨天有沒有吃藥", (date(2026, 3, 10),) * 2),
    ("我吃藥了沒", (TODAY, TODAY)),
    ("過去3天吃了什麼藥", (date(2026, 3, 9), TODAY)),
    ("昨天的服藥紀錄", (date(2026, 3, 10),) * 2),
    ("今天的藥吃了嗎", (TODAY, TODAY)),
    ("我昨天有漏吃藥嗎", (date(2026, 3, 10),) * 2),
    ("請問 我 昨天 吃了 什麼藥", (date(2026, 3, 10),) * 2),
]


@pytest.mark.parametrize(("text", "days"), QUESTIONS)
def test_questions_about_the_log_and_their_days(text: str, days: tuple[date, date]) -> None:
    question = read_history_question(text)
    assert question is not None, text
    assert question.kind == "history"
    assert question.period.days(TODAY) == days


NOT_QUESTIONS = [
    # reports of a dose (the taking commands' business)
    "I took aspirin yesterday", "I took my pills", "took aspirin today", "i have taken it",
    "я пил аспирин вчера", "я выпила таблетки", "принял", "昨天吃了阿斯匹靈", "我吃藥了",
    "我今天吃藥了", "吃過了", "I missed my pills yesterday", "я пропустила приём вчера",
    "我昨天漏吃藥了", "今天的藥吃了",
    # plans and the schedule
    "what should I take today?", "what do I take today", "what will I take tomorrow",
    "what did I take tomorrow", "что мне пить сегодня", "что я буду пить завтра",
    "今天要吃什麼藥", "明天吃什麼藥",
    # other things eaten, drunk or done
    "what did I eat yesterday", "what did the doctor say yesterday",
    "did I take the bus yesterday", "что я ел вчера", "что я делал вчера", "我昨天吃了什麼",
    "昨天吃了什麼", "what did I take to the party",
    # schedule commands, the adherence summary, and two periods at once
    "add aspirin 100 mg at 08:00", "how did I do this week?", "服藥紀錄",
    "вчера что я сегодня пил", "what did I take yesterday today",
    # a period alone, and longer sentences that merely contain a question
    "yesterday", "вчера", "昨天", "I wonder what did I take yesterday because I feel sick",
]


@pytest.mark.parametrize("text", NOT_QUESTIONS)
def test_near_misses_are_not_read_as_history(text: str) -> None:
    assert read_history_question(text) is None


def test_periods_never_reach_past_today_and_cap_at_a_month() -> None:
    assert Period("weekday", 2).days(TODAY) == (TODAY, TODAY)  # Wednesday is today
    assert Period("weekday", 3).days(TODAY) == (date(2026, 3, 5),) * 2
    question = read_history_question("what did I take in the last 90 days")
    assert question is not None and question.period == Period("last_days", 31)
