"""Questions about what was taken ("what did I take yesterday?", "這週吃了什麼藥",
"что я пил вчера"): a small grammar in zh-TW, en and ru (pure).

Precision first: the WHOLE message must be such a question (a question word and a
taking verb in the past, and at most a period), so a report ("I took aspirin
yesterday", "昨天吃了阿斯匹靈", "я пил аспирин вчера"), a plan ("what should I take
today?", "今天要吃什麼藥", "что мне пить сегодня") or a question about something else
("what did I eat yesterday?", "我昨天吃了什麼") is never read as one.

The period is read into a Period; `days(today)` turns it into the local days to show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

from shared.medication.text import clean, fold

PeriodKind = Literal["days_ago", "this_week", "last_week", "weekday", "last_days"]
MAX_DAYS: Final = 31  # "the last N days": at most a month


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    value: int = 0  # days ago, a weekday (0 = Monday), or N days

    def days(self, today: date) -> tuple[date, date]:
        """The first and last local day of the period, never after today."""
        if self.kind == "days_ago":
            day = today - timedelta(days=self.value)
            return day, day
        monday = today - timedelta(days=today.weekday())
        if self.kind == "this_week":
            return monday, today
        if self.kind == "last_week":
            return monday - timedelta(days=7), monday - timedelta(days=1)
        if self.kind == "weekday":  # the latest such day: today, or earlier this week
            day = today - timedelta(days=(today.weekday() - self.value) % 7)
            return day, day
        return today - timedelta(days=self.value - 1), today  # last_days


@dataclass(frozen=True)
class HistoryQuestion:
    """What the reader hands on: its kind is the reading's name."""

    period: Period
    kind: str = "history"


TODAY: Final = Period("days_ago", 0)
WEEK: Final = Period("this_week")

_N: Final = r"(?P<n>[1-9][0-9]?)"
# --------------------------------------------------------------------------- periods
_EN_DAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                   "sunday")
_EN_PERIOD: Final = (
    r"(?:(?P<today>today|this morning|tonight|this evening)|(?P<yesterday>yesterday"
    r"|last night)|(?P<before>(?:the )?day before yesterday)|(?P<this_week>this week)"
    r"|(?P<last_week>last week|the week before)"
    r"|(?:on |last |this )?(?P<weekday>" + "|".join(_EN_DAYS) + r")"
    rf"|(?:in |over |during |for )?the (?:last|past) {_N} days|(?:in |over |during )?"
    r"the (?:last|past) (?P<seven>week|7 days))")
_RU_DAYS: Final = ("понедельник", "вторник", "среду", "четверг", "пятницу", "субботу",
                   "воскресенье")
_RU_PERIOD: Final = (
    r"(?:(?P<today>сегодня|сегодня утром|сегодня вечером)|(?P<yesterday>вчера"
    r"|вчера вечером|вчера утром)|(?P<before>позавчера)"
    r"|(?P<this_week>на этой неделе|за эту неделю|за неделю|на неделе)"
    r"|(?P<last_week>на прошлой неделе|за прошлую неделю)"
    r"|(?:в|во) (?P<weekday>" + "|".join(_RU_DAYS) + r")"
    rf"|за (?:последние )?{_N} (?:дня|дней|день)|за последн(?:ие|юю) (?P<seven>неделю|7 дней))")
_ZH_WEEKDAY: Final = "一二三四五六日"
_ZH_PERIOD: Final = (
    r"(?:(?P<today>今天|今日|今早|今晚|今天早上|今天晚上)|(?P<yesterday>昨天|昨日|昨晚"
    r"|昨天早上|昨天晚上)|(?P<before>前天)"
    r"|(?P<this_week>這週|這周|這星期|這個星期|這禮拜|這個禮拜|本週|本周|这周|这星期)"
    r"|(?P<last_week>上週|上周|上星期|上個星期|上禮拜|上个星期)"
    r"|(?:週|周|星期|禮拜)(?P<weekday>[一二三四五六日天])"
    rf"|(?:過去|最近|前|过去){_N}天|(?:過去|最近|过去)(?P<seven>一週|一周|7天|七天))")

# --------------------------------------------------------------------------- questions
_PILLS_EN: Final = r"(?:pills?|meds|medicines?|medications?|tablets?|doses?|drugs)"
_EN: Final = (
    # what did I take (yesterday)? / which pills did I take? / did I take my meds today?
    r"(?:(?:can|could) you )?(?:(?:please )?(?:tell|show|remind) me )?",
    r"(?:what|which)(?: (?:of my )?" + _PILLS_EN + r")? (?:did|have|had) i (?:take|taken"
    r"|took|had|have)(?P<period>(?: {p})?)",
    r"(?:tell|show|remind) me what i (?:took|have taken|had taken)(?P<period>(?: {p})?)",
    r"(?:did|have) i (?:take|taken) (?:my|all my|all of my|the) " + _PILLS_EN
    + r"(?P<period>(?: {p})?)",
    r"did i (?:miss|skip|forget) (?:any |a |my |any of my )?" + _PILLS_EN
    + r"(?P<period>(?: {p})?)",
    r"(?:show (?:me )?)?(?:my )?(?:dose|medication|medicine|pill|taken) (?:history|log)"
    r"(?: (?:for |of |from )?(?P<period>{p}))?",
)
_RU_VERB: Final = (r"(?:пил|пила|пили|выпил|выпила|принимал|принимала|принимали|принял"
                   r"|приняла)")
_RU_PILLS: Final = r"(?:лекарства|таблетки|препараты|свои лекарства|свои таблетки)"
_RU: Final = (
    r"(?:(?:скажи|подскажи|покажи|напомни)(?:те)?,? )?",
    # что я пил вчера / вчера что я пил / что я вчера пил / какие лекарства я принимал
    r"(?P<period>(?:{p} )?)(?:что|какие (?:лекарства|таблетки|препараты)) я "
    r"(?P<period2>(?:{p} )?)" + _RU_VERB + r"(?P<period3>(?: {p})?)",
    # пил ли я таблетки вчера / принимала ли я сегодня лекарства
    r"(?P<period>(?:{p} )?)" + _RU_VERB + r" ли я (?P<period2>(?:{p} )?)" + _RU_PILLS
    + r"(?P<period3>(?: {p})?)",
    # пропустил ли я приём вчера / не пропустила ли я таблетки
    r"(?P<period>(?:{p} )?)(?:не )?(?:пропустил|пропустила|забыл|забыла) ли я "
    r"(?P<period2>(?:{p} )?)"
    r"(?:прием|приемы|дозу|таблетки|лекарства|что-нибудь)(?P<period3>(?: {p})?)",
    r"(?:(?:покажи|показать)(?:те)? )?(?:мою )?(?:историю|история|журнал) (?:приема|приемов)"
    r"(?: лекарств| таблеток)?(?P<period>(?: {p})?)",
)
_ZH: Final = (
    r"(?:請問|请问|請告訴我|告訴我)?",
    # 我昨天吃了什麼藥 / 這週吃了哪些藥 / 今天服用了什麼藥物
    r"(?P<period>(?:{p})?)我?(?P<period2>(?:{p})?)(?:有)?(?:吃|服用|服|用)了?(?:什麼|甚麼|什么|哪些|哪幾種"
    r"|哪几种|哪種)(?:藥物|藥|药物|药)(?:呢|啊|呀)?",
    # 我今天吃藥了嗎 / 我昨天有沒有吃藥 / 我今天有吃藥嗎
    # (a question word is required: "我今天吃藥了" is a report)
    r"(?P<period>(?:{p})?)我?(?P<period2>(?:{p})?)(?:(?:有沒有|有没有)(?:吃藥|吃药|服藥|服药)了?(?:呢)?"
    r"|有?(?:吃藥|吃药|服藥|服药)了?(?:嗎|吗|沒|没|沒有|没有))",
    # 今天的藥吃了嗎 / 昨天的藥我有吃嗎 / 我昨天有漏吃藥嗎
    r"(?P<period>{p})的(?:藥|药)我?(?:吃了嗎|吃了吗|吃了沒|吃了没|有吃嗎|有吃吗|吃過了嗎|吃过了吗)",
    r"(?P<period>(?:{p})?)我?(?P<period2>(?:{p})?)有(?:沒有)?(?:漏吃|忘記吃|忘了吃|漏服)(?:藥|药)?(?:嗎|吗)?",
    # 昨天的服藥紀錄 (a period is required: the bare words ask for the weekly summary)
    r"(?P<period>{p})的?(?:服藥|吃藥|用藥|服药|吃药|用药)(?:紀錄|記錄|纪录|记录|歷史|历史)",
)


def _compile(lead: str, questions: tuple[str, ...], period: str
             ) -> tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]:
    """Each question with the period inside it (unnamed: it may stand in several places),
    paired with the period alone, which reads the words the question's period groups
    caught."""
    inside = re.sub(r"\(\?P<\w+>", "(?:", period)
    alone = re.compile(period)
    return tuple((re.compile(lead + q.replace("{p}", inside)), alone) for q in questions)


_PATTERNS: Final = (
    *_compile(_EN[0], _EN[1:], _EN_PERIOD),
    *_compile(_RU[0], _RU[1:], _RU_PERIOD),
    *_compile(_ZH[0], _ZH[1:], _ZH_PERIOD),
)
_EDGES: Final = " ?？!！.。,，~"
_POLITE: Final = re.compile(r"^(?:please|пожалуйста)[ ,，]*|[ ,，]*(?:please|пожалуйста)$")


def _prepare(text: str) -> str:
    key = fold(clean(text)).strip(_EDGES)
    key = _POLITE.sub("", key).strip(_EDGES)
    # Chinese is written without spaces; a space typed inside it means nothing.
    return re.sub(r"(?<=[\u3400-\u9fff]) | (?=[\u3400-\u9fff])", "", key)


def _period(match: re.Match[str] | None, default: Period) -> Period:
    if match is None:
        return default
    groups = {k: v for k, v in match.groupdict().items() if v}
    if "today" in groups:
        return Period("days_ago", 0)
    if "yesterday" in groups:
        return Period("days_ago", 1)
    if "before" in groups:
        return Period("days_ago", 2)
    if "this_week" in groups:
        return Period("this_week")
    if "last_week" in groups:
        return Period("last_week")
    if "seven" in groups:
        return Period("last_days", 7)
    if "n" in groups:
        return Period("last_days", min(int(groups["n"]), MAX_DAYS))
    if "weekday" in groups:
        word = groups["weekday"]
        if word in _EN_DAYS:
            return Period("weekday", _EN_DAYS.index(word))
        if word in _RU_DAYS:
            return Period("weekday", _RU_DAYS.index(word))
        return Period("weekday", 6 if word == "天" else _ZH_WEEKDAY.index(word))
    return default


def _named_periods(match: re.Match[str]) -> list[str]:
    return [v.strip() for k, v in match.groupdict().items() if k.startswith("period")
            and v and v.strip()]


def read_history_question(text: str) -> HistoryQuestion | None:
    """The question about the dose log that `text` is, or None (precision first)."""
    if len(text) > 200:
        return None
    key = _prepare(text)
    for pattern, period in _PATTERNS:
        match = pattern.fullmatch(key)
        if match is None:
            continue
        named = _named_periods(match)
        if len(named) > 1:
            return None  # "вчера что я сегодня пил": two periods, no answer is right
        history = any(w in key for w in ("history", "log", "истори", "журнал"))
        default = WEEK if history else TODAY
        return HistoryQuestion(_period(period.fullmatch(named[0]) if named else None, default))
    return None
