"""Medical translation, pure rules: who speaks which language, which buttons sit
under a translation, what the Taigi service is given (no I/O)."""

from __future__ import annotations

from typing import Final

from shared.domain.i18n import t
from shared.domain.messages import Button
from shared.features.translation.states import TranslationState

TAIGI: Final = "nan"  # Taiwanese Hokkien: speech and TLPA from NYCU iVoice

# Session fields of a translation conversation (sessions/{user}). PLACE_LANGUAGE is
# the clinician's language: where the patient is, a hint for the emergency number
# (domain/emergency.py) the plumbing reads. ASKED is a message set aside while the
# patient says whether it was for their schedule or for the clinician.
PLACE_LANGUAGE: Final = "place_language"
ASKED: Final = "asked_text"
SESSION_FIELDS: Final = ("target_language", "source_language", "translation_id",
                         "disclaimer_shown", PLACE_LANGUAGE, ASKED)


def default_source(ui_language: str, target: str) -> str:
    """The patient's language: their UI language, unless that is the target itself
    (an English UI translating into English talks with a Mandarin speaker)."""
    if ui_language != target:
        return ui_language
    return "en" if target.startswith("zh") else "zh-TW"


def direction(state: str, source: str, target: str) -> tuple[str, str]:
    """(language spoken, language to translate into) for the conversation's state:
    in translation.reply the other person answers in the target language."""
    if state == TranslationState.REPLY:
        return target, source
    return source, target


def taigi_text(spoken: str, plain: str, translation: str) -> str:
    """What iVoice is given: it reads Chinese text, so the plain Mandarin rewrite when
    the speaker wrote Chinese, else the translation (Taigi in Han characters)."""
    return plain if spoken.startswith("zh") else translation


def conversation_buttons(lang: str, read_aloud: str | None = None) -> list[Button]:
    """Under every translation; with `read_aloud` (a translation's id) the button that
    reads that translation aloud ("tts:translation:<id>": that one, not a later one)."""
    buttons = [Button(label=t(lang, "translation.button.read"),
                      data=f"tts:translation:{read_aloud}")] if read_aloud else []
    return [*buttons,
            Button(label=t(lang, "translation.button.continue"), data="tcont"),
            Button(label=t(lang, "translation.button.switch"), data="tswap"),
            Button(label=t(lang, "translation.button.new"), data="tnew"),
            Button(label=t(lang, "button.menu"), data="menu")]
