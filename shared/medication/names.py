"""Matching what the user typed against the names of their medications.

A wrong medicine is worse than a question. Levels, tried in order, each required to give
exactly one known name:
1. the same text ignoring case, "ё"/"е" and spacing ("Aspirin" -> "aspirin");
2. the same Russian stems ("аспирина", "аспирином" -> "аспирин"; "но-шпу" -> "но-шпа"),
   also written with a hyphen or space more or less ("ношпу", "tegretol xr" -> "Tegretol-XR");
3. one typing slip in one long Latin or Cyrillic word ("asprin" -> "aspirin",
   "парацетомола" -> "парацетамол").

A slip is never where a difference makes another product:
* in a number: strengths match exactly ("500"/"850", "b12"/"b6");
* in a short word or a short piece of a hyphenated word (fewer than 5 letters): suffixes
  and letters ("XR"/"CR", "Tegretol-XR"/"Tegretol-CR", "vitamin c"/"vitamin d");
* in the first letter: look-alike drug names often differ there ("lodine"/"iodine"),
  typists rarely do;
* in a Chinese character: one character tells products apart (緩釋錠甲/緩釋錠庚, 緩釋/速釋),
  and an input method's slip is itself a real character, so Chinese runs match exactly;
* as a word more or less: "aspirin forte" is not "aspirin".

`near` tells a name that is one edit away from a known one in a way level 3 refuses
(阿斯匹林 and 阿斯匹靈, "tegretol-xr" and "Tegretol-CR"): the same medication mistyped or a
different product, only the patient knows, so the parser asks rather than adding it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from shared.medication.text import fold_key, has_cyrillic, is_cjk

# Russian noun and adjective endings, longest first; enough to compare the case forms of
# one drug name, not a full stemmer.
_RU_ENDINGS: tuple[str, ...] = (
    "ами", "ями", "ого", "его", "ому", "ему", "ыми", "ими", "ия", "ий", "ию", "ии", "ие",
    "ой", "ей", "ом", "ем", "ам", "ям", "ах", "ях", "ов", "ев", "ую", "юю", "ая", "яя",
    "ое", "ее", "ые", "ый",
    "а", "я", "у", "ю", "е", "ы", "и", "о", "ь", "й",
)  # fmt: skip
_MIN_STEM = 3
_FUZZY_MIN_LEN = 5  # Latin/Cyrillic words shorter than this must match exactly
_NEAR_MIN_CJK = 3  # Chinese runs this long that differ in one character are "near"
_PART_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\s\u3400-\u9fff\uf900-\ufaff]+")


def ru_stem(word: str) -> str:
    """Strip one case ending from a Cyrillic word (other words are returned unchanged)."""
    if not has_cyrillic(word):
        return word
    for ending in _RU_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            return word[: -len(ending)]
    return word


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, swap neighbours)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def parts(key: str) -> tuple[str, ...]:
    """Words of a folded name, also split where Chinese meets other script ("維他命d")."""
    return tuple(_PART_RE.findall(key))


def _is_word(text: str) -> bool:
    """Latin or Cyrillic letters (with "-" or "'" inside): no digit, no Chinese."""
    return text[:1].isalpha() and not is_cjk(text[0]) and all(
        (c.isalpha() and not is_cjk(c)) or c in "-'" for c in text
    )


def _long_letters(typed: str, known: str) -> bool:
    """Both words of letters, long enough that one slip cannot make another name."""
    return (
        _is_word(typed)
        and _is_word(known)
        and len(known) >= _FUZZY_MIN_LEN
        and len(typed) >= _FUZZY_MIN_LEN - 1
    )


def _piece_is_slip(typed: str, known: str) -> bool:
    """One typing slip inside a long Latin or Cyrillic word, its first letter kept."""
    return (
        _long_letters(typed, known)
        and typed[0] == known[0]
        and edit_distance(ru_stem(typed), ru_stem(known)) <= 1
    )


def _word_is_slip(typed: str, known: str) -> bool:
    """One slip in one piece of a word; the other pieces ("xr" of "tegretol-xr") exact."""
    typed_pieces, known_pieces = typed.split("-"), known.split("-")
    if len(typed_pieces) != len(known_pieces):
        return False
    differing = [(t, k) for t, k in zip(typed_pieces, known_pieces, strict=True) if t != k]
    return len(differing) == 1 and _piece_is_slip(*differing[0])


def _word_is_near(typed: str, known: str) -> bool:
    """One edit away in a word long enough to be a name rather than a letter or a suffix
    ("vitamin c"/"vitamin d" are plainly two names); numbers never."""
    if any(c.isdigit() for c in typed + known):
        return False
    if is_cjk(known[0]) and is_cjk(typed[0]):
        return max(len(typed), len(known)) >= _NEAR_MIN_CJK and edit_distance(typed, known) <= 1
    if not _long_letters(typed, known):
        return False
    return edit_distance(ru_stem(typed), ru_stem(known)) <= 1


def _compact(stems: tuple[str, ...]) -> str:
    return "".join(stems).replace("-", "")


@dataclass(frozen=True)
class _Known:
    name: str
    key: str
    parts: tuple[str, ...]
    stems: tuple[str, ...]
    compact: str  # the stems without spaces and hyphens


class NameMatcher:
    """Finds which of the user's known medication names a piece of text means."""

    def __init__(self, known_names: Sequence[str]) -> None:
        entries: list[_Known] = []
        for name in known_names:
            key = fold_key(name)
            if key:
                p = parts(key)
                stems = tuple(ru_stem(x) for x in p)
                entries.append(_Known(name, key, p, stems, _compact(stems)))
        self._known = tuple(entries)
        self.max_words = max((len(k.key.split()) for k in entries), default=0)

    @property
    def keys(self) -> tuple[tuple[str, str], ...]:
        """(folded key, stored name) of every known name."""
        return tuple((k.key, k.name) for k in self._known)

    @staticmethod
    def _unique(names: set[str]) -> str | None:
        return next(iter(names)) if len(names) == 1 else None

    def exact(self, text: str) -> str | None:
        """The known name typed in another case or inflection; None if none or several."""
        key = fold_key(text)
        return self._unique(self._by_key(key) or self._by_stems(key))

    def has_exact_or_stem(self, text: str) -> bool:
        key = fold_key(text)
        return bool(self._by_key(key) or self._by_stems(key))

    def candidates(self, text: str) -> set[str]:
        """Known names `text` may mean, at the best level that has any (see module doc)."""
        key = fold_key(text)
        for level in (self._by_key, self._by_stems, self._by_slip):
            found = level(key)
            if found:
                return found
        return set()

    def resolve(self, text: str) -> str | None:
        """The known name meant by `text`, allowing one typing slip in one long word."""
        return self._unique(self.candidates(text))

    def near(self, text: str) -> bool:
        """True when `text` is one edit from a known name (see module doc)."""
        return bool(self._near_names(parts(fold_key(text))))

    def _by_key(self, key: str) -> set[str]:
        return {k.name for k in self._known if k.key == key}

    def _by_stems(self, key: str) -> set[str]:
        stems = tuple(ru_stem(x) for x in parts(key))
        exact = {k.name for k in self._known if k.stems == stems}
        return exact or {k.name for k in self._known if k.compact == _compact(stems)}

    def _by_slip(self, key: str) -> set[str]:
        typed = parts(key)
        stems = tuple(ru_stem(x) for x in typed)
        found: set[str] = set()
        for k in self._known:
            if len(k.parts) != len(typed):
                continue
            differing = [
                (t, s) for t, st, s, kst in zip(typed, stems, k.parts, k.stems, strict=True)
                if st != kst
            ]
            if len(differing) == 1 and _word_is_slip(*differing[0]):
                found.add(k.name)
        if found and self._near_names(typed) - found:
            # One slip from this name, one edit from another: which one was meant?
            return found | self._near_names(typed)
        return found

    def _near_names(self, typed: tuple[str, ...]) -> set[str]:
        return {
            k.name
            for k in self._known
            if len(k.parts) == len(typed)
            and all(t == s or _word_is_near(t, s) for t, s in zip(typed, k.parts, strict=True))
        }


# Russian case endings that a new (unknown) name may carry, and how to undo them.
_GENITIVE_UNDO: tuple[tuple[str, str], ...] = (("ы", "а"), ("а", ""))
_ACCUSATIVE_UNDO: tuple[tuple[str, str], ...] = (("у", "а"), ("ю", "я"))
# Endings that need a real dictionary to undo (adjectives, instrumental, prepositional).
_UNDECIDABLE: tuple[str, ...] = (
    "ого", "его", "ому", "ему", "ую", "юю", "ом", "ем", "ой", "ами", "ями", "ах", "ях",
)  # fmt: skip
_VOWELS = "аеёиоуыэюяь"


def _undo(word: str, rules: tuple[tuple[str, str], ...]) -> str | None:
    for ending, replacement in rules:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            if word[-len(ending) - 1].lower() in _VOWELS:
                return None
            return word[: -len(ending)] + replacement
    return word


def ru_nominative(name: str, genitive: bool) -> str | None:
    """A new Russian name typed in the accusative or genitive, put back in the nominative.

    "но-шпу" -> "но-шпа" (accusative), "аспирина" -> "аспирин" after "2 таблетки"
    (genitive). Returns None when the form cannot be undone without a dictionary.
    """
    words = name.split(" ")
    out: list[str] = []
    for index, word in enumerate(words):
        low = word.lower()
        if not has_cyrillic(word) or (index > 0 and not genitive):
            out.append(word)
            continue
        if low.endswith(_UNDECIDABLE) or (low.endswith("е") and low[-2:-1] not in _VOWELS):
            return None
        if genitive and low.endswith(("и", "я")):
            return None  # "но-шпы" is undoable, "капли"/"кальция" are not
        undone = _undo(word, _GENITIVE_UNDO if genitive else _ACCUSATIVE_UNDO)
        if undone is None:
            return None
        out.append(undone)
    return " ".join(out)
