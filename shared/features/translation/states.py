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
