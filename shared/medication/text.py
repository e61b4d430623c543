"""Text helpers shared by the parser modules: normalisation and regex building."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_TEXT_CHARS = 1000

# Latin (with accents) and Cyrillic letters; CJK is handled character by character.
LETTERS = "a-z\u00e0-\u024f\u0400-\u04ff"
_LETTER_RE = re.compile(f"[{LETTERS}]")
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")

# Apostrophes and dashes people type, folded to the ASCII ones the tables use.
_CHAR_MAP = str.maketrans(
    {"’": "'", "‘": "'", "ʼ": "'", "`": "'", "‐": "-", "‑": "-", "–": "-", "—": "-", "−": "-"}
)


def alternation(words: Iterable[str]) -> str:
    """Regex alternation of words, longest first so that a short word never hides a longer.

    A space in a word matches any run of whitespace.
    """
    ordered = sorted(set(words), key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


def is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def is_letter(char: str) -> bool:
    return bool(_LETTER_RE.match(char))


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC_RE.search(text))


def _keep_char(char: str) -> bool:
    """Emoji and other symbols carry no command meaning; they become spaces."""
    category = unicodedata.category(char)
    return not (category.startswith("S") and char not in "+@$%") and category not in ("Cf", "Co")


def clean(text: str) -> str:
    """NFKC (full-width digits and colons become ASCII), symbols dropped, spaces collapsed.

    Keeps the user's letter case: new medication names are returned as typed.
    """
    text = unicodedata.normalize("NFKC", text).translate(_CHAR_MAP)
    text = "".join(c if _keep_char(c) else " " for c in text)
    return " ".join(text.split())


def fold(text: str) -> str:
    """Lower-case with "ё" as "е", one character for one (indices stay aligned)."""
    out = []
    for char in text:
        lower = char.lower()
        out.append(lower if len(lower) == 1 else char)
    return "".join(out).replace("ё", "е")


def fold_key(text: str) -> str:
    """Comparison key of a name: folded, single spaces, no surrounding punctuation."""
    return " ".join(fold(clean(text)).split()).strip(" .,;:!?'\"")
