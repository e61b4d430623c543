"""Care-circle invite codes (pure): what one looks like, how it is read back.

A code is 8 characters of upper-case letters and digits with at least one of each, from
an alphabet without the look-alikes 0/O and 1/I/L, so a code read aloud or copied by
hand comes back right. 31 characters to the 8th power is ~8.5e11 codes: with codes
valid for 24 h, single use, and a caregiver allowed a few wrong tries an hour
(features/circle), guessing one is hopeless. Codes are stored only as a keyed hash.

Typed codes are read tolerantly: case, and one space or dash inside, do not matter
("k7pm 3q9x", "K7PM-3Q9X"). A message of 6-10 characters of the alphabet with a letter
and a digit reads as a code (an unknown one gets a clear answer), except what people
write anyway: a word and a number ("message 2", "page 42", "ward 2345": letters then
digits, or digits then letters; codes are never drawn in that shape), more than two
words ("take 2 at 8"), or a character outside the alphabet ("covid19", "b12"). Those
stay leaflet topics, medicine names and sentences to translate.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Final

ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0 O 1 I L
LENGTH: Final = 8
# What a typed message must be to be read as a code: 6-10 letters/digits (spaces and
# dashes between them allowed), at least one letter and one digit.
_TYPED: Final = re.compile(r"[A-Za-z0-9]+(?:[ \-][A-Za-z0-9]+)?")
# A word and a number, either way round: how text looks, never how a code is drawn.
_WORD_AND_NUMBER: Final = re.compile(r"[A-Z]+[0-9]+|[0-9]+[A-Z]+")
LINK_PREFIX: Final = "cg_"  # Telegram deep-link payload: t.me/<bot>?start=cg_<code>


def generate() -> str:
    """A new random code (cryptographically random: secrets), with a letter and a digit."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if well_formed(code) and not _WORD_AND_NUMBER.fullmatch(code):
            return code


def well_formed(code: str) -> bool:
    """6-10 upper-case letters and digits with at least one of each."""
    return (6 <= len(code) <= 10 and code.isascii() and code.isalnum() and code.upper() == code
            and any(c.isdigit() for c in code) and any(c.isalpha() for c in code))


def read(text: str) -> str | None:
    """The code a typed message or a deep-link payload is, normalised, or None when
    the message is not code-shaped at all."""
    raw = text.strip()
    if raw.startswith(LINK_PREFIX):
        raw = raw[len(LINK_PREFIX):]
    if not _TYPED.fullmatch(raw):
        return None
    code = re.sub(r"[ \-]", "", raw).upper()
    if not well_formed(code) or _WORD_AND_NUMBER.fullmatch(code):
        return None
    return code if all(c in ALPHABET for c in code) else None


def digest(code: str, key: str = "") -> str:
    """The stored form of a code: a keyed SHA-256 (hex), never the code itself."""
    return hashlib.sha256(f"medbot-invite:{key}:{code}".encode()).hexdigest()
