"""Dosage expressions ("200 mg", "1 tablet", "2 капсулы", "100毫克", "兩顆") in one form.

The form is "<number> <unit>" for Latin and Cyrillic units and "<number><unit>" for
Chinese ones; numbers are digits; Russian counted units agree with the number
("1 таблетка", "2 таблетки", "5 таблеток") whatever case the user typed them in.
"""

from __future__ import annotations

import re

from shared.medication.numbers import EN_NUMBERS, RU_NUMBERS, ZH_NUMERAL, number_value
from shared.medication.text import alternation, is_cjk

EN_UNITS: tuple[str, ...] = (
    "mg", "milligram", "milligrams", "g", "gram", "grams", "mcg", "μg", "ug",
    "microgram", "micrograms", "ml", "milliliter", "milliliters", "millilitre", "millilitres",
    "iu", "unit", "units", "tablet", "tablets", "tab", "tabs", "pill", "pills", "capsule",
    "capsules", "cap", "caps", "drop", "drops", "puff", "puffs", "spray", "sprays",
    "teaspoon", "teaspoons", "tsp", "tablespoon", "tablespoons", "tbsp", "sachet", "sachets",
    "patch", "patches", "injection", "injections", "ampoule", "ampoules", "lozenge", "lozenges",
)  # fmt: skip

# Russian units that are not inflected (abbreviations, indeclinable words).
RU_PLAIN_UNITS: tuple[str, ...] = (
    "мг", "миллиграмм", "миллиграмма", "миллиграммов", "г", "гр", "грамм", "грамма",
    "граммов", "мкг", "мл", "ед", "ме", "табл", "таб", "саше",
)  # fmt: skip

# Russian counted units: lemma -> forms after 1, after 2..4, after 5.. (and fractions: 2..4).
RU_COUNTED: dict[str, tuple[str, str, str]] = {
    "таблетка": ("таблетка", "таблетки", "таблеток"),
    "капсула": ("капсула", "капсулы", "капсул"),
    "капля": ("капля", "капли", "капель"),
    "ложка": ("ложка", "ложки", "ложек"),
    "ампула": ("ампула", "ампулы", "ампул"),
    "пакетик": ("пакетик", "пакетика", "пакетиков"),
    "единица": ("единица", "единицы", "единиц"),
    "укол": ("укол", "укола", "уколов"),
    "впрыск": ("впрыск", "впрыска", "впрысков"),
    "доза": ("доза", "дозы", "доз"),
}

# Every case form a user may type -> lemma ("по 1 таблетке", "1 таблетку").
RU_UNIT_FORMS: dict[str, str] = {
    **{form: lemma for lemma, forms in RU_COUNTED.items() for form in forms},
    "таблетку": "таблетка", "таблетке": "таблетка", "таблеткой": "таблетка",
    "капсулу": "капсула", "капсуле": "капсула", "каплю": "капля", "капле": "капля",
    "ложку": "ложка", "ложке": "ложка", "ампулу": "ампула", "единицу": "единица",
    "дозу": "доза",
}  # fmt: skip

# A singular counter with no number means one ("выпил таблетку аспирина").
RU_LONE_COUNTERS: dict[str, str] = {
    "таблетку": "таблетка", "таблетка": "таблетка", "капсулу": "капсула",
    "капсула": "капсула",
}  # fmt: skip

ZH_UNITS: tuple[str, ...] = (
    "毫克", "公克", "克", "微克", "毫升", "cc", "顆", "颗", "粒", "錠", "片", "包", "滴",
    "匙", "茶匙", "湯匙", "單位", "劑", "膠囊", "支", "噴",
)  # fmt: skip

ALL_UNIT_WORDS = frozenset((*EN_UNITS, *RU_PLAIN_UNITS, *RU_UNIT_FORMS, *ZH_UNITS))

_NUMBER = (
    rf"\d+(?:[.,]\d+)?(?:/\d+)?|{ZH_NUMERAL}"
    rf"|(?:{alternation([*EN_NUMBERS, *RU_NUMBERS])})(?=\s)"
)
_DOSE_RE = re.compile(
    rf"(?P<n>{_NUMBER})\s*(?P<u>{alternation(ALL_UNIT_WORDS)})(?![a-zа-я0-9])",
)
_LONE_RE = re.compile(rf"(?P<u>{alternation(RU_LONE_COUNTERS)})(?![a-zа-я0-9])")


def _number_text(raw: str) -> str | None:
    if raw[0].isdigit():
        return raw.replace(",", ".")
    value = number_value(raw)
    return None if value is None or raw == "час" else str(value)


def _ru_form(lemma: str, number: str) -> str:
    one, few, many = RU_COUNTED[lemma]
    if not number.isdigit():
        return few  # "0.5 таблетки", "1/2 таблетки"
    value = int(number)
    if value % 10 == 1 and value % 100 != 11:
        return one
    if value % 10 in (2, 3, 4) and value % 100 not in (12, 13, 14):
        return few
    return many


def format_dosage(number: str, unit: str) -> str:
    if unit in RU_UNIT_FORMS:
        return f"{number} {_ru_form(RU_UNIT_FORMS[unit], number)}"
    if is_cjk(unit[0]):
        return f"{number}{unit}"
    return f"{number} {unit}"


def match_dosage(text: str, pos: int) -> tuple[str, int] | None:
    """The dosage starting at `pos` (normalised text) in its canonical form, and its end."""
    match = _DOSE_RE.match(text, pos)
    if match is None:
        return None
    number = _number_text(match["n"])
    if number is None or number in ("0", "0.0"):
        return None
    return format_dosage(number, match["u"]), match.end()


def match_lone_counter(text: str, pos: int) -> tuple[str, int] | None:
    """A singular Russian counter with no number ("таблетку") as a dose of one."""
    match = _LONE_RE.match(text, pos)
    if match is None:
        return None
    return format_dosage("1", RU_LONE_COUNTERS[match["u"]]), match.end()
