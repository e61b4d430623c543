import pytest

from shared.domain.speech_text import MAX_SPOKEN_WEIGHT, clean_for_speech, spoken_text


def test_markdown_and_links_are_not_read_aloud():
    text = ("# Flu\n\n**Rest** and *drink* water.\n- Wash hands\n1. See a doctor\n"
            "[WHO](https://who.int/flu) says so: https://example.org/x")
    assert clean_for_speech(text) == (
        "Flu\nRest and drink water.\nWash hands\nSee a doctor\nWHO says so:")


def test_short_text_is_spoken_whole():
    result = spoken_text("Drink water.")
    assert result.text == "Drink water." and not result.truncated


def test_long_text_is_cut_at_a_sentence_end_within_the_budget():
    result = spoken_text("Rest well today. " * 400)
    assert result.truncated
    assert len(result.text) <= MAX_SPOKEN_WEIGHT
    assert result.text.endswith(".")
    assert len(result.text) > MAX_SPOKEN_WEIGHT * 2 // 3


def test_chinese_characters_weigh_double():
    result = spoken_text("多喝水，好好休息。" * 400)
    assert result.truncated
    assert len(result.text) <= MAX_SPOKEN_WEIGHT // 2
    assert result.text.endswith("。")


def test_text_without_sentence_ends_is_cut_at_the_budget():
    result = spoken_text("a" * 50, budget=10)
    assert result.text == "a" * 10 and result.truncated


def test_budget_must_be_positive():
    with pytest.raises(ValueError):
        spoken_text("x", budget=0)


def test_the_plain_leaflet_form_is_read_without_its_marks():
    text = "糖尿病\n\n■ 概述\n血糖偏高。\n\n■ 重點\n• 少吃甜食\n  ◦ 少喝含糖飲料\n1. 規律運動"
    assert clean_for_speech(text) == \
        "糖尿病\n概述\n血糖偏高。\n重點\n少吃甜食\n少喝含糖飲料\n規律運動"
