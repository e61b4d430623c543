"""The red-flag lexicon: emergencies in zh-TW, en and ru are flagged; harmless mentions
of the same words (negations, topics, past history, look-alikes) are not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.red_flags import RedFlag, red_flags
from tests.unit.red_flag_cases import HARMLESS, POSITIVES


@pytest.mark.parametrize(("text", "flags"), POSITIVES)
def test_an_emergency_is_flagged(text: str, flags: set[RedFlag]) -> None:
    assert red_flags(text) == flags


@pytest.mark.parametrize("text", HARMLESS)
def test_a_harmless_mention_is_not(text: str) -> None:
    assert red_flags(text) == frozenset()


def test_every_flag_has_positives_in_every_language() -> None:
    def lang(text: str) -> str:
        if any("\u3400" <= c <= "\u9fff" for c in text):
            return "zh"
        return "ru" if any("а" <= c <= "я" for c in text.casefold()) else "en"

    seen = {(flag, lang(text)) for text, flags in POSITIVES for flag in flags}
    assert seen == {(flag, lang) for flag in RedFlag for lang in ("en", "ru", "zh")}


def test_the_translation_example_of_the_issue() -> None:
    assert red_flags("醫生，我從昨天開始胸口很痛，呼吸也很喘") == {RedFlag.CHEST_PAIN,
                                                                 RedFlag.BREATHING}


def test_simplified_and_full_width_forms_are_read_too() -> None:
    assert red_flags("我胸口很疼，呼吸困难") == {RedFlag.CHEST_PAIN, RedFlag.BREATHING}
    assert red_flags("Ｉ ＣＡＮ'Ｔ ＢＲＥＡＴＨＥ") == {RedFlag.BREATHING}
    assert red_flags("I can’t breathe") == {RedFlag.BREATHING}  # a typographic apostrophe
    assert red_flags("Мне плохо, я задыхаюсь!!!") == {RedFlag.BREATHING}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_read(text: str) -> None:
    assert red_flags(text) <= set(RedFlag)
