"""The translation feature's states and intents (its part of the conversation)."""

from __future__ import annotations

from enum import StrEnum


class TranslationState(StrEnum):
    LANGUAGE = "translation.language"  # choosing the other person's language
    SPEAKING = "translation"  # the user speaks: source -> target
    REPLY = "translation.reply"  # the other person answers: target -> source


class TranslationIntent(StrEnum):
    MODE = "mode.translation"
    TARGET_LANGUAGE = "target.language"
    CONTINUE = "translation.continue"
    SWITCH = "translation.switch"
    NEW = "translation.new"
    # A medication command typed inside a conversation: ask (my schedule, or translate
    # it for the clinician?) before doing either; "asktr" is "translate it".
    ASK_FIRST = "translation.ask_first"
    TRANSLATE_ASKED = "translation.asked"
