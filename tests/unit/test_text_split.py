"""Splitting long texts for LINE (5000 UTF-16 units) and Telegram (4096)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.channels import Channel
from shared.domain.text_split import (
    is_safe_cut,
    split_for,
    split_for_line,
    split_for_telegram,
    split_text,
    truncate,
    utf16_len,
)

EMOJI = "😀"  # outside the BMP: 2 UTF-16 units
FAMILY = "👨\u200d👩\u200d👧"  # one user-perceived character, 8 UTF-16 units
FLAG_TW = "🇹🇼"


def check(text: str, limit: int, *, utf16: bool = True) -> list[str]:
    chunks = split_text(text, limit, utf16=utf16)
    measure = utf16_len if utf16 else len
    assert_covers(text, chunks)
    assert all(chunk.strip() for chunk in chunks)  # never empty or whitespace only
    assert all(measure(chunk) <= limit for chunk in chunks)
    return chunks


def assert_covers(text: str, chunks: list[str]) -> None:
    """The chunks are consecutive slices of text; only whitespace lies outside them."""
    position = 0
    for chunk in chunks:
        start = text.find(chunk, position)
        assert start >= 0 and not text[position:start].strip(), (position, chunk[:20])
        position = start + len(chunk)
    assert not text[position:].strip()


def test_empty_text_gives_no_chunks():
    assert split_text("", 10) == []


def test_short_text_is_one_chunk():
    assert split_text("hello", 10) == ["hello"]


def test_exact_limit_is_one_chunk_and_one_more_unit_is_two():
    assert split_text("a" * 10, 10) == ["a" * 10]
    assert check("a" * 11, 10) == ["a" * 10, "a"]


def test_line_limit_is_5000_utf16_units():
    assert split_for_line("x" * 5000) == ["x" * 5000]
    chunks = split_for_line(EMOJI * 2500 + "x")  # 5001 units
    assert [utf16_len(c) for c in chunks] == [5000, 1]


def test_a_full_chunk_then_a_paragraph_break_is_one_chunk_not_an_empty_second():
    # Issue 20: a 4096-character leaflet plus "\n\n" became [4096 chars, "\n\n"] and
    # Telegram refused the whitespace-only second message (400), again on every retry.
    leaflet = "x" * 4096 + "\n\n"
    assert split_for_telegram(leaflet) == ["x" * 4096]
    assert split_for_line("y" * 5000 + "\n \n\t") == ["y" * 5000]
    assert split_text("   \n\n ", 10) == []
    sentence = "word " * 819 + "word"  # 4099 characters: a cut at a space
    assert all(c.strip() for c in split_for_telegram(sentence + "\n\n" + " " * 5000))


def test_whitespace_between_chunks_may_be_dropped_but_nothing_else():
    text = "a" * 10 + " " * 15 + "b" * 3
    chunks = check(text, 10)
    assert "".join(chunks).replace(" ", "") == "a" * 10 + "b" * 3


def test_telegram_limit_is_4096():
    assert split_for_telegram("x" * 4096) == ["x" * 4096]
    assert [len(c) for c in split_for_telegram("x" * 4097)] == [4096, 1]
    assert split_for(Channel.TELEGRAM, "y" * 5000)[0] == "y" * 4096
    assert split_for(Channel.LINE, "y" * 5000) == ["y" * 5000]


def test_prefers_paragraph_over_line_over_sentence_over_word():
    para = "aaaa aaaa.\nbbbb bbbb.\n\ncccc cccc. dddd"
    assert check(para, 30)[0] == "aaaa aaaa.\nbbbb bbbb.\n\n"
    line = "aaaa aaaa. bbbb.\ncccc cccc. dddd"
    assert check(line, 25)[0] == "aaaa aaaa. bbbb.\n"
    sentence = "aaaa aaaa. bbbb bbbb cccc dddd"
    assert check(sentence, 16)[0] == "aaaa aaaa. "
    word = "aaaa aaaa bbbb bbbb"
    assert check(word, 12)[0] == "aaaa aaaa "


def test_a_boundary_that_would_leave_a_tiny_chunk_is_skipped():
    # The only newline is near the start: a word boundary filling the chunk wins.
    text = "Hi\n" + "word " * 10
    chunks = check(text, 20)
    assert chunks[0] == "Hi\nword word word "
    assert all(utf16_len(c) >= 10 for c in chunks[:-1])


def test_no_boundaries_hard_cut():
    text = "x" * 25
    assert check(text, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_cjk_splits_after_full_stop():
    sentence = "高血壓患者應每天測量血壓。"  # 13 characters
    text = sentence * 3
    chunks = check(text, 30)
    assert chunks[0] == sentence * 2
    assert chunks[1] == sentence


def test_cjk_without_punctuation_hard_cuts():
    text = "藥" * 12
    assert check(text, 5) == ["藥" * 5, "藥" * 5, "藥" * 2]


def test_emoji_never_split_inside_surrogate_pair():
    text = EMOJI * 7  # 14 units
    chunks = check(text, 5)
    # 5 units hold two emoji (4 units), never two and a half
    assert chunks == [EMOJI * 2, EMOJI * 2, EMOJI * 2, EMOJI]
    for chunk in chunks:
        chunk.encode("utf-16-le").decode("utf-16-le")  # no lone surrogates


def test_zwj_sequences_and_flags_stay_whole():
    text = "ab" + FAMILY + FAMILY
    for chunk in check(text, 10):
        assert not chunk.startswith("\u200d")
        assert FAMILY in chunk or FAMILY not in text[len(chunk):]
    flags = FLAG_TW * 3  # 12 units
    chunks = check(flags, 6)
    assert chunks == [FLAG_TW, FLAG_TW, FLAG_TW]


def test_combining_marks_stay_with_their_base():
    text = "e\u0301" * 5  # é as e + combining acute
    chunks = check(text, 3)
    assert all(not c.startswith("\u0301") for c in chunks)


def test_crlf_not_split():
    assert not is_safe_cut("a\r\nb", 2)
    assert is_safe_cut("a\r\nb", 3)


def test_counting_code_points():
    text = EMOJI * 6
    assert check(text, 3, utf16=False) == [EMOJI * 3, EMOJI * 3]


def test_limit_too_small():
    with pytest.raises(ValueError):
        split_text("abc", 1)


def test_truncate():
    assert truncate("short", 20) == "short"
    assert truncate("a" * 25, 20) == "a" * 19 + "…"
    assert utf16_len(truncate(EMOJI * 15, 20)) <= 20
    assert truncate(EMOJI * 15, 20) == EMOJI * 9 + "…"


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from([*"ab 。.\n\t藥", EMOJI, "\u200d", "\u0301", "🇹"]),
        max_size=300,
    ),
    limit=st.integers(min_value=2, max_value=40),
)
def test_property_nothing_lost_and_limits_hold(text: str, limit: int):
    check(text, limit)
