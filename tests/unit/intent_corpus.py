"""Labelled typed messages for the intent reader (shared/domain/reading), development set.

Written as patients type them, in zh-TW, en and ru, before the reader was written. Each
case is (screen, text, expected):

* screen: what the conversation shows when the message arrives (SCREENS below): the mode,
  the object under the latest answer (a leaflet, a translation, a pending reminder) and
  the question asked, if any;
* expected: "layer:name", "layer:name=argument" or "free" (the mode's free text):
  - global: start (argument = a deep-link payload), menu, help, language, language.set
    (= UI language), delete, cancel, unknown_command;
  - medication: the parser's kind (add, delete, list, done, ...) for a command
    shared.medication.parse_command reads, "taken" for a bare "I took it", a trailing
    "?" when the dialog must ask whether the text was meant for the medicines (a command
    typed inside a translation conversation);
  - action: leaflet.translate (= target), leaflet.read, leaflet.email (= address),
    leaflet.handout, leaflet.modify (= the change asked for), leaflet.original,
    translation.read, translation.switch, translation.new, translation.continue,
    reminder.taken, reminder.snooze, reminder.skip;
  - request: education (= topic), translation (= target), medication;
  - greeting: hello / thanks outside translation and medication (no model call).
  Arguments compare case-insensitively; "" means none.

Conventions: a whole message is a command, never a word inside a sentence; a language
name answers a question about a language, otherwise it switches the UI language; what
is said in a translation conversation is translated unless it is a command, an action on
the translation or an explicit request for a leaflet; a medication command there is
asked about, never carried out silently.

The held-out set (intent_heldout.py) was written at the same time and is scored apart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from shared.domain.reading import Mode, Question, Screen, Showing, read_text
from shared.medication import parse_command

KNOWN_MEDICINES = ("aspirin", "metformin", "аспирин", "метформин", "阿斯匹靈", "普拿疼")


class Case(NamedTuple):
    screen: str
    text: str
    expected: str


# screen -> (mode, on screen, question asked)
SCREENS: dict[str, tuple[str, str, str]] = {
    "menu": ("menu", "", ""),
    "edu": ("education", "", ""),  # education mode, asking for a topic
    "leaf": ("education", "leaflet", ""),  # a leaflet was just shown
    "email": ("education", "leaflet", "email"),  # asked for an e-mail address
    "leaflang": ("education", "leaflet", "language"),  # asked for a target language
    "modify": ("education", "leaflet", "text"),  # asked what to change
    "tr": ("translation", "translation", ""),  # a translation was just shown
    "trlang": ("translation", "", "language"),  # asked for the target language
    "med": ("medication", "", ""),
    "medq": ("medication", "", "text"),  # a medication question (which time? ...)
    "rem": ("menu", "reminder", ""),  # a reminder waits for an answer
    "edurem": ("education", "reminder", ""),
}

CASES: list[Case] = [
    # ------------------------------------------------------------------ global, en
    Case("menu", "menu", "global:menu"),
    Case("leaf", "Menu", "global:menu"),
    Case("tr", "main menu", "global:menu"),
    Case("email", "back to menu", "global:menu"),
    Case("menu", "/menu", "global:menu"),
    Case("tr", "/menu@medbot_local_bot", "global:menu"),
    Case("menu", "help", "global:help"),
    Case("med", "/help@MedBot", "global:help"),
    Case("edu", "what can you do?", "global:help"),
    Case("menu", "/start", "global:start"),
    Case("menu", "/start invite_4f9a2c", "global:start=invite_4f9a2c"),
    Case("tr", "/start@medbot_local_bot", "global:start"),
    Case("menu", "language", "global:language"),
    Case("tr", "change language", "global:language"),
    Case("menu", "English", "global:language.set=en"),
    Case("med", "switch to English", "global:language.set=en"),
    Case("leaf", "Russian please", "global:language.set=ru"),
    Case("menu", "delete my data", "global:delete"),
    Case("med", "/delete@medbot_local_bot", "global:delete"),
    Case("leaf", "please delete all my data", "global:delete"),
    Case("email", "cancel", "global:cancel"),
    Case("email", "I changed my mind", "global:cancel"),
    Case("modify", "never mind", "global:cancel"),
    Case("medq", "forget it", "global:cancel"),
    Case("trlang", "/cancel", "global:cancel"),
    Case("menu", "/settings", "global:unknown_command"),
    # ------------------------------------------------------------------ global, ru
    Case("menu", "меню", "global:menu"),
    Case("tr", "Главное меню", "global:menu"),
    Case("edu", "помощь", "global:help"),
    Case("menu", "что ты умеешь?", "global:help"),
    Case("menu", "язык", "global:language"),
    Case("menu", "сменить язык", "global:language"),
    Case("menu", "русский", "global:language.set=ru"),
    Case("leaf", "по-русски, пожалуйста", "global:language.set=ru"),
    Case("med", "на английском", "global:language.set=en"),
    Case("menu", "удалить мои данные", "global:delete"),
    Case("med", "удали все мои данные", "global:delete"),
    Case("email", "отмена", "global:cancel"),
    Case("medq", "отменить", "global:cancel"),
    Case("modify", "передумал", "global:cancel"),
    Case("email", "не надо", "global:cancel"),
    Case("menu", "начать", "global:start"),
    # ------------------------------------------------------------------ global, zh-TW
    Case("menu", "選單", "global:menu"),
    Case("tr", "主選單", "global:menu"),
    Case("leaf", "回選單", "global:menu"),
    Case("menu", "說明", "global:help"),
    Case("med", "幫助", "global:help"),
    Case("menu", "你可以做什麼？", "global:help"),
    Case("menu", "語言", "global:language"),
    Case("tr", "切換語言", "global:language"),
    Case("menu", "中文", "global:language.set=zh-TW"),
    Case("leaf", "請用中文", "global:language.set=zh-TW"),
    Case("menu", "繁體中文", "global:language.set=zh-TW"),
    Case("menu", "刪除我的資料", "global:delete"),
    Case("email", "取消", "global:cancel"),
    Case("medq", "算了", "global:cancel"),
    Case("modify", "不用了", "global:cancel"),
    Case("menu", "開始", "global:start"),
    # -------------------------------------- language names answer a language question
    Case("trlang", "English", "free"),
    Case("trlang", "русский", "free"),
    Case("leaflang", "越南語", "free"),
    Case("leaflang", "英文", "free"),
    Case("trlang", "中文", "free"),
    # ------------------------------------------------------ medication commands, any mode
    Case("menu", "add metformin 500 mg at 08:00", "medication:add"),
    Case("edu", "add aspirin 100 mg at 9am", "medication:add"),
    Case("leaf", "delete aspirin", "medication:delete"),
    Case("menu", "добавь аспирин 100 мг в 9:00", "medication:add"),
    Case("edu", "удали метформин", "medication:delete"),
    Case("menu", "新增 阿斯匹靈 早上8點", "medication:add"),
    Case("leaf", "刪除普拿疼", "medication:delete"),
    Case("menu", "清單", "medication:list"),
    Case("edu", "what medicines do I take?", "medication:list"),
    Case("menu", "какие лекарства я принимаю?", "medication:list"),
    Case("med", "add aspirin at 10", "medication:add"),
    Case("med", "перенеси аспирин на 21:30", "medication:time_change"),
    Case("med", "阿斯匹靈改到晚上9點", "medication:time_change"),
    Case("med", "hi", "medication:unknown"),
    Case("med", "спасибо", "medication:unknown"),
    Case("menu", "I took aspirin", "medication:done"),
    Case("edu", "принял аспирин", "medication:done"),
    Case("menu", "change timezone to Berlin", "medication:timezone_change"),
    # a medication command inside a translation conversation: ask, never act
    Case("tr", "I take aspirin 100 mg at 9:00", "medication:add?"),
    Case("tr", "我早上8點吃阿斯匹靈", "medication:add?"),
    Case("tr", "what medicines do I take?", "medication:list?"),
    # ------------------------------------------------------------------ taken without a reminder
    Case("edu", "Принял", "medication:taken"),
    Case("menu", "I took my pills", "medication:taken"),
    Case("leaf", "吃藥了", "medication:taken"),
    Case("med", "took it", "medication:taken"),
    # ------------------------------------------------------------------ reminder on screen
    Case("rem", "taken", "action:reminder.taken"),
    Case("rem", "I took it", "action:reminder.taken"),
    Case("edurem", "Принял", "action:reminder.taken"),
    Case("rem", "приняла", "action:reminder.taken"),
    Case("rem", "吃了", "action:reminder.taken"),
    Case("rem", "已服用", "action:reminder.taken"),
    Case("rem", "remind me later", "action:reminder.snooze"),
    Case("rem", "напомни позже", "action:reminder.snooze"),
    Case("rem", "晚點提醒我", "action:reminder.snooze"),
    Case("rem", "skip", "action:reminder.skip"),
    Case("rem", "пропустить", "action:reminder.skip"),
    Case("rem", "這次跳過", "action:reminder.skip"),
    # ------------------------------------------------------------------ leaflet actions
    Case("leaf", "translate", "action:leaflet.translate="),
    Case("leaf", "translate it into Vietnamese", "action:leaflet.translate=vi"),
    Case("leaf", "翻譯", "action:leaflet.translate="),
    Case("leaf", "翻譯成英文", "action:leaflet.translate=en"),
    Case("leaf", "переведи", "action:leaflet.translate="),
    Case("leaf", "переведи на английский", "action:leaflet.translate=en"),
    Case("leaf", "read it aloud", "action:leaflet.read"),
    Case("leaf", "朗讀", "action:leaflet.read"),
    Case("leaf", "прочитай вслух", "action:leaflet.read"),
    Case("leaf", "озвучь", "action:leaflet.read"),
    Case("leaf", "email it to me", "action:leaflet.email="),
    Case("leaf", "e-mail", "action:leaflet.email="),
    Case("leaf", "send it to anna.lee@example.org", "action:leaflet.email=anna.lee@example.org"),
    Case("leaf", "寄送", "action:leaflet.email="),
    Case("leaf", "寄到 wang@example.com", "action:leaflet.email=wang@example.com"),
    Case("leaf", "отправь на почту", "action:leaflet.email="),
    Case("leaf", "printable version", "action:leaflet.handout"),
    Case("leaf", "列印版", "action:leaflet.handout"),
    Case("leaf", "распечатать", "action:leaflet.handout"),
    Case("leaf", "PDF", "action:leaflet.handout"),
    Case("leaf", "修改", "action:leaflet.modify="),
    Case("leaf", "modify", "action:leaflet.modify="),
    Case("leaf", "make it shorter", "action:leaflet.modify=make it shorter"),
    Case("leaf", "измени", "action:leaflet.modify="),
    Case("leaf", "show the original", "action:leaflet.original"),
    Case("leaf", "原文", "action:leaflet.original"),
    # the same words without a leaflet on screen
    Case("edu", "翻譯", "request:translation="),
    Case("menu", "translate", "request:translation="),
    Case("menu", "переведи", "request:translation="),
    # ------------------------------------------------------------------ translation actions
    Case("tr", "read aloud", "action:translation.read"),
    Case("tr", "朗讀", "action:translation.read"),
    Case("tr", "озвучь", "action:translation.read"),
    Case("tr", "switch direction", "action:translation.switch"),
    Case("tr", "換對方說", "action:translation.switch"),
    Case("tr", "поменять направление", "action:translation.switch"),
    Case("tr", "new conversation", "action:translation.new"),
    Case("tr", "新對話", "action:translation.new"),
    Case("tr", "новый разговор", "action:translation.new"),
    # ------------------------------------------------------------------ mode requests
    Case("menu", "I need a leaflet about diabetes", "request:education=diabetes"),
    Case("tr", "I need a leaflet about diabetes", "request:education=diabetes"),
    Case("med", "can I have a leaflet on high blood pressure?",
         "request:education=high blood pressure"),
    Case("menu", "tell me about asthma", "request:education=asthma"),
    Case("leaf", "I want to learn about gout", "request:education=gout"),
    Case("menu", "мне нужна памятка про астму", "request:education=астму"),
    Case("med", "дайте памятку о гипертонии", "request:education=гипертонии"),
    Case("menu", "расскажи про диабет", "request:education=диабет"),
    Case("menu", "我想了解糖尿病", "request:education=糖尿病"),
    Case("tr", "給我高血壓的衛教", "request:education=高血壓"),
    Case("menu", "衛教 痛風", "request:education=痛風"),
    Case("menu", "health education", "request:education="),
    Case("menu", "衛教", "request:education="),
    Case("menu", "памятка", "request:education="),
    Case("menu", "translate for me", "request:translation="),
    Case("menu", "I need an interpreter", "request:translation="),
    Case("med", "translate to Vietnamese", "request:translation=vi"),
    Case("menu", "翻譯成越南語", "request:translation=vi"),
    Case("menu", "нужен переводчик", "request:translation="),
    Case("menu", "remind me to take my pills", "request:medication"),
    # The parser reads "my medications" as "list" (layer 2 before layer 4): relabelled
    # from request:medication after the first run.
    Case("edu", "my medications", "medication:list"),
    Case("menu", "напомни принимать таблетки", "request:medication"),
    Case("menu", "用藥提醒", "request:medication"),
    Case("leaf", "提醒我吃藥", "request:medication"),
    Case("menu", "what is diabetes?", "request:education=diabetes"),
    Case("menu", "что такое подагра?", "request:education=подагра"),
    Case("menu", "什麼是痛風？", "request:education=痛風"),
    # ------------------------------------------------------------------ greetings
    Case("menu", "hello", "greeting"),
    Case("edu", "thanks!", "greeting"),
    Case("leaf", "спасибо", "greeting"),
    Case("edu", "謝謝", "greeting"),
    Case("tr", "thank you", "free"),
    Case("tr", "謝謝醫生", "free"),
    # ------------------------------------------------------------------ the mode's free text
    Case("edu", "diabetes", "free"),
    Case("edu", "астма", "free"),
    Case("edu", "高血壓", "free"),
    Case("edu", "knee pain after running", "free"),
    Case("tr", "醫生，我從昨天開始胸口很痛，呼吸也很喘", "free"),
    Case("tr", "I have had a headache for three days", "free"),
    Case("tr", "у меня болит живот после еды", "free"),
    Case("tr", "what is the dose for children?", "free"),
    Case("tr", "the doctor needs help", "free"),
    Case("tr", "can you tell me about the side effects?", "free"),
    Case("email", "anna@example.org", "free"),
    Case("email", "my address is bob@example.com", "free"),
    Case("modify", "add a section about diet", "free"),
    Case("modify", "сделай проще", "free"),
    Case("medq", "08:30", "free"),
    Case("medq", "Europe/Moscow", "free"),
    Case("menu", "ok", "free"),
    Case("menu", "asdfgh", "free"),
    Case("med", "aspirin", "free"),
    Case("trlang", "越南語", "free"),
    Case("leaf", "what does HbA1c mean in this leaflet?", "free"),
    Case("edu", "cancel my appointment tips", "free"),
    Case("tr", "help me, I cannot breathe", "free"),
    Case("tr", "меню в больнице", "free"),
    Case("edu", "стоп-сигналы при инсульте", "free"),
    Case("menu", "ничего", "free"),
]


# --------------------------------------------------------------------------- scoring
def screen_of(code: str) -> Screen:
    mode, showing, question = SCREENS[code]
    reminder = showing == "reminder"
    return Screen(Mode(mode), Showing("" if reminder else showing), Question(question),
                  reminder_waiting=reminder, medicines=KNOWN_MEDICINES)


def language_of(text: str) -> str:
    if re.search(r"[\u3400-\u9fff]", text):
        return "zh-TW"
    return "ru" if re.search(r"[а-яё]", text.casefold()) else "en"


@dataclass
class Score:
    """routed: messages the reader gave a reading other than the mode's free text;
    labelled: messages labelled with one. precision = right / routed (a wrong route is
    the harmful error); coverage = right / labelled; free_kept = the mode's free text
    left to the mode / labelled free."""

    routed: int = 0
    right: int = 0
    labelled: int = 0
    free: int = 0
    free_kept: int = 0
    wrong: list[tuple[Case, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / self.routed if self.routed else 1.0

    @property
    def coverage(self) -> float:
        return self.right / self.labelled if self.labelled else 1.0


def evaluate(cases: Sequence[Case]) -> Score:
    score = Score()
    for case in cases:
        got = read_text(case.text, screen_of(case.screen), parse_command).label
        same = got.casefold() == case.expected.casefold()
        if case.expected == "free":
            score.free += 1
            score.free_kept += same
        else:
            score.labelled += 1
            score.right += same
        if got != "free":
            score.routed += 1
        if not same:
            score.wrong.append((case, got))
    return score
