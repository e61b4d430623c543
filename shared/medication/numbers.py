"""Small number words in the three languages (hours and pill counts never exceed 24)."""

from __future__ import annotations

import re

# Word -> value. Only what people write for clock hours and pill counts.
EN_NUMBERS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip

RU_NUMBERS: dict[str, int] = {
    "один": 1, "одна": 1, "одну": 1, "одной": 1, "одного": 1, "час": 1,
    "два": 2, "две": 2, "двух": 2, "три": 3, "трех": 3, "четыре": 4, "пять": 5,
    "шесть": 6, "семь": 7, "восемь": 8, "девять": 9, "десять": 10,
    "одиннадцать": 11, "двенадцать": 12,
}  # fmt: skip

_ZH_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip

ZH_NUMERAL = "[零〇一二兩两三四五六七八九十]{1,3}"
_ZH_NUMERAL_RE = re.compile(f"^{ZH_NUMERAL}$")


def zh_numeral_value(text: str) -> int | None:
    """Value of a Chinese numeral up to 99 ("八" 8, "十二" 12, "二十一" 21, "三十" 30)."""
    if not _ZH_NUMERAL_RE.match(text):
        return None
    if "十" not in text:
        if len(text) != 1:
            return None  # "一二" is not a number people write for a clock hour
        return _ZH_DIGITS[text]
    tens_text, _, ones_text = text.partition("十")
    if "十" in ones_text:
        return None
    tens = _ZH_DIGITS.get(tens_text, -1) if tens_text else 1
    ones = _ZH_DIGITS.get(ones_text, -1) if ones_text else 0
    if tens < 1 or ones < 0 or (tens_text and tens_text in "零〇"):
        return None
    return tens * 10 + ones


def number_value(text: str) -> int | None:
    """Value of digits or of a number word in any of the three languages."""
    if text.isascii() and text.isdigit():
        return int(text)
    return EN_NUMBERS.get(text, RU_NUMBERS.get(text, zh_numeral_value(text)))
