"""Sentence shapes of each command, per language, as regular expressions over folded text.

Groups: body (pre, mid: parts of the body written before the verb), name, old, new, dose,
zone. A literal space in a pattern matches one space (the text is whitespace-collapsed).
Each pattern must match the whole message; several may match, and the parser accepts the
message only when every shape that can be read gives the same command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.medication.models import CommandKind


@dataclass(frozen=True)
class Template:
    kind: CommandKind
    pattern: re.Pattern[str]
    # time_change only: the verb or the word "time" says the slot is a time, so a lone
    # number ("move aspirin to 9") is read as one. Otherwise it must look like a time.
    time_implied: bool = False


_EN_CHANGE_WORDS = "change|set|update|switch|adjust"
_EN_MOVE_WORDS = "move|reschedule|shift|push|put"
_EN_MED_WORDS = "medication|medicine|med|meds|reminder|reminders|pill|pills"
_RU_CHANGE_WORDS = "измени|измените|изменить|поменяй|поменяйте|поменять|смени|смените|установи"
_EN_CHANGE = f"(?:{_EN_CHANGE_WORDS})"
_EN_MOVE = f"(?:{_EN_MOVE_WORDS})"
_EN_DOSE_VERB = f"(?:{_EN_CHANGE_WORDS}|increase|decrease|reduce|lower|raise)"
_EN_MED = f"(?:{_EN_MED_WORDS})"
_RU_CHANGE = f"(?:{_RU_CHANGE_WORDS})"
_RU_MOVE = "(?:перенеси|перенесите|перенести|передвинь|сдвинь|подвинь)"
_RU_DOSE_VERB = f"(?:{_RU_CHANGE_WORDS}|увеличь|уменьши|снизь|повысь|понизь)"
_ZH_PLEASE = r"(?:請幫我|請|幫我|麻煩)?\s*"
_ZH_TO = (
    "(?:改到|改成|改為|改在|換到|換成|調到|調整到|調整為|移到|延到|延後到|提前到|更改為|"
    "更改到|設為|設定為)"
)

_PHRASES: dict[CommandKind, tuple[str, ...]] = {
    "list": (
        "list", "/list", "schedule",
        f"list(?: my| all| all my)? (?:{_EN_MED_WORDS}|medications|medicines|drugs|schedule)",
        "(?:show|view|see|display|check)(?: me)?(?: my| all| all my)? "
        "(?:meds|medications|medicines|pills|drugs|schedule|list|reminders|medication list)",
        "(?:my )?(?:medication|medicine|meds|pill) (?:list|schedule)",
        "my (?:meds|medications|medicines|pills|schedule|reminders|list)",
        "what (?:do|should) i take", "what am i taking",
        "what (?:are )?my (?:meds|medications|medicines|pills)(?: are)?",
        "what (?:meds|medications|medicines|pills) (?:do i (?:take|have)|am i (?:on|taking))",
        "список", "/список", "список лекарств", "мой список", "мои лекарства", "мои таблетки",
        "мое расписание", "расписание",
        "(?:покажи|показать|выведи|открой)(?: мне)?(?: мои| все| мой)? "
        "(?:лекарства|таблетки|список|расписание|напоминания|список лекарств)",
        "(?:покажи,? )?что я (?:принимаю|пью)", "какие (?:лекарства|таблетки) я (?:принимаю|пью)",
        "清單", "列表", "藥單", "藥物清單", "用藥清單", "我的清單", "我的藥", "我的藥物",
        "我的用藥",
        "我的(?:藥|藥物|用藥)(?:清單|列表)",
        r"(?:查看|查詢|顯示|列出|看看|看)(?:一下)?\s*(?:我的)?\s*(?:藥物|藥|清單|用藥|藥單|列表)?"
        r"\s*(?:清單|列表)?",
        "我(?:要|現在)?吃(?:什麼|哪些)藥", "我的藥(?:物)?有(?:哪些|什麼)", "我有(?:哪些|什麼)藥",
    ),
    "help": (
        "help", "/help", "/start help", "help me", "what can you do", "how does (?:this|it) work",
        "how (?:do i use|to use) (?:this|it|you|the bot)", "commands", "/commands",
        "помощь", "/помощь", "справка", "помоги", "помогите", "что ты умеешь",
        "что ты можешь", "как (?:тобой )?пользоваться", "как это работает", "команды",
        "幫助", "說明", "使用說明", "怎麼用", "如何使用", "教學", "指令", "功能",
        "你(?:可以|會|能)做什麼",
    ),
    "unknown": (
        "hi", "hello", "hey", "hi there", "hello there", "thanks", "thank you",
        "thank you very much", "thanks a lot", "thx", "good morning", "good evening",
        "good night", "bye", "goodbye",
        "привет", "здравствуй", "здравствуйте", "добрый день", "добрый вечер", "доброе утро",
        "спасибо", "спасибо большое", "спс", "благодарю", "пока",
        "你好", "您好", "嗨", "哈囉", "哈嘍", "謝謝", "謝謝你", "謝啦", "感謝", "早安", "午安",
        "晚安",
    ),
}  # fmt: skip

_SHAPES: tuple[tuple[CommandKind, str, bool], ...] = (
    # add
    ("add", "(?:add|new|create|schedule|set up|start)(?: a)?(?: new)?"
            f"(?: {_EN_MED})?(?: (?:for|to take|about))? (?P<body>.+)", False),
    ("add", "(?:set|add|create)(?: a)? reminder (?:for|to take|about) (?P<body>.+)", False),
    ("add", "remind me (?:to (?:take|drink|use)|about|of) (?P<body>.+)", False),
    ("add", "remind me (?P<pre>.+?) to (?:take|drink|use) (?P<body>.+)", False),
    ("add", "(?:i (?:take|am taking|need to take|have to take|must take|started taking)"
            "|i'm taking|im taking) (?P<body>.+)", False),
    ("add", "(?:добавь|добавьте|добавить|запиши|запишите|записать|внеси|создай)"
            "(?: (?:новое|новый))?(?: (?:лекарство|препарат|напоминание))?"
            "(?: (?:для|про|о|об|на))? (?P<body>.+)", False),
    ("add", "(?:новое лекарство|новый препарат|новое напоминание) (?P<body>.+)", False),
    ("add", "(?:напомни|напомните|напоминай|напоминайте)(?: мне)?"
            " (?:принять|принимать|пить|выпить|выпивать|про|о|об) (?P<body>.+)", False),
    ("add", "(?:я )?(?:принимаю|пью|начал принимать|начала принимать) (?P<body>.+)", False),
    ("add", "(?:мне )?(?:нужно|надо|необходимо) (?:принимать|пить) (?P<body>.+)", False),
    ("add", "(?:поставь|установи|создай) напоминание(?: (?:про|о|об|на|для))? (?P<body>.+)",
     False),
    ("add", _ZH_PLEASE + r"(?:新增|添加|增加|加入|加上|設定|設置|加)\s*(?:新的)?\s*"
            r"(?:藥物|藥|用藥|提醒)?\s*(?P<body>.+)", False),
    ("add", r"(?P<pre>.*?)\s*(?:請)?提醒我\s*(?P<mid>.*?)\s*(?:要)?\s*(?:吃|服用)\s*(?P<body>.+)",
     False),
    ("add", r"我\s*(?P<pre>.*?)\s*(?:都|會|要)?\s*(?:吃|服用)\s*(?P<body>[^了過]+)", False),
    # delete
    ("delete", "(?:delete|remove|cancel|stop|drop|erase|clear|discontinue)(?: (?:the|my))?"
               f"(?: {_EN_MED})?(?: (?:for|of|about))? (?P<body>.+)", False),
    ("delete", "stop reminding me (?:about|of|to take) (?P<body>.+)", False),
    ("delete", "(?:i )?(?:stopped|stop|quit|have stopped|no longer|don't|do not|dont) "
               "(?:taking|take) (?P<body>.+)", False),
    ("delete", "(?:удали|удалите|удалить|убери|уберите|убрать|отмени|отмените|отменить|сотри)"
               "(?: (?:лекарство|препарат|напоминание|напоминания))?(?: (?:о|об|про|для))?"
               " (?P<body>.+)", False),
    ("delete", "(?:я )?больше не (?:принимаю|пью) (?P<body>.+)", False),
    ("delete", "(?:я )?(?:перестал|перестала|прекратил|прекратила|бросил|бросила) "
               "(?:принимать|пить) (?P<body>.+)", False),
    ("delete", "(?:больше )?не напоминай(?:те)?(?: мне)? (?:о|об|про) (?P<body>.+)", False),
    ("delete", "хватит напоминать(?: мне)? (?:о|об|про) (?P<body>.+)", False),
    ("delete", _ZH_PLEASE + r"(?:刪除|刪掉|移除|取消|停止|停用|刪)\s*(?:藥物|用藥)?\s*(?P<body>.+)",
     False),
    ("delete", _ZH_PLEASE + r"把\s*(?P<body>.+?)\s*(?:刪除|刪掉|移除|取消|停掉|停用|拿掉)了?",
     False),
    ("delete", r"我\s*(?:已經|以後)?\s*不\s*再?\s*(?:吃|服用)\s*(?P<body>.+?)\s*了?", False),
    ("delete", r"(?P<body>.+?)\s*(?:不吃了|不用吃了|停了)", False),
    ("delete", r"(?:不要|不用|不必|別|别)再?提醒我?\s*(?:吃|服用)?\s*(?P<body>.+?)\s*了?", False),
    ("delete", r"我?\s*(?:已經|已)?\s*(?:停吃|停用|停藥|停止服用|停止吃|停掉)(?:了)?\s*"
               r"(?P<body>.+?)\s*了?", False),
    # done
    ("done", "(?:i |i've |ive |i have )?(?:just |already )?(?:took|taken|drank|had) (?P<body>.+)",
     False),
    ("done", "(?P<body>.+?) (?:taken|done|is taken|was taken)", False),
    ("done", "mark (?P<body>.+?) as (?:taken|done)", False),
    ("done", "(?:я )?(?:уже )?(?:только что )?(?:принял|приняла|приняли|выпил|выпила|выпили)"
             "(?: уже)? (?P<body>.+)", False),
    ("done", "(?P<body>.+?)(?: уже)? (?:принят|принята|принято|выпит|выпита|выпито|принял"
             "|приняла|выпил|выпила)", False),
    ("done", r"我?\s*(?P<pre>.*?)\s*(?:已經|已|剛剛|剛)?\s*(?:吃了|吃過|服用了|服用過|已服用|吃完)"
             r"\s*(?P<body>.*?)\s*了?", False),
    # last taken: "when did I last take ibuprofen?" (a question: its mark is allowed)
    ("last_taken", "when (?:did|have) i (?:last )?(?:take|taken|have|had|use|used) "
                   "(?:my |the )?(?P<body>.+?)(?: (?:last|the last time|most recently))?",
     False),
    ("last_taken", "when was (?:my |the )?last (?:dose|time|pill|tablet)(?: (?:of|i took))? "
                   "(?:my |the )?(?P<body>.+)", False),
    ("last_taken", "(?:когда )?(?:я )?(?:в )?последний раз (?:пил|пила|принимал|принимала"
                   "|выпил|выпила|принял|приняла) (?P<body>.+)", False),
    ("last_taken", "когда (?:я )?(?:пил|пила|принимал|принимала|выпил|выпила|принял|приняла)"
                   " (?P<body>.+?) (?:в )?последний раз", False),
    ("last_taken", r"我?\s*(?:最後一次|上一次|上次)\s*(?:吃|服用)\s*(?P<body>.+?)\s*"
                   r"(?:是)?\s*(?:什麼時候|幾點|何時|哪時候)", False),
    ("last_taken", r"我?\s*(?:最近一次)?\s*(?:什麼時候|幾點|何時)\s*(?:吃|服用)(?:了|過)?\s*"
                   r"(?P<body>.+?)\s*(?:的)?", False),
    # time change
    ("time_change", f"(?:{_EN_CHANGE_WORDS}|{_EN_MOVE_WORDS})(?: the)?(?: time (?:of|for))?"
                    " (?P<name>.+?)(?: (?:time|reminder|schedule))? from (?P<old>.+?)"
                    " to (?P<new>.+)", True),
    ("time_change", f"{_EN_MOVE} (?P<name>.+?) to (?P<new>.+)", True),
    ("time_change", f"{_EN_CHANGE}(?: the)? (?:time|reminder|schedule) (?:of|for)"
                    " (?P<name>.+?) to (?P<new>.+)", True),
    ("time_change", f"{_EN_CHANGE} (?P<name>.+?) (?:time|reminder|schedule|reminder time)"
                    " to (?P<new>.+)", True),
    ("time_change", f"{_EN_CHANGE} (?P<name>.+?) to (?P<new>.+)", False),
    ("time_change", "(?:take )?(?P<name>.+?) (?:at|to) (?P<new>.+?) instead of (?P<old>.+)",
     True),
    ("time_change", f"{_RU_MOVE}(?: (?:прием|время приема|время))? (?P<name>.+?)"
                    "(?: с (?P<old>.+?))? на (?P<new>.+)", True),
    ("time_change", f"{_RU_CHANGE} время(?: приема)? (?P<name>.+?)(?: с (?P<old>.+?))?"
                    " на (?P<new>.+)", True),
    ("time_change", f"{_RU_CHANGE} (?P<name>.+?) с (?P<old>.+?) на (?P<new>.+)", True),
    ("time_change", f"{_RU_CHANGE} (?P<name>.+?) на (?P<new>.+)", False),
    ("time_change", "(?P<name>.+?) теперь (?P<new>(?:в|во) .+)", True),
    ("time_change", _ZH_PLEASE + r"把?\s*(?P<name>.+?)\s*的?\s*(?:提醒)?時間\s*"
                    rf"(?:從\s*(?P<old>.+?))?\s*{_ZH_TO}\s*(?P<new>.+)", True),
    ("time_change", _ZH_PLEASE + r"把?\s*(?P<name>.+?)\s*從\s*(?P<old>.+?)\s*"
                    rf"{_ZH_TO}\s*(?P<new>.+)", True),
    ("time_change", _ZH_PLEASE + rf"把?\s*(?P<name>.+?)\s*的?\s*{_ZH_TO}\s*(?P<new>.+)", False),
    ("time_change", r"(?:更改|修改|調整|變更)\s*(?P<name>.+?)\s*的?\s*(?:提醒)?時間\s*"
                    r"(?:為|到|成|改成|改為)?\s*(?P<new>.+)", True),
    # dose change
    ("dose_change", f"{_EN_DOSE_VERB}(?: the)? (?:dose|dosage) (?:of|for) (?P<name>.+?)"
                    " to (?P<dose>.+)", False),
    ("dose_change", f"{_EN_DOSE_VERB} (?P<name>.+?) (?:dose|dosage) to (?P<dose>.+)", False),
    ("dose_change", f"{_EN_DOSE_VERB} (?P<name>.+?) to (?P<dose>.+)", False),
    ("dose_change", "(?:the )?(?P<name>.+?) (?:dose|dosage)(?: is now| is| now)? (?P<dose>.+)",
     False),
    ("dose_change", "(?:new )?(?:dose|dosage) (?:of|for) (?P<name>.+?)(?: is)? (?P<dose>.+)",
     False),
    ("dose_change", f"{_RU_DOSE_VERB}(?: (?:дозу|дозировку))? (?P<name>.+?) (?:на|до)"
                    " (?P<dose>.+)", False),
    ("dose_change", "(?:доза|дозировка) (?P<name>.+?)(?: теперь)? (?P<dose>.+)", False),
    ("dose_change", "(?P<name>.+?) теперь (?:по )?(?P<dose>.+)", False),
    ("dose_change", _ZH_PLEASE + r"把?\s*(?P<name>.+?)\s*的?\s*(?:劑量|用量|份量)\s*"
                    r"(?:改到|改成|改為|調到|調整為|調整到|換成|更改為|為|是|設為)?\s*(?P<dose>.+)",
     False),
    ("dose_change", r"(?:更改|修改|調整|變更)\s*(?P<name>.+?)\s*的?\s*(?:劑量|用量)\s*"
                    r"(?:為|到|成|改成|改為)?\s*(?P<dose>.+)", False),
    ("dose_change", _ZH_PLEASE + r"把?\s*(?P<name>.+?)\s*的?\s*(?:改到|改成|改為|換成|調到|調整為)"
                    r"\s*(?P<dose>.+)", False),
    # timezone
    ("timezone_change", "(?:(?:set|change|update) )?(?:my )?(?:time ?zone|tz)(?: (?:is|to))?"
                        " (?P<zone>.+)", False),
    ("timezone_change", "(?:set|change|update) (?:my )?(?:time ?zone|tz) to (?P<zone>.+)", False),
    ("timezone_change", "(?:i'm|i am|im)(?: now| currently)? in (?P<zone>.+?)(?: now)?", False),
    ("timezone_change", "i (?:live|moved|have moved|relocated|am living) (?:to|in)"
                        " (?P<zone>.+)", False),
    ("timezone_change", r"(?P<zone>(?:utc|gmt) ?[+-] ?\d{1,2}(?::?\d{2})?"
                        r"|[+-] ?\d{1,2}(?::?\d{2})?|[a-z]+/[a-z_]+(?:/[a-z_]+)?)", False),
    ("timezone_change", "(?:(?:установи|поменяй|смени|измени|поставь)(?:те)? )?(?:мой )?"
                        "часовой пояс(?: (?:на|-))? (?P<zone>.+)", False),
    ("timezone_change", "я(?: (?:сейчас|теперь|уже))?(?: (?:живу|нахожусь))? (?:в|во)"
                        " (?P<zone>.+)", False),
    ("timezone_change", "я (?:переехал|переехала|переехали|прилетел|прилетела)(?: (?:в|во))?"
                        " (?P<zone>.+)", False),
    ("timezone_change", r"(?:設定|設置|更改|修改|改|調整)?\s*(?:我的)?\s*時區\s*"
                        r"(?:設定為|設定成|設為|改成|改為|換成|是|為|到)?\s*(?P<zone>.+)", False),
    ("timezone_change", r"我\s*(?:現在|目前|人)?\s*(?:在|住在|搬到|搬去|到了|人在)\s*(?P<zone>.+)",
     False),
)  # fmt: skip


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace(" ", r"\s"))


def _build() -> tuple[Template, ...]:
    templates = [
        Template(kind, _compile(f"(?:{'|'.join(phrases)})")) for kind, phrases in _PHRASES.items()
    ]
    templates += [Template(kind, _compile(p), implied) for kind, p, implied in _SHAPES]
    return tuple(templates)


TEMPLATES: tuple[Template, ...] = _build()
