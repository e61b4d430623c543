"""Splits the part of a command after its verb into names, times, doses and separators.

The scanner is strict on purpose: any word it cannot place (a stop word, a stray number,
an unknown symbol) raises `Unsure`, because guessing around it could change the schedule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum

from shared.medication.dosage import ALL_UNIT_WORDS, match_dosage, match_lone_counter
from shared.medication.lexicon import (
    FILLERS,
    MIN_SUFFIX_WORD,
    SEPARATOR_CHARS,
    SEPARATORS,
    SKIPPED_CHARS,
    STOP_SUFFIXES_LATIN,
    STOP_WORDS,
)
from shared.medication.names import NameMatcher
from shared.medication.numbers import EN_NUMBERS, RU_NUMBERS
from shared.medication.schedule_slots import Fragment
from shared.medication.schedule_words import match_fragment, zh_start_after_time
from shared.medication.text import LETTERS, alternation, fold, is_cjk, is_letter
from shared.medication.times import ClockTime, Unsure, match_time


class TokenKind(Enum):
    NAME = "name"
    TIME = "time"
    DOSE = "dose"
    SEP = "sep"
    RULE = "rule"  # a schedule phrase: "every Monday", "через день", "需要時"


@dataclass
class Token:
    kind: TokenKind
    start: int
    end: int
    text: str = ""  # NAME: the user's text; DOSE: the canonical dosage
    known: str | None = None  # NAME: the known name it matched exactly or by stem
    has_known: bool = False  # NAME: a known name is part of it ("aspirin" of "aspirin forte")
    time: ClockTime | None = None
    cjk: bool = False  # NAME: ends with a Chinese character
    rule: Fragment | None = None  # RULE: what the phrase says about the schedule


_WORD_RE = re.compile(f"[{LETTERS}][{LETTERS}0-9'-]*(?<![-'])")
# "vitamin C", "витамин Д": a one-letter word after "vitamin" is part of the name. A Russian
# letter that is also a preposition ("витамин с 9 утра": C, or "from 9"?) is refused
# before a number.
_VITAMIN_LETTER = re.compile(r"(?<=vitamin|витамин)\s+[a-zа-я](?:\d{1,2})?(?![a-zа-я0-9])")
_PREPOSITION_LETTERS = frozenset("свкуоаи")
_NUMBER_NEXT = re.compile(r"\s+\d")
_NUMBER_WORDS = frozenset((*EN_NUMBERS, *RU_NUMBERS))
# A unit without its number is a stop word ("add tablets"), except Chinese units, which
# also end many names (鈣片 calcium tablets, 魚油膠囊 fish-oil capsules).
_LONE_UNITS = frozenset(u for u in ALL_UNIT_WORDS if not is_cjk(u[0]))
_PHRASES: dict[str, TokenKind | None] = {
    **dict.fromkeys(STOP_WORDS | _NUMBER_WORDS | _LONE_UNITS, None),
    **dict.fromkeys(FILLERS, None),
    **dict.fromkeys(SEPARATORS, TokenKind.SEP),
}
_PHRASE_RE = re.compile(alternation(_PHRASES))


def _in_word(char: str) -> bool:
    return is_letter(char) or char.isdigit() or char in "-'"


def _boundary_ok(text: str, start: int, end: int) -> bool:
    """A Latin/Cyrillic phrase must not be cut out of a longer word ("но" of "но-шпа")."""
    before_ok = start == 0 or not (_in_word(text[start]) and _in_word(text[start - 1]))
    after_ok = end >= len(text) or not (_in_word(text[end - 1]) and _in_word(text[end]))
    return before_ok and after_ok


class Scanner:
    """Tokens of one piece of a command; `allow_bare` reads a lone number as a time;
    schedule phrases are read only when `today` is given (relative dates need it)."""

    def __init__(
        self,
        original: str,
        matcher: NameMatcher,
        allow_bare: bool = False,
        today: date | None = None,
    ) -> None:
        self.original = original
        self.text = fold(original)
        self.matcher = matcher
        self.allow_bare = allow_bare
        self.today = today
        self.tokens: list[Token] = []
        self._known_keys = sorted(matcher.keys, key=lambda kv: len(kv[0]), reverse=True)

    def scan(self) -> list[Token]:
        pos = 0
        while pos < len(self.text):
            pos = self._step(pos)
        return self.tokens

    def _step(self, pos: int) -> int:
        char = self.text[pos]
        if char.isspace() or char in SKIPPED_CHARS:
            return pos + 1
        if char in SEPARATOR_CHARS:
            self.tokens.append(Token(TokenKind.SEP, pos, pos + 1))
            return pos + 1
        # Dose before time: after "at 8," the "2" of "2 tablets" is not an hour.
        readers = (self._known, self._rule, self._dose, self._time, self._phrase, self._word)
        for reader in readers:
            end = reader(pos)
            if end is not None:
                return end
        raise Unsure(f"cannot read {char!r}")

    def _known(self, pos: int) -> int | None:
        for key, name in self._known_keys:
            end = pos + len(key)
            if self.text.startswith(key, pos) and _boundary_ok(self.text, pos, end):
                return self._add_name(pos, end, known=name)
        if not is_letter(self.text[pos]) or not self.matcher.max_words:
            return None
        words = self._next_words(pos)
        while words:  # longest run of words first
            end = words[-1]
            candidate = self.original[pos:end]
            if self.matcher.has_exact_or_stem(candidate):
                known = self.matcher.exact(candidate)
                if known is None:
                    raise Unsure("several known names match")
                return self._add_name(pos, end, known=known)
            words.pop()
        return None

    def _next_words(self, pos: int) -> list[int]:
        """Ends of up to max_words words from `pos`, separated by single spaces."""
        ends: list[int] = []
        while len(ends) < self.matcher.max_words:
            match = _WORD_RE.match(self.text, pos)
            if match is None:
                break
            ends.append(match.end())
            if self.text[match.end() : match.end() + 1] != " ":
                break
            pos = match.end() + 1
        return ends

    def _rule(self, pos: int) -> int | None:
        if self.today is None:
            return None
        found = match_fragment(self.text, pos, self.today)
        if found is None:
            return None
        fragment, end = found
        self.tokens.append(Token(TokenKind.RULE, pos, end, rule=fragment))
        return end

    def _time(self, pos: int) -> int | None:
        found = match_time(self.text, pos, allow_bare=self.allow_bare or self._after_time_list())
        if found is None:
            return None
        time, end = found
        self.tokens.append(Token(TokenKind.TIME, pos, end, time=time))
        start_after = zh_start_after_time(self.text, end) if self.today else None
        if start_after is not None:  # "早上6點開始": the first dose of an hourly rule
            start = Fragment(start_time=True)
            self.tokens.append(Token(TokenKind.RULE, end, start_after, rule=start))
            return start_after
        return end

    def _after_time_list(self) -> bool:
        """True after "at 10," or "at 10 and": the next lone number continues the list."""
        kinds = [t.kind for t in self.tokens[-2:]]
        return kinds == [TokenKind.TIME, TokenKind.SEP]

    def _dose(self, pos: int) -> int | None:
        found = match_dosage(self.text, pos) or match_lone_counter(self.text, pos)
        if found is None:
            return None
        dose, end = found
        # The unit as the patient typed it ("1000 IU", "1000 МЕ"), when only its case
        # differs from the canonical form (an inflected Russian unit takes the form
        # that agrees with the number).
        unit = dose.split(" ", 1)[1] if " " in dose else ""
        typed = self.original[end - len(unit):end] if unit else ""
        if unit and typed != unit and fold(typed) == unit:
            dose = dose[: -len(unit)] + typed
        self.tokens.append(Token(TokenKind.DOSE, pos, end, text=dose))
        return end

    def _phrase(self, pos: int) -> int | None:
        match = _PHRASE_RE.match(self.text, pos)
        if match is None or not _boundary_ok(self.text, pos, match.end()):
            return None
        phrase = " ".join(match.group().split())
        kind = _PHRASES[phrase]
        if kind is None and phrase not in FILLERS:
            raise Unsure(f"stop word {phrase!r}")
        if kind is TokenKind.SEP:  # a word ("and", "plus") keeps its text
            self.tokens.append(Token(TokenKind.SEP, pos, match.end(), text=phrase))
        return match.end()

    def _word(self, pos: int) -> int | None:
        if is_cjk(self.text[pos]):
            return self._add_name(pos, pos + 1)
        match = _WORD_RE.match(self.text, pos)
        if match is None:
            return None  # a stray digit or symbol: the caller gives up
        word = match.group()
        if len(word) >= MIN_SUFFIX_WORD and word.isascii() and word.endswith(STOP_SUFFIXES_LATIN):
            raise Unsure(f"adverb {word!r}")
        letter = _VITAMIN_LETTER.match(self.text, match.end())
        if letter:
            if letter.group().strip() in _PREPOSITION_LETTERS and _NUMBER_NEXT.match(
                    self.text, letter.end()):
                raise Unsure("a vitamin letter or a preposition?")
            return self._add_name(pos, letter.end())
        return self._add_name(pos, match.end())

    def _add_name(self, start: int, end: int, known: str | None = None) -> int:
        """Record a name piece, joining it to the previous piece of the same name.

        A known name with more words is another product, not the known one ("aspirin
        forte", "baby aspirin", "阿斯匹靈腸溶錠"); two known names side by side stay two
        names (the command then has no separator between them and is refused)."""
        cjk = is_cjk(self.text[end - 1])
        last = self.tokens[-1] if self.tokens else None
        if last is not None and last.kind is TokenKind.NAME and not (last.has_known and known):
            gap = self.text[last.end : start]
            if gap == "" or (gap.isspace() and not last.cjk and not is_cjk(self.text[start])):
                last.end = end
                last.text = " ".join(self.original[last.start : end].split())
                last.cjk = cjk
                last.has_known = last.has_known or known is not None
                last.known = None
                return end
        text = " ".join(self.original[start:end].split())
        self.tokens.append(
            Token(TokenKind.NAME, start, end, text=text, known=known, cjk=cjk,
                  has_known=known is not None)
        )
        return end


def scan(
    original: str, matcher: NameMatcher, allow_bare: bool = False, today: date | None = None
) -> list[Token]:
    """Tokens of `original`; raises Unsure on anything that cannot be placed."""
    return Scanner(original, matcher, allow_bare, today).scan()
