"""Schedule phrases ("every Monday", "через день", "每8小時", "as needed", "for 5 days") read
into `Fragment`s, the pieces of one medication's schedule.

A phrase is a small grammar, not a sentence list: a number slot takes digits or number
words in every form people write ("every eight hours", "раз в два дня", "每兩天"), a day
slot takes a list of weekday names in any case or abbreviation ("по понедельникам и
четвергам", "mon, wed & fri", "每週一、三、五"), a date slot takes what dates.py reads.
`match_fragment` tries every phrase at one position and keeps the longest; the parser
combines the fragments of one medication (schedules.py) and refuses contradictions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Final

from shared.medication.dates import (
    EN_WEEKDAY,
    RU_WEEKDAY,
    RU_WEEKDAY_SHORT,
    ZH_DAY_CHAR,
    ZH_WEEK_PREFIX,
    match_date,
    ru_weekday,
)
from shared.medication.schedule_slots import (
    DIGITS,
    EN_DAY_LIST,
    EN_NUM,
    RU_DAY_LIST,
    RU_NUM,
    ZH_DAY_LIST,
    ZH_NUM,
    Fragment,
    count,
    day_range,
    en_day_list,
    en_days,
    en_range,
    period_of,
    ru_day_list,
    ru_days,
    times_count,
    zh_day_list,
    zh_days,
    zh_range,
)
from shared.medication.text import alternation
from shared.medication.times import Unsure

WEEKDAYS_MON_FRI: Final = frozenset(range(5))
WEEKEND: Final = frozenset({5, 6})


# ---------------------------------------------------------------- phrases

Build = Callable[[re.Match[str], date], Fragment]


@dataclass(frozen=True)
class Phrase:
    pattern: re.Pattern[str]
    build: Build


def _phrase(pattern: str, build: Build) -> Phrase:
    return Phrase(re.compile(pattern, re.VERBOSE), build)


def _const(**values: object) -> Build:
    fragment = Fragment(**values)  # type: ignore[arg-type]
    return lambda match, today: fragment


def _unsure(reason: str) -> Build:
    def build(match: re.Match[str], today: date) -> Fragment:
        raise Unsure(reason)

    return build


def _num(field: str, group: str = "n", scale: int = 1, **extra: object) -> Build:
    def build(match: re.Match[str], today: date) -> Fragment:
        return Fragment(**{field: count(match[group]) * scale}, **extra)  # type: ignore[arg-type]

    return build


def _except(days_of: Callable[[str], frozenset[int]]) -> Build:
    def build(match: re.Match[str], today: date) -> Fragment:
        if match["weekend"]:
            return Fragment(except_days=WEEKEND)
        return Fragment(except_days=days_of(match["list"]))

    return build


def _dated(role: str) -> Build:
    """A date slot: the date itself is read by dates.py from where the marker ends."""

    def build(match: re.Match[str], today: date) -> Fragment:
        raise AssertionError("dated phrases are read by _match_dated")  # pragma: no cover

    build.role = role  # type: ignore[attr-defined]
    return build


_EN_UNITS = r"(?:times?|x|doses?|tablets?|tabs?|pills?|capsules?|caps?|puffs?)"
_EN_SYMPTOMS = (
    "pain", "headache", "headaches", "migraine", "migraines", "fever", "nausea", "anxiety",
    "sleep", "insomnia", "allergies", "allergy", "cough", "heartburn", "chest pain",
    "back pain", "wheezing", "shortness of breath", "constipation", "diarrhea", "itching",
)
_ZH_NOW = r"(?:吃|服用|服|使用|用)"

_EN_PHRASES: tuple[Phrase, ...] = (
    _phrase(r"every\s+day|everyday|each\s+day|daily|every\s+single\s+day|once\s+a\s+day\s+every\s+day",
            _const(daily=True)),
    _phrase(r"(?:every|each)\s+(?P<p>morning|evening|night|afternoon)",
            lambda m, t: Fragment(daily=True, period=period_of(m["p"]))),
    _phrase(r"(?:in\s+the\s+)?(?P<p>mornings?|evenings?)(?=\s+(?:at|@)\s)",
            lambda m, t: Fragment(period=period_of(m["p"]))),
    # n times a day
    _phrase(rf"(?P<n>{EN_NUM})\s*(?:times?|x)?\s*(?:a|per|each|every|in\s+a|/)\s*day"
            rf"|(?P<n2>once|twice|thrice|{EN_NUM}\s*(?:times?|x))\s+daily",
            lambda m, t: Fragment(per_day=times_count(m["n"] or m["n2"]))),
    _phrase(r"b\.?i\.?d\.?(?![a-z])", _const(per_day=2)),
    _phrase(r"t\.?i\.?d\.?(?![a-z])", _const(per_day=3)),
    _phrase(r"q\.?i\.?d\.?(?![a-z])", _const(per_day=4)),
    # weekly
    _phrase(r"weekly|every\s+week|each\s+week|once\s+a\s+week\s+every\s+week",
            _const(weekly=True)),
    _phrase(rf"(?P<n>{EN_NUM})\s*(?:times?|x)?\s*(?:a|per|each|every|in\s+a|/)\s*week"
            rf"|(?P<n2>once|twice|thrice|{EN_NUM}\s*(?:times?|x))\s+weekly",
            lambda m, t: Fragment(weekly=True, per_week=times_count(m["n"] or m["n2"]))),
    _phrase(rf"every\s+(?P<n>{EN_NUM})\s+weeks?|fortnightly|every\s+fortnight",
            lambda m, t: Fragment(weekly=True, week_interval=count(m["n"]) if m["n"] else 2)),
    _phrase(r"bi-?weekly|semi-?weekly", _unsure("biweekly: twice a week or every two weeks?")),
    _phrase(rf"(?:(?P<every>every|each|on\s+every|on)\s+)?(?:the\s+)?(?P<list>{EN_DAY_LIST})"
            r"(?:\s+(?P<period>mornings?|evenings?|nights?|afternoons?))?", en_day_list),
    _phrase(rf"(?:from\s+|on\s+|every\s+)?(?P<a>{EN_WEEKDAY})s?\.?\s*(?:-|–|to|through|thru)\s*"
            rf"(?P<b>{EN_WEEKDAY})s?\.?", en_range),
    _phrase(r"(?:on\s+|every\s+|at\s+|during\s+)?(?:the\s+)?(?:weekdays|weekday)"
            r"(?:\s+only)?", _const(days=WEEKDAYS_MON_FRI, recurring_days=True)),
    _phrase(r"(?:on\s+|every\s+|at\s+|during\s+)?(?:the\s+)?weekends?",
            _const(days=WEEKEND, recurring_days=True)),
    _phrase(rf"(?:except|excluding|but\s+not|not|apart\s+from|other\s+than)\s+(?:on\s+)?"
            rf"(?:the\s+)?(?:(?P<weekend>weekends?)|(?P<list>{EN_DAY_LIST}))",
            _except(lambda text: en_days(text)[0])),
    # every n days / hours
    _phrase(rf"every\s+(?P<n>other|second|2nd|third|3rd|fourth|4th|fifth|5th)\s+day"
            rf"|every\s+(?P<n2>{EN_NUM})\s+days",
            lambda m, t: Fragment(day_interval=count(m["n"] or m["n2"]))),
    _phrase(r"(?:on\s+)?alternate\s+days|every\s+alternate\s+day|q\.?o\.?d\.?(?![a-z])",
            _const(day_interval=2)),
    _phrase(rf"every\s+(?P<n>{EN_NUM})\s*(?:-\s*)?(?:hours?|hrs?|h)(?![a-z])"
            rf"|q\s?(?P<n2>\d{{1,2}})\s?h(?:rs?|ours?)?(?![a-z])|every\s+(?P<one>hour)",
            lambda m, t: Fragment(hour_interval=1 if m["one"] else count(m["n"] or m["n2"]))),
    # courses
    _phrase(rf"for\s+(?:the\s+)?(?:next\s+)?(?P<n>{EN_NUM})\s+(?:more\s+)?days?"
            rf"(?:\s+(?:straight|in\s+a\s+row))?|(?P<n2>{EN_NUM})[-\s]days?\s+course"
            rf"|x\s*(?P<n3>\d{{1,3}})\s*days",
            lambda m, t: Fragment(course_days=count(m["n"] or m["n2"] or m["n3"]))),
    _phrase(rf"for\s+(?:the\s+)?(?:next\s+)?(?P<n>{EN_NUM})\s+(?:more\s+)?weeks?"
            r"|for\s+a\s+fortnight", lambda m, t: Fragment(
                course_days=7 * (count(m["n"]) if m["n"] else 2))),
    _phrase(rf"for\s+(?:the\s+)?(?:next\s+)?(?:{EN_NUM})\s+months?",
            _unsure("months have no fixed length")),
    # as needed
    _phrase(rf"(?:(?:as|when|if)\s+(?:needed|required|necessary)|prn|p\.r\.n\.?|on\s+demand"
            rf"|when\s+i\s+need\s+(?:it|them|one))(?:\s+for\s+(?:{alternation(_EN_SYMPTOMS)}))?",
            _const(as_needed=True)),
    _phrase(rf"(?:at\s+most|max(?:imum)?\.?(?:\s+of)?|no\s+more\s+than|not\s+more\s+than"
            rf"|up\s+to|not\s+to\s+exceed|limit(?:\s+of)?)\s*(?P<n>{EN_NUM})\s*(?:{_EN_UNITS})?"
            r"\s*(?:(?:a|per|each|every|in\s+a|in\s+one)\s+day|/\s*day|daily"
            r"|in\s+24\s*(?:hours?|hrs?|h))", _num("max_per_day")),
    _phrase(rf"(?P<n>{EN_NUM})\s*(?:{_EN_UNITS})?\s*(?:a|per)\s+day\s+max(?:imum)?"
            rf"|daily\s+max(?:imum)?(?:\s+of)?\s+(?P<n2>{EN_NUM})",
            lambda m, t: Fragment(max_per_day=count(m["n"] or m["n2"]))),
    # dates
    _phrase(r"(?:starting|beginning|start|from|as\s+of)(?:\s+(?:on|from))?\s+", _dated("start")),
    _phrase(r"(?:until|till|til|through|thru|up\s+to\s+and\s+including|ending(?:\s+on)?)"
            r"(?:\s+(?:and\s+including|on))?\s+", _dated("until")),
    _phrase(r"(?=today|tomorrow|the\s+day\s+after\s+tomorrow)", _dated("bare")),
)

_RU_PHRASES: tuple[Phrase, ...] = (
    _phrase(r"каждый\s+день|ежедневно|каждые\s+сутки|ежесуточно", _const(daily=True)),
    _phrase(r"(?:каждое\s+(?P<p>утро)|каждый\s+(?P<p2>вечер)|по\s+(?P<p3>утрам|вечерам))",
            lambda m, t: Fragment(daily=True, period=period_of(m["p"] or m["p2"] or m["p3"]))),
    _phrase(r"(?P<p>утром|вечером|днем|ночью)(?=\s+(?:в|во)\s)",
            lambda m, t: Fragment(period=period_of(m["p"]))),
    _phrase(rf"(?:(?P<n>{RU_NUM})\s+)?раз(?:а)?\s+в\s+(?:день|сутки)"
            r"|(?P<n2>дважды|трижды|однократно)\s+в\s+(?:день|сутки)"
            rf"|(?P<n3>{DIGITS})\s*р\s*/\s*д(?:ень)?",
            lambda m, t: Fragment(per_day=count(m["n"] or m["n2"] or m["n3"] or "1"))),
    _phrase(r"еженедельно|каждую\s+неделю", _const(weekly=True)),
    _phrase(rf"(?:(?P<n>{RU_NUM})\s+)?раз(?:а)?\s+в\s+неделю|(?P<n2>дважды|трижды)\s+в\s+неделю",
            lambda m, t: Fragment(weekly=True, per_week=count(m["n"] or m["n2"] or "1"))),
    _phrase(rf"(?:раз\s+в|каждые)\s+(?P<n>{RU_NUM})\s+недел[иьюя]|каждую\s+(?P<n2>вторую)\s+неделю",
            lambda m, t: Fragment(weekly=True, week_interval=count(m["n"] or m["n2"]))),
    _phrase(r"через\s+неделю", _unsure("через неделю: in a week or every other week?")),
    _phrase(rf"(?P<list>{RU_DAY_LIST})(?:\s+(?P<period>утром|вечером|днем))?", ru_day_list),
    _phrase(rf"с\s+(?P<a>{RU_WEEKDAY})\s+по\s+(?P<b>{RU_WEEKDAY})"
            rf"|(?P<a2>{alternation(RU_WEEKDAY_SHORT)})\s*-\s*(?P<b2>{alternation(RU_WEEKDAY_SHORT)})",
            lambda m, t: _ru_range_any(m)),
    _phrase(r"(?:по\s+|в\s+)?(?:будням|будни|будним\s+дням|будние\s+дни)",
            _const(days=WEEKDAYS_MON_FRI, recurring_days=True)),
    _phrase(r"(?:по\s+|в\s+)?(?:выходным|выходные)(?:\s+дн(?:ям|и))?",
            _const(days=WEEKEND, recurring_days=True)),
    _phrase(rf"(?:кроме|за\s+исключением|но\s+не|не)\s+(?:по\s+|в\s+|во\s+)?"
            rf"(?:(?P<weekend>выходных|выходным|выходные)|(?P<list>{RU_DAY_LIST}))",
            _except(lambda text: ru_days(text)[0])),
    _phrase(r"через\s+день|каждый\s+(?P<n>второй|третий|четвертый)\s+день"
            rf"|(?:каждые|раз\s+в)\s+(?P<n2>{RU_NUM})\s+(?:дня|дней)",
            lambda m, t: Fragment(day_interval=count(m["n"] or m["n2"] or "2"))),
    _phrase(rf"через\s+(?:{RU_NUM})\s+(?:дня|дней)", _unsure("через два дня: every 2 or 3 days?")),
    _phrase(rf"(?:через\s+)?(?:каждые|раз\s+в)\s+(?P<n>{RU_NUM})\s*(?:часа|часов|час|ч)(?![а-я])"
            r"|(?P<one>каждый\s+час)",
            lambda m, t: Fragment(hour_interval=1 if m["one"] else count(m["n"]))),
    _phrase(rf"(?:в\s+течение|на|курсом|курс|всего)?\s*(?P<n>{RU_NUM})\s+(?:дня|дней|день|суток)"
            r"(?:\s+подряд)?", _num("course_days")),
    _phrase(r"(?:в\s+течение\s+(?:одной\s+)?недели|(?:на\s+)?(?:одну\s+)?неделю)",
            _const(course_days=7)),
    _phrase(rf"(?:в\s+течение|на)?\s*(?P<n>{RU_NUM})\s+недел[иьюя]",
            _num("course_days", scale=7)),
    _phrase(r"(?:в\s+течение|на)?\s*(?:\d+\s+)?месяц(?:а|ев)?",
            _unsure("months have no fixed length")),
    _phrase(r"при\s+необходимости|по\s+необходимости|по\s+требованию|по\s+потребности"
            r"|при\s+надобности|(?:если|когда)\s+(?:нужно|надо|необходимо)"
            r"|при\s+(?:болях|боли|головной\s+боли|температуре|тошноте|изжоге|мигрени"
            r"|бессоннице)", _const(as_needed=True)),
    _phrase(rf"(?:не\s+более|не\s+больше|не\s+чаще|максимум|макс\.?|до)\s+(?P<n>{RU_NUM})"
            r"\s*(?:раз(?:а)?|таблет\w*|доз\w*|капсул\w*)?\s+в\s+(?:день|сутки)",
            _num("max_per_day")),
    _phrase(r"(?:начиная\s+)?(?:с|со)\s+", _dated("start")),
    _phrase(r"(?:до|по)\s+", _dated("until")),
    _phrase(r"(?=завтра|сегодня|послезавтра)", _dated("bare")),
)


def _ru_range_any(match: re.Match[str]) -> Fragment:
    first = ru_weekday(match["a"] or match["a2"])
    last = ru_weekday(match["b"] or match["b2"])
    if first is None or last is None:
        raise Unsure("not a weekday range")
    return Fragment(days=day_range(first, last), recurring_days=True)


_ZH_WEEK = r"(?:週|周|星期|禮拜|礼拜)"
_ZH_PHRASES: tuple[Phrase, ...] = (
    _phrase(r"每天|每日|天天|每一天", _const(daily=True)),
    _phrase(rf"(?:一天|每天|每日|一日)\s*(?:{_ZH_NOW})?\s*(?P<n>{ZH_NUM})\s*次"
            rf"|(?P<n2>{ZH_NUM})\s*次\s*/\s*(?:天|日)",
            lambda m, t: Fragment(per_day=count(m["n"] or m["n2"]))),
    _phrase(rf"每(?:個|个)?{_ZH_WEEK}", _const(weekly=True)),
    _phrase(rf"(?:每|一)\s*(?:個|个)?\s*{_ZH_WEEK}\s*(?:{_ZH_NOW})?\s*(?P<n>{ZH_NUM})\s*次",
            lambda m, t: Fragment(weekly=True, per_week=count(m["n"]))),
    _phrase(rf"每\s*(?:隔\s*)?(?P<n>{ZH_NUM})\s*(?:個|个)?\s*{_ZH_WEEK}(?:\s*一次)?"
            rf"|(?P<n2>{ZH_NUM})\s*(?:個|个)?\s*{_ZH_WEEK}\s*一次|(?P<other>隔週|隔周|每隔一週|每隔一周)",
            lambda m, t: Fragment(weekly=True, week_interval=(
                2 if m["other"] else count(m["n"] or m["n2"]) + (1 if "隔" in m.group() else 0)))),
    _phrase(rf"(?P<every>每(?:個|个)?|每逢|隔)?\s*(?P<list>{ZH_DAY_LIST})", zh_day_list),
    _phrase(rf"{ZH_WEEK_PREFIX}(?P<a>{ZH_DAY_CHAR})\s*(?:到|至|~|-)\s*(?:{ZH_WEEK_PREFIX})?"
            rf"(?P<b>{ZH_DAY_CHAR})", zh_range),
    _phrase(r"(?:每個|每逢)?(?:平日|工作日)", _const(days=WEEKDAYS_MON_FRI, recurring_days=True)),
    _phrase(r"(?:每個|每逢)?週末|(?:每個|每逢)?周末", _const(days=WEEKEND, recurring_days=True)),
    _phrase(rf"除了?\s*(?:(?P<weekend>週末|周末)|(?P<list>{ZH_DAY_LIST}))\s*(?:以外|之外|外)?"
            rf"|(?:(?P<weekend2>週末|周末)|(?P<list2>{ZH_DAY_LIST}))\s*除外",
            lambda m, t: Fragment(except_days=WEEKEND if (m["weekend"] or m["weekend2"])
                                  else zh_days(m["list"] or m["list2"]))),
    _phrase(rf"(?:隔天|隔日|每隔一天|每隔1天)(?:\s*{_ZH_NOW})?(?:\s*一次)?",
            _const(day_interval=2)),
    _phrase(rf"每\s*(?P<n>{ZH_NUM})\s*天(?:\s*{_ZH_NOW})?(?:\s*一次)?"
            rf"|(?P<n2>{ZH_NUM})\s*天\s*(?:{_ZH_NOW})?\s*一次",
            lambda m, t: Fragment(day_interval=count(m["n"] or m["n2"]))),
    _phrase(rf"每隔\s*{ZH_NUM}\s*天", _unsure("每隔兩天: every 2 or every 3 days?")),
    _phrase(rf"每\s*(?:隔\s*)?(?P<n>{ZH_NUM})\s*(?:個|个)?\s*(?:小時|小时|鐘頭|钟头)"
            rf"(?:\s*(?:{_ZH_NOW})?\s*一次)?", _num("hour_interval")),
    _phrase(rf"(?:連續|持續|共|{_ZH_NOW}|療程)\s*(?P<n>{ZH_NUM})\s*天(?:份)?"
            rf"|(?P<n2>{ZH_NUM})\s*天\s*(?:療程|份)",
            lambda m, t: Fragment(course_days=count(m["n"] or m["n2"]))),
    _phrase(rf"(?:連續|持續|共|{_ZH_NOW})\s*(?P<n>{ZH_NUM})\s*(?:個|个)?\s*{_ZH_WEEK}",
            _num("course_days", scale=7)),
    _phrase(rf"(?:連續|持續|共|{_ZH_NOW})\s*(?:{ZH_NUM})\s*(?:個|个)?\s*月",
            _unsure("months have no fixed length")),
    _phrase(rf"(?:有)?(?:需要|必要)(?:的)?(?:時候|时候|時|时)(?:再)?(?:{_ZH_NOW})?"
            rf"|有需要(?:再)?(?:{_ZH_NOW})|(?:頭痛|疼痛|痛|不舒服|發燒|失眠|過敏|噁心|氣喘)"
            rf"(?:的)?(?:時候|時)(?:再)?(?:{_ZH_NOW})?", _const(as_needed=True)),
    _phrase(rf"(?:一天|每天|每日|一日)\s*(?:最多|不超過|不可超過|不要超過|上限|至多)\s*"
            rf"(?:{_ZH_NOW})?\s*(?P<n>{ZH_NUM})\s*(?:次|顆|粒|錠)"
            rf"|最多\s*(?:一天|每天|每日)\s*(?P<n2>{ZH_NUM})\s*次",
            lambda m, t: Fragment(max_per_day=count(m["n"] or m["n2"]))),
    _phrase(r"(?:從|自)\s*", _dated("start")),
    _phrase(r"(?:吃到|服用到|用到|直到|到|至)\s*", _dated("until")),
    _phrase(r"(?=今天|今日|明天|明日|後天|下個?(?:週|周|星期|禮拜))", _dated("bare")),
)

_ALL: Final = (*_EN_PHRASES, *_RU_PHRASES, *_ZH_PHRASES)
_ZH_START_AFTER = re.compile(r"\s*(?:開始|开始|起)")
_ZH_UNTIL_AFTER = re.compile(r"\s*(?:為止|为止|止)")
_EN_START_TIME = re.compile(
    r"(?:starting|beginning|start|from|starting\s+from|first\s+dose)(?=\s+(?:at\s+)?\d)"
    r"|(?:начиная\s+)?(?:с|со)(?=\s+\d)|начиная\s+в(?=\s+\d)|первый\s+прием(?=\s+в\s+\d)"
    r"|(?:從|自)(?=\s*(?:早上|上午|中午|下午|晚上|凌晨|清晨|傍晚)?\s*[\d一二三四五六七八九十兩]+\s*[點点時:])"
)


def _match_dated(phrase: Phrase, text: str, pos: int, today: date) -> tuple[Fragment, int] | None:
    marker = phrase.pattern.match(text, pos)
    if marker is None:
        return None
    found = match_date(text, marker.end(), today)
    if found is None:
        return None
    day, end = found
    role: str = phrase.build.role  # type: ignore[attr-defined]
    after = _ZH_START_AFTER.match(text, end)
    if after and role in ("start", "bare"):
        return Fragment(start=day), after.end()
    if role == "until":
        closing = _ZH_UNTIL_AFTER.match(text, end)
        return Fragment(until=day), closing.end() if closing else end
    if role == "bare":
        return Fragment(bare_start=day), end
    return Fragment(start=day), end


def match_fragment(text: str, pos: int, today: date) -> tuple[Fragment, int] | None:
    """The longest schedule phrase at `pos` of folded text, or None. Only the chosen
    phrase is read (a shorter one that would refuse, like "每隔一" in "每隔一天", does not)."""
    best: tuple[Phrase, re.Match[str]] | None = None
    best_dated: tuple[Fragment, int] | None = None
    for phrase in _ALL:
        if hasattr(phrase.build, "role"):
            dated = _match_dated(phrase, text, pos, today)
            if dated and _boundary(text, dated[1]) and (
                    best_dated is None or dated[1] > best_dated[1]):
                best_dated = dated
            continue
        match = phrase.pattern.match(text, pos)
        if not match or match.end() == pos or not _boundary(text, match.end()):
            continue
        if best is None or match.end() > best[1].end():
            best = phrase, match
    found = (best[0].build(best[1], today), best[1].end()) if best else None
    if best_dated and (found is None or best_dated[1] > found[1]):
        found = best_dated
    marker = _EN_START_TIME.match(text, pos)
    if marker and (found is None or marker.end() > found[1]):
        found = Fragment(start_time=True), marker.end()
    return found


def zh_start_after_time(text: str, pos: int) -> int | None:
    """End of "開始"/"起" right after a time ("早上6點開始"), or None."""
    found = _ZH_START_AFTER.match(text, pos)
    return found.end() if found else None


def _boundary(text: str, end: int) -> bool:
    """A Latin/Cyrillic phrase must end at a word boundary ("daily" not "dailyx")."""
    if end >= len(text) or end == 0:
        return True
    before, after = text[end - 1], text[end]
    letters = re.compile(r"[a-zа-я0-9]")
    return not (letters.match(before) and letters.match(after))
