"""The reader's words, in zh-TW, en and ru, as data.

Every pattern must match a WHOLE prepared message (text.prepare: folded, politeness and
edge punctuation removed): a word inside a sentence is never a command. Named groups
carry arguments: `lang` (a language name), `addr` (an e-mail address), `topic`, `how`
(a change asked of a leaflet; the whole message).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from shared.domain.reading.model import Action, Global, Request
from shared.domain.reading.text import Typed, Variant


@dataclass(frozen=True)
class Words:
    name: str
    patterns: tuple[re.Pattern[str], ...]

    def match(self, key: str) -> re.Match[str] | None:
        for pattern in self.patterns:
            found = pattern.fullmatch(key)
            if found is not None:
                return found
        return None

    def find(self, typed: Typed) -> tuple[re.Match[str], Variant] | None:
        """The first pattern matching one of the message's variants, and that variant."""
        for variant in typed.variants:
            found = self.match(variant.key)
            if found is not None:
                return found, variant
        return None


def words(name: str, *patterns: str) -> Words:
    return Words(name, tuple(re.compile(p) for p in patterns))


def phrases(items: Iterable[str]) -> str:
    """An alternation of literal phrases, longest first."""
    return "(?:" + "|".join(re.escape(i) for i in sorted(items, key=len, reverse=True)) + ")"


_ADDRESS: Final = r"(?P<addr>[^\s@]+@[^\s@]+\.[^\s@]+)"
_LANG: Final = r"(?P<lang>[\w\- ]{2,30})"
_CJK_LANG: Final = r"(?P<lang>\S{1,8})"

# --------------------------------------------------------------------------- global
GLOBAL: Final[tuple[Words, ...]] = (
    words(Global.MENU,
          r"(?:(?:show|open|take|bring|get|go)(?: me)? )?(?:(?:back|home) )?(?:to )?(?:the )?"
          r"(?:main )?menu",
          r"(?:(?:вернуться|вернись|вернуть|назад|перейти|перейди|покажи|открой|открыть|показать)"
          r" )?(?:(?:в|во|на) )?(?:главное )?меню",
          r"(?:回到|回|返回|到|去|打開|打开|顯示|显示|看|開啟)?(?:主)?(?:選單|选单|菜單|菜单|目錄)頁?"
          r"|主畫面|回主畫面"),
    words(Global.HELP,
          r"help|help me|what can you do|how does (?:this|it) work|how do i use (?:this|you)",
          r"помощь|справка|помоги|что ты умеешь|что ты можешь|что умеешь"
          r"|как (?:этим )?пользоваться",
          phrases(("說明", "幫助", "帮助", "使用說明", "使用说明", "你可以做什麼", "你能做什麼",
                   "你可以做什么", "你能做什么", "怎麼用", "怎么用", "求助"))),
    words(Global.START,
          r"start|restart|start over|begin|new",
          r"начать|старт|новый|заново|начать сначала",
          phrases(("開始", "重新開始", "重新开始", "开始"))),
    words(Global.LANGUAGE,
          r"(?:change |switch |set |choose )?(?:the )?language|languages|language settings?",
          r"язык|языки|(?:сменить|поменять|выбрать|изменить|сменить) язык|настройки языка",
          phrases(("語言", "语言", "切換語言", "切换语言", "更改語言", "更換語言", "換語言",
                   "换语言", "語言設定", "语言设置", "選擇語言"))),
    words(Global.DELETE,
          r"(?:delete|erase|remove|wipe|clear) (?:all )?(?:of )?my (?:data|information|info"
          r"|account|records)|forget me|forget everything about me",
          r"(?:удалить|удали|удалите|стереть|сотри) (?:все )?(?:мои )?данные"
          r"|(?:удалить|удали) (?:мой )?аккаунт|забудь меня",
          phrases(("刪除我的資料", "删除我的资料", "刪除資料", "删除资料", "刪除我的帳號",
                   "清除我的資料", "刪除所有資料", "删除所有资料", "刪除我所有的資料"))),
    words(Global.INVITE,
          r"(?:invite|add)(?: a| my)? (?:caregiver|carer|family member|relative|family)s?"
          r"|share (?:my )?(?:reminders|doses) with (?:my )?family",
          r"(?:пригласить|пригласи|добавить|добавь) (?:опекуна|родственника|близкого"
          r"|члена семьи|сиделку)",
          phrases(("邀請家人", "邀请家人", "邀請照顧者", "邀请照顾者", "邀請家屬", "邀请家属",
                   "加入家人", "新增照顧者"))),
    words(Global.CIRCLE,
          r"(?:my )?(?:caregivers|carers|care circle)|(?:who|whom) (?:do )?i (?:follow|care for)",
          r"(?:мои )?опекуны|(?:мой )?круг заботы|кого я опекаю",
          phrases(("我的家人", "家人名單", "家人名单", "照顧者", "照顾者", "我的照顧者",
                   "我照顧的人", "我照顾的人"))),
    words(Global.CANCEL,
          r"(?:no,? )?(?:cancel|stop|quit|exit|abort)(?: (?:it|that|this))?|never ?mind"
          r"|forget it|(?:i )?changed my mind|(?:i'?ve )?changed my mind|no thanks",
          r"(?:нет,? )?(?:отмена|отменить|отмени|отмените|стоп|хватит|не надо|не нужно)"
          r"(?: это)?|(?:я )?передумала?|забудь",
          r"(?:取消|算了|不用了|不要了|停止)\S{0,4}"),
)

# The UI language, named with the word "language" ("language: English", "язык русский",
# "語言改成中文"): a switch even while a question about a language is open.
LANGUAGE_NAMED: Final = words(
    Global.LANGUAGE_SET,
    rf"(?:switch|change|set)(?: the)? language (?:to|into) {_LANG}",
    rf"language:? {_LANG}",
    rf"(?:смени|сменить|поменяй|поменять|переключи|переключить) язык на {_LANG}",
    rf"язык:? {_LANG}",
    r"語言(?:改成|改為|設為|设为|切換成|切換到|换成)?[:：]?(?P<lang>\S{1,6})",
)
# "switch to English", "in English", "用中文": a switch unless a language is asked for.
LANGUAGE_PHRASES: Final = words(
    Global.LANGUAGE_SET,
    rf"(?:switch|change|set) (?:to|into) {_LANG}",
    rf"(?:in|speak|use|write in|answer in) {_LANG}",
    rf"(?:переключи(?:сь)?|перейди) на {_LANG}",
    rf"(?:говори|пиши|ответь|отвечай) {_LANG}",
    r"(?:用|說|说|改用|改成|切換成|切換到|切换到|換成)(?P<lang>\S{1,6})",
)

# --------------------------------------------------------------------------- actions
LEAFLET_ACTIONS: Final[tuple[Words, ...]] = (
    words(Action.LEAFLET_TRANSLATE,
          rf"translate(?: it| this| that| the leaflet| this leaflet)?(?: (?:in)?to {_LANG})?",
          r"translation",
          rf"(?:переведи|переведите|перевести|перевод)(?: это| ее| её| его| памятку)?"
          rf"(?: на {_LANG})?",
          rf"(?:幫我)?(?:翻譯|翻译)(?:一下)?(?:成|為|为|到)?{_CJK_LANG}?",
          rf"(?:翻|譯|译)(?:成|為|为|到){_CJK_LANG}"),
    words(Action.LEAFLET_READ,
          r"read(?: it| this)?(?: (?:aloud|out loud|out|to me))*|listen|audio|play(?: it)?"
          r"|speak(?: it)?|read aloud",
          r"(?:прочитай|прочти|прочитайте|прочитать)(?: это| ее| её| его)?(?: вслух| мне)*"
          r"|озвучь|озвучьте|озвучить|послушать|аудио|голосом",
          phrases(("朗讀", "朗读", "唸給我聽", "念给我听", "唸出來", "念出来", "讀給我聽",
                   "读给我听", "讀出來", "读出来", "語音", "语音", "播放", "聽", "听",
                   "語音朗讀", "用聽的"))),
    words(Action.LEAFLET_EMAIL,
          rf"(?:e-?mail|mail|send)(?: it| this| that| the leaflet| this leaflet| me)?"
          rf"(?: (?:to )?me)?(?: (?:to|at) (?:my (?:e-?mail|inbox)|{_ADDRESS}))?",
          rf"send(?: it| this)? to (?:my )?(?:e-?mail|inbox)|e-?mail me(?: at {_ADDRESS})?",
          rf"(?:(?:отправь|отправьте|отправить|пришли|пришлите|прислать|вышли|вышлите)"
          rf"(?: это| ее| её| его| памятку| мне)*(?: на (?:почту|e-?mail|имейл|емейл|мейл)"
          rf"| по (?:почте|e-?mail))(?: {_ADDRESS})?)|на почту|по почте|почта",
          rf"(?:отправь|пришли|вышли)(?:те)? на {_ADDRESS}",
          rf"(?:寄送|寄給我|寄给我|寄到|寄去|寄信|寄出|寄到我的信箱|寄到信箱|傳到信箱"
          rf"|電子郵件|电子邮件|email|e-mail|寄到(?:我的)?(?:email|電子郵件|电子邮件))"
          rf"(?:\s*(?:給|到)?\s*{_ADDRESS})?"),
    words(Action.LEAFLET_HANDOUT,
          r"print(?: it| this)?|printable(?: version| handout| copy)?|print(?:able)? version"
          r"|handout|pdf|(?:a )?pdf version",
          r"печать|распечатать|распечатай|распечатайте|версия для печати|для печати|pdf",
          phrases(("列印", "列印版", "打印", "打印版", "印出來", "印出来", "pdf", "講義",
                   "讲义", "列印版本", "可列印版"))),
    words(Action.LEAFLET_MODIFY,
          r"modify|edit|change(?: it| this)?|rewrite(?: it)?|revise(?: it)?",
          r"измени|измените|изменить|исправь|исправьте|исправить|отредактируй|редактировать",
          phrases(("修改", "改一下", "修改一下", "重寫", "重写", "改寫", "改写", "編輯", "编辑"))),
    words(Action.LEAFLET_ORIGINAL,
          r"(?:show )?(?:me )?(?:the )?original(?: version| text| leaflet)?",
          r"(?:покажи |показать )?(?:оригинал|исходный текст)",
          phrases(("原文", "看原文", "顯示原文", "显示原文", "原版"))),
)
# A change asked of the leaflet on screen, told in the message itself.
LEAFLET_CHANGE: Final = words(
    Action.LEAFLET_MODIFY,
    r"(?P<how>make it (?:shorter|simpler|longer|easier|clearer|more \w+|less \w+)(?: .*)?)",
    r"(?P<how>(?:сделай|сделайте) (?:короче|проще|подробнее|понятнее|длиннее)(?: .*)?)",
    r"(?P<how>(?:改|寫|写)得?(?:短|簡單|简单|詳細|详细|長|长)\S*)",
)

TRANSLATION_ACTIONS: Final[tuple[Words, ...]] = (
    Words(Action.TRANSLATION_READ, LEAFLET_ACTIONS[1].patterns),
    words(Action.TRANSLATION_SWITCH,
          r"switch(?: (?:the )?(?:direction|sides|languages|roles))?|reverse|other direction"
          r"|(?:the )?(?:doctor|nurse|other person)(?:'s)? (?:answers|replies|turn)"
          r"|(?:doctor's|their) turn",
          r"(?:поменять|сменить|переключить|переключи|поменяй|смени)(?: направление)?"
          r"|обратный перевод|ответ врача|врач отвечает",
          phrases(("換對方說", "换对方说", "換方向", "换方向", "切換方向", "切换方向", "反向",
                   "對方回答", "对方回答", "醫生回答", "医生回答", "換他說", "換醫生說",
                   "對方說", "換人說"))),
    words(Action.TRANSLATION_NEW,
          r"(?:start )?(?:a )?new (?:conversation|translation)|start over",
          r"(?:начать )?(?:новый|новую) (?:разговор|перевод|беседу)",
          phrases(("新對話", "新对话", "新的對話", "新的翻譯", "重新翻譯", "新翻譯",
                   "重新開始翻譯"))),
    words(Action.TRANSLATION_CONTINUE,
          r"continue|go on", r"продолжить|продолжай|продолжим", r"繼續|继续"),
)

# Answers to the reminder waiting for one.
_TOOK_EN: Final = (r"(?:yes,? )?(?:i(?:'ve| have)? )?(?:took|taken)"
                   r"(?: (?:it|them|my (?:pills?|medicines?|medications?|meds|tablets?|dose)))?")
_TOOK_RU: Final = (r"(?:я )?(?:принял|приняла|выпил|выпила|принято)(?: (?:их|его|ее|её"
                   r"|таблетк\w*|лекарств\w*|дозу))?")
_TOOK_ZH: Final = phrases(("吃了", "吃過了", "吃过了", "已吃", "已服用", "服用了", "已服藥",
                           "已服药", "吃藥了", "吃药了", "吃完了", "我吃了", "我吃過了",
                           "藥吃了", "吃過藥了", "我吃過藥了", "我吃藥了", "已經吃了",
                           "已经吃了"))
REMINDER_ACTIONS: Final[tuple[Words, ...]] = (
    words(Action.REMINDER_TAKEN, _TOOK_EN + r"|done", _TOOK_RU + r"|готово", _TOOK_ZH),
    words(Action.REMINDER_SNOOZE,
          r"later|remind me later|snooze|not now|remind me in \d+ minutes|in \d+ minutes",
          r"позже|напомни позже|напомните позже|потом|отложи|отложить|не сейчас",
          phrases(("晚點", "晚点", "等一下", "稍後", "稍后", "稍後提醒", "晚點提醒我",
                   "晚点提醒我", "待會", "待会", "等等再提醒"))),
    words(Action.REMINDER_SKIP,
          r"skip(?: it| this(?: dose| one)?)?",
          r"пропустить|пропущу|пропусти|пропускаю",
          phrases(("跳過", "跳过", "略過", "這次跳過", "这次跳过", "這次不吃", "不吃了",
                   "跳過這次"))),
)
# "I took my pills" with no reminder waiting goes to the medication feature (which dose?).
TOOK: Final = words("taken", _TOOK_EN, _TOOK_RU, _TOOK_ZH)

# The schedule as a calendar file for the phone (issue 14), in any mode.
_SCHEDULE_EN: Final = (r"(?:it|them|this|that|(?:my |the )?(?:pills?|meds|medicines?|medications?"
                       r"|schedule|medication schedule|reminders|doses))")
CALENDAR: Final = words(
    "calendar",
    rf"(?:add|put|save|export|send|sync|import)(?: {_SCHEDULE_EN})? (?:to|in|into|on)"
    r" (?:my |the )?(?:phone'?s? |google |apple |ios )?calendar",
    r"(?:my |the )?(?:calendar(?: file| link| export| invite)?|ics(?: file)?"
    r"|(?:medication |medicine )?schedule (?:as|in) (?:a )?calendar(?: file)?)",
    r"(?:добав(?:ь|ьте|ить)|занеси(?:те)?|занести|сохрани(?:те)?|сохранить|экспортир\w*"
    r"|перенеси(?:те)?|перенести|отправь(?:те)?|отправить)"
    r"(?: (?:мои |мое |моё )?(?:лекарства|таблетки|расписание|напоминания|приемы|это|их))?"
    r" в (?:мой )?(?:календарь|календарь телефона|календарь на телефоне)",
    r"(?:в )?календарь|файл (?:для )?календаря|календарь (?:приема|приёма)(?: лекарств)?",
    r"(?:幫我|请|請)?(?:把)?(?:用藥|用药|服藥|服药|吃藥|吃药|藥物|药物|提醒|時間表|时间表)?"
    r"(?:加入|加到|新增到|新增至|匯入|汇入|导入|導入|存到|放到|同步到)(?:手機)?(?:的)?"
    r"(?:行事曆|行事历|日曆|日历)",
    r"(?:手機)?(?:行事曆|行事历|日曆|日历)(?:檔案|档案|檔|連結)?",
)

# --------------------------------------------------------------------------- requests
_LEAFLET_EN: Final = (r"(?:leaflet|handout|brochure|pamphlet|fact ?sheet|information sheet"
                      r"|health education|patient education|education material)s?")
_WANT_EN: Final = (r"(?:i )?(?:need|want|would like|'d like)(?: to (?:get|have|read|see))?"
                   r"|(?:can|could|may) (?:i|you) (?:have|get|give me|send me|make"
                   r"|write(?: me)?|prepare(?: me)?)"
                   r"|give me|send me|get me|make(?: me)?|write(?: me)?|prepare(?: me)?"
                   r"|create(?: me)?")
_TOPIC: Final = r"(?P<topic>.+?)"


@dataclass(frozen=True)
class RequestWords:
    """Words asking for a mode; `anywhere` frames work in every mode (they name the
    thing: a leaflet, an interpreter), the others only while browsing (menu, education)."""

    anywhere: Words
    browsing: Words
    elsewhere: Words  # every mode but a translation conversation


EDUCATION_REQUEST: Final = RequestWords(
    anywhere=words(
        Request.EDUCATION,
        rf"(?:{_WANT_EN}) (?:a |an |some )?{_LEAFLET_EN} (?:about|on|for|regarding) {_TOPIC}",
        rf"{_LEAFLET_EN} (?:about|on|for|regarding) {_TOPIC}",
        rf"(?:{_WANT_EN}) (?:a |an )?{_TOPIC} {_LEAFLET_EN}",
        rf"(?:мне )?(?:нужна|нужен|нужно|нужны|хочу|хотел[аи]? бы|дайте|дай|пришли|пришлите"
        rf"|можно|покажи|покажите|сделай|сделайте)(?: мне)? (?:памятк\w*|брошюр\w*"
        rf"|листовк\w*) (?:про|о|об|по|насчет|на тему) {_TOPIC}",
        rf"памятк\w* (?:про|о|об|по|на тему) {_TOPIC}",
        rf"(?:我?(?:想要|需要|要|想)|給我|给我|請給我|请给我)(?:一份|一張|一些|看)?"
        rf"(?:關於|关于|有關|有关)?{_TOPIC}的?(?:衛教|卫教)(?:單張|单张|資料|资料|單|单|傳單|内容|內容)?",
        rf"(?:衛教|卫教)(?:單張|资料|資料)?[:：]?\s*{_TOPIC}",
        rf"{_TOPIC}的?(?:衛教|卫教)(?:單張|資料|资料)?",
    ),
    browsing=words(
        Request.EDUCATION,
        rf"(?:please )?(?:tell|teach|inform) me(?: more)? about {_TOPIC}",
        rf"(?:can|could) you (?:tell|teach) me(?: more)? about {_TOPIC}",
        rf"(?:i )?(?:want|would like|'d like|need) to (?:learn|know|read)(?: more)? about {_TOPIC}",
        rf"(?:information|info) (?:about|on) {_TOPIC}",
        rf"(?:i )?(?:need|want) (?:some )?(?:information|info) (?:about|on) {_TOPIC}",
        rf"what(?: is|'s| are) (?:an? )?{_TOPIC}",
        rf"(?:расскажи|расскажите|объясни|объясните)(?: мне)?(?: (?:про|о|об)|, что такое|"
        rf" что такое) {_TOPIC}",
        rf"(?:я )?хочу (?:узнать|почитать|знать)(?: больше)? (?:про|о|об) {_TOPIC}",
        rf"(?:информаци\w*) (?:про|о|об) {_TOPIC}",
        rf"что такое {_TOPIC}",
        rf"我?(?:想|要|想要)(?:了解|知道|認識|认识|學|学|查|看)(?:一下)?(?:關於|关于|有關|有关)?{_TOPIC}",
        rf"(?:什麼是|什么是){_TOPIC}",
        rf"{_TOPIC}是(?:什麼|什么)",
    ),
    elsewhere=words(
        Request.EDUCATION,
        r"(?:health |patient )?education|(?:a )?leaflet|(?:i want |i need )?(?:a )?leaflet",
        r"памятка|памятки|памятку|брошюра",
        phrases(("衛教", "卫教", "衛教單張", "健康教育", "衛教資料", "衛教單")),
    ),
)

TRANSLATION_REQUEST: Final = RequestWords(
    anywhere=words(
        Request.TRANSLATION,
        rf"(?:(?:help me|can you|could you) )?translate(?: for me)?(?: please)?"
        rf"(?: (?:in)?to {_LANG})?",
        r"(?:i )?(?:need|want) (?:an? )?(?:interpreter|translator|translation)"
        r"|(?:medical )?translation|interpreter",
        rf"(?:переведи|переведите|перевести|перевод)(?: мне)?(?: на {_LANG})?"
        r"|(?:мне )?(?:нужен|нужна) (?:переводчик|перевод)|переводчик|помоги(?:те)? перевести",
        rf"(?:幫我|帮我|請幫我|我需要|我要|需要)?(?:翻譯|翻译|口譯|口译|醫療翻譯|医疗翻译)"
        rf"(?:成|為|为|到)?{_CJK_LANG}?",
        rf"(?:翻|譯|译)(?:成|為|为|到){_CJK_LANG}",
    ),
    browsing=words(Request.TRANSLATION, r"(?!)"),
    elsewhere=words(Request.TRANSLATION, r"(?!)"),
)

MEDICATION_REQUEST: Final = RequestWords(
    anywhere=words(Request.MEDICATION, r"(?!)"),
    browsing=words(
        Request.MEDICATION,
        r"(?:my )?(?:medicines?|medications?|meds|pills)",
        r"(?:мои )?(?:лекарства|таблетки|препараты)",
        phrases(("我的藥", "我的用藥", "我的药", "藥物", "用藥", "用药", "吃藥", "吃药")),
    ),
    elsewhere=words(
        Request.MEDICATION,
        r"remind me to take (?:my )?(?:pills?|medicines?|medications?|meds|tablets?)"
        r"|(?:medication|medicine|pill) reminders?|(?:set up )?(?:a )?reminders?"
        r"|medication mode",
        r"напомина\w*|напомни(?:те)?(?: мне)? (?:принимать|принять|пить|выпить)"
        r" (?:таблетки|лекарства?)|при[её]м лекарств",
        phrases(("用藥提醒", "用药提醒", "吃藥提醒", "吃药提醒", "提醒我吃藥", "提醒我吃药",
                 "服藥提醒", "服药提醒", "藥物提醒", "提醒吃藥")),
    ),
)
# The report for the doctor: in every mode but a translation conversation (where "a
# report for my doctor" may be said to the clinician).
_DOCTOR_EN: Final = r"(?:my |the |a )?(?:doctor|gp|physician|clinic|appointment|nurse)"
REPORT_REQUEST: Final = RequestWords(
    anywhere=words(Request.REPORT, r"(?!)"),
    browsing=words(Request.REPORT, r"(?!)"),
    elsewhere=words(
        Request.REPORT,
        rf"(?:(?:{_WANT_EN}) )?(?:a |an |the |my )?(?:pdf |medication |medicine |adherence )?"
        rf"report (?:for|to (?:show|give)|to bring to) {_DOCTOR_EN}"
        rf"|(?:(?:{_WANT_EN}) )?(?:a |the |my )?(?:doctor'?s?|gp) (?:pdf |medication )?report"
        r"|(?:medication|adherence) report(?: pdf)?",
        r"(?:(?:сделай|сделайте|составь|составьте|подготовь|подготовьте|создай|пришли"
        r"|пришлите|покажи|дай|дайте|нужен|хочу)(?: мне)? )?отч[её]т (?:для|врачу|доктору)"
        r"(?: (?:врача|доктора|лечащего врача))?|отч[её]т (?:о|по) (?:при[её]ме )?лекарств\w*",
        r"(?:幫我|帮我|請|请|我要|我想要|我需要)?(?:做|產生|产生|製作|制作|列印|印|準備|准备)?"
        r"(?:一份)?(?:給|给)?(?:醫生|醫師|医生|医师)(?:看)?的?(?:用藥|服藥|用药|服药)?(?:報告|报告)"
        r"|(?:用藥|服藥|用药|服药)(?:報告|报告)",
    ),
)
REQUESTS: Final = (EDUCATION_REQUEST, TRANSLATION_REQUEST, MEDICATION_REQUEST, REPORT_REQUEST)

# Words that end a topic without being part of it ("diabetes please", "糖尿病的").
TOPIC_TRIM: Final = re.compile(
    r"^(?:the |an? |about |на тему |關於|关于|有關|有关)+|(?:[\s,]+(?:please|пожалуйста)"
    r"|的|嗎|吗|呢|吧)+$")

# Greetings and thanks with nothing else (the parser knows most; these are the rest).
GREETING: Final = words(
    "greeting",
    r"(?:hi|hello|hey)(?: there)?|good (?:morning|afternoon|evening)"
    r"|(?:thanks?|thank you|thx|ty)(?: (?:so|very) much| a lot| again)?",
    r"привет|здравствуй(?:те)?|добрый (?:день|вечер)|доброе утро"
    r"|спасибо(?: (?:большое|огромное))?|благодарю",
    phrases(("你好", "您好", "哈囉", "嗨", "早安", "午安", "晚安", "謝謝", "谢谢", "感謝",
             "感谢", "多謝", "謝啦", "謝謝你", "谢谢你", "非常感謝")),
)
