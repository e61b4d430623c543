"""The conversation state machine, declared as data.

`read_intent` turns an inbound event into an Intent; TRANSITIONS maps
(state, intent) to the name of the handler that answers and the state that follows.
A state-specific row wins over the ANY row. Handlers live in services/dialog.py.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from shared.domain.events import InboundEvent


class State(StrEnum):
    MENU = "menu"
    EDUCATION = "education"
    TRANSLATION_LANGUAGE = "translation.language"
    TRANSLATION = "translation"  # the user speaks: source -> target
    TRANSLATION_REPLY = "translation.reply"  # the other person answers: target -> source
    MEDICATION = "medication"
    # Education: after a leaflet, waiting for what to change / the target language /
    # the e-mail address (services/education_dialog.py).
    EDUCATION_MODIFY = "education.modify"
    EDUCATION_TRANSLATE = "education.translate"
    EDUCATION_EMAIL = "education.email"


class Intent(StrEnum):
    START = "start"
    MENU = "menu"
    HELP = "help"
    LANGUAGE_ASK = "language.ask"
    LANGUAGE_SET = "language.set"
    DELETE_ASK = "delete.ask"
    DELETE_CONFIRM = "delete.confirm"
    DELETE_CANCEL = "delete.cancel"
    MODE_EDUCATION = "mode.education"
    MODE_TRANSLATION = "mode.translation"
    MODE_MEDICATION = "mode.medication"
    TOPIC = "topic"
    TARGET_LANGUAGE = "target.language"
    RETRY = "retry"
    TEXT = "text"
    AUDIO = "audio"
    EMPTY = "empty"
    UNKNOWN_BUTTON = "unknown.button"
    IGNORE = "ignore"
    MEDICATION_BUTTON = "medication.button"
    REMINDER_TAKEN = "reminder.taken"
    REMINDER_SNOOZE = "reminder.snooze"
    REMINDER_SKIP = "reminder.skip"
    READ_ALOUD = "read.aloud"
    TRANSLATION_CONTINUE = "translation.continue"
    TRANSLATION_SWITCH = "translation.switch"
    TRANSLATION_NEW = "translation.new"
    LEAFLET_MODIFY = "leaflet.modify"
    LEAFLET_TRANSLATE_ASK = "leaflet.translate.ask"
    LEAFLET_TRANSLATE = "leaflet.translate"
    LEAFLET_ORIGINAL = "leaflet.original"
    LEAFLET_EMAIL = "leaflet.email"
    LEAFLET_HANDOUT = "leaflet.handout"


ANY: Final = "*"
SAME: Final = None  # stay in the current state


@dataclass(frozen=True)
class Step:
    handler: str
    next_state: State | None = SAME


TRANSITIONS: Final[dict[tuple[str, Intent], Step]] = {
    # Anywhere
    (ANY, Intent.START): Step("welcome", State.MENU),
    (ANY, Intent.MENU): Step("show_menu", State.MENU),
    (ANY, Intent.HELP): Step("show_help"),
    (ANY, Intent.LANGUAGE_ASK): Step("ask_language"),
    (ANY, Intent.LANGUAGE_SET): Step("set_language", State.MENU),
    (ANY, Intent.DELETE_ASK): Step("ask_delete"),
    (ANY, Intent.DELETE_CONFIRM): Step("delete_data", State.MENU),
    (ANY, Intent.DELETE_CANCEL): Step("keep_data"),
    (ANY, Intent.MODE_EDUCATION): Step("enter_education", State.EDUCATION),
    (ANY, Intent.MODE_TRANSLATION): Step("new_translation", State.TRANSLATION_LANGUAGE),
    (ANY, Intent.MODE_MEDICATION): Step("enter_medication", State.MEDICATION),
    (ANY, Intent.TOPIC): Step("request_leaflet", State.EDUCATION),
    (ANY, Intent.TARGET_LANGUAGE): Step("set_target_language", State.TRANSLATION),
    (ANY, Intent.RETRY): Step("retry_job"),
    (ANY, Intent.TEXT): Step("not_understood"),
    (ANY, Intent.AUDIO): Step("unsupported_media"),
    (ANY, Intent.EMPTY): Step("empty_message"),
    (ANY, Intent.UNKNOWN_BUTTON): Step("not_understood"),
    (ANY, Intent.IGNORE): Step("ignore"),
    (ANY, Intent.MEDICATION_BUTTON): Step("medication_button", State.MEDICATION),
    (ANY, Intent.REMINDER_TAKEN): Step("reminder_taken"),
    (ANY, Intent.REMINDER_SNOOZE): Step("reminder_snooze"),
    (ANY, Intent.REMINDER_SKIP): Step("reminder_skip"),
    (ANY, Intent.READ_ALOUD): Step("read_aloud"),  # services/speech.py
    # Medical translation (services/medchat_dialog.py): the buttons under a translation
    (ANY, Intent.TRANSLATION_CONTINUE): Step("continue_translation"),
    (ANY, Intent.TRANSLATION_SWITCH): Step("switch_direction", State.TRANSLATION_REPLY),
    (State.TRANSLATION_REPLY, Intent.TRANSLATION_SWITCH): Step("switch_direction",
                                                              State.TRANSLATION),
    (ANY, Intent.TRANSLATION_NEW): Step("new_translation", State.TRANSLATION_LANGUAGE),
    (State.TRANSLATION, Intent.AUDIO): Step("translate_voice"),
    (State.TRANSLATION_REPLY, Intent.AUDIO): Step("translate_voice"),
    # Leaflet actions (buttons under a leaflet)
    (ANY, Intent.LEAFLET_MODIFY): Step("ask_leaflet_change", State.EDUCATION_MODIFY),
    (ANY, Intent.LEAFLET_TRANSLATE_ASK): Step("ask_leaflet_language", State.EDUCATION_TRANSLATE),
    (ANY, Intent.LEAFLET_TRANSLATE): Step("translate_leaflet", State.EDUCATION),
    (ANY, Intent.LEAFLET_ORIGINAL): Step("show_leaflet_original", State.EDUCATION),
    (ANY, Intent.LEAFLET_EMAIL): Step("ask_email_address", State.EDUCATION_EMAIL),
    (ANY, Intent.LEAFLET_HANDOUT): Step("request_handout", State.EDUCATION),
    # Free text means something different in each mode
    (State.MENU, Intent.TEXT): Step("show_menu"),
    (State.EDUCATION, Intent.TEXT): Step("request_leaflet"),
    (State.EDUCATION_MODIFY, Intent.TEXT): Step("modify_leaflet", State.EDUCATION),
    (State.EDUCATION_TRANSLATE, Intent.TEXT): Step("translate_leaflet", State.EDUCATION),
    (State.EDUCATION_EMAIL, Intent.TEXT): Step("email_leaflet", State.EDUCATION),
    (State.TRANSLATION_LANGUAGE, Intent.TEXT): Step("set_target_language", State.TRANSLATION),
    (State.TRANSLATION, Intent.TEXT): Step("request_translation"),
    (State.TRANSLATION_REPLY, Intent.TEXT): Step("request_translation"),
    (State.MEDICATION, Intent.TEXT): Step("medication_command"),
    # "help" in medication mode explains the medication commands.
    (State.MEDICATION, Intent.HELP): Step("medication_help"),
}


def step_for(state: str, intent: Intent) -> Step:
    return TRANSITIONS.get((state, intent)) or TRANSITIONS[(ANY, intent)]


# Typed commands, in every UI language, that work in any state.
COMMAND_WORDS: Final[dict[str, Intent]] = {
    **dict.fromkeys(("help", "/help", "?", "說明", "幫助", "помощь", "справка"), Intent.HELP),
    **dict.fromkeys(("new", "/start", "/new", "restart", "開始", "重新開始", "новый", "начать"),
                    Intent.START),
    **dict.fromkeys(("menu", "/menu", "選單", "меню"), Intent.MENU),
    **dict.fromkeys(("language", "/language", "語言", "язык"), Intent.LANGUAGE_ASK),
    **dict.fromkeys(("delete my data", "/delete", "刪除我的資料", "删除我的资料",
                     "удалить мои данные"), Intent.DELETE_ASK),
}

# Button data is "verb" or "verb:argument" (<= 64 bytes, Telegram's limit).
BUTTON_VERBS: Final[dict[str, Intent]] = {
    "menu": Intent.MENU,
    "help": Intent.HELP,
    "lang": Intent.LANGUAGE_SET,
    "language": Intent.LANGUAGE_ASK,
    "del": Intent.DELETE_CONFIRM,
    "keep": Intent.DELETE_CANCEL,
    "topic": Intent.TOPIC,
    "tr": Intent.TARGET_LANGUAGE,
    "retry": Intent.RETRY,
    "med": Intent.MEDICATION_BUTTON,  # med:<action>:<argument> (services/medication.py)
    "rt": Intent.REMINDER_TAKEN,  # rt:<reminder id>
    "rz": Intent.REMINDER_SNOOZE,
    "rk": Intent.REMINDER_SKIP,
    "tts": Intent.READ_ALOUD,  # tts:<leaflet|translation>[:<document id>]
    "tcont": Intent.TRANSLATION_CONTINUE,
    "tswap": Intent.TRANSLATION_SWITCH,
    "tnew": Intent.TRANSLATION_NEW,
    "lfmod": Intent.LEAFLET_MODIFY,  # leaflet actions (services/education_dialog.py)
    "lftr": Intent.LEAFLET_TRANSLATE_ASK,
    "lfto": Intent.LEAFLET_TRANSLATE,  # lfto:<target language code>
    "lforig": Intent.LEAFLET_ORIGINAL,
    "lfmail": Intent.LEAFLET_EMAIL,
    "lfpdf": Intent.LEAFLET_HANDOUT,
}
MODE_BUTTONS: Final[dict[str, Intent]] = {
    "mode:edu": Intent.MODE_EDUCATION,
    "mode:tr": Intent.MODE_TRANSLATION,
    "mode:med": Intent.MODE_MEDICATION,
}


def normalize(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def read_intent(event: InboundEvent) -> tuple[Intent, str]:
    """The intent of an event and its argument (button argument or the typed text)."""
    if event.kind == "follow":
        return Intent.START, ""
    if event.kind == "unfollow":
        return Intent.IGNORE, ""
    if event.kind == "audio":
        return Intent.AUDIO, event.media_id or ""
    if event.kind == "postback":
        data = event.data or ""
        if data in MODE_BUTTONS:
            return MODE_BUTTONS[data], ""
        verb, _, argument = data.partition(":")
        return BUTTON_VERBS.get(verb, Intent.UNKNOWN_BUTTON), argument
    text = (event.text or "").strip()
    if not text:
        return Intent.EMPTY, ""
    return COMMAND_WORDS.get(normalize(text), Intent.TEXT), text
