"""Button data: one strict grammar for what a button carries (pure).

A button's data is ASCII: a verb, then its arguments, each after a colon
("lfmail:<leaflet id>", "lfto:<leaflet id>:vi", "rt:<reminder id>", "del:yes"). Every
kind of button has one parser: its verb and the exact pattern of each argument, matched
against the WHOLE data. Anything else - an unknown verb, a missing or extra argument, an
id that is not an id ("rt:a/b", "rt:../x", "rz:__x__"), "del:no" - reads as None, and
the dialog answers "this button is no longer valid" without touching storage.

A button that acts on an object carries that object's id, so it acts on the object it
was under (an e-mail button under an older leaflet sends that leaflet) or says the object
is gone. Data is built through the same kind that reads it, so what goes out always
reads back, and it fits the platforms: Telegram callback_data is 1-64 bytes, LINE
postback data up to 300 characters; the tighter one is the rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

MAX_DATA_BYTES: Final = 64  # Telegram callback_data (LINE allows 300 characters)

# Argument patterns. Ids are stable_id() values (shared/domain/signatures.py: 40 hex).
ID: Final = r"[0-9a-f]{40}"
HHMM: Final = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
PAGE: Final = r"[0-9]{1,3}"
# An IANA zone name ("Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+3",
# "UTC") or an offset ("+05:30"): the medication feature checks it is a real zone.
ZONE: Final = (r"(?:[A-Z][A-Za-z_\-]{1,30}(?:/[A-Za-z][A-Za-z0-9_+\-]{0,30}){0,2}"
               r"|[+-](?:0[0-9]|1[0-4]):[0-5][0-9])")
WORD: Final = r"[a-z][a-z0-9_]{0,31}"  # a key from a fixed list (a topic, a choice)


def one_of(values: Iterable[str]) -> str:
    """A pattern for exactly these values (language codes, fixed choices)."""
    return "(?:" + "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)) + ")"


class ButtonError(ValueError):
    """Data that its own kind would not read back, or too long for the platforms."""


@dataclass(frozen=True)
class ButtonKind:
    """One kind of button: a verb and the patterns of its arguments, in order, then
    those that may be left off (each only after the one before it): "med:week" and
    "med:week:30", or a reminder's "rt:<id>" (sent before issue 11) and "rt:<id>:0"."""

    verb: str
    arguments: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9]*(?::[a-z][a-z0-9]*)*", self.verb):
            raise ButtonError(f"a verb is lowercase ASCII: {self.verb!r}")
        parts = "".join(f":({argument})" for argument in self.arguments)
        tail = ""
        for argument in reversed(self.optional):
            tail = f"(?::({argument}){tail})?"
        object.__setattr__(self, "pattern", re.compile(re.escape(self.verb) + parts + tail))

    def read(self, data: str) -> tuple[str, ...] | None:
        """The arguments given, when `data` is exactly this kind's; else None."""
        if len(data.encode()) > MAX_DATA_BYTES:
            return None
        match = self.pattern.fullmatch(data)
        if match is None:
            return None
        return tuple(group for group in match.groups() if group is not None)

    def data(self, *arguments: str) -> str:
        """The data of a button of this kind; ButtonError if it would not read back."""
        data = ":".join((self.verb, *arguments))
        if self.read(data) != arguments:
            raise ButtonError(f"{self.verb}: arguments do not fit its grammar")
        return data


@dataclass(frozen=True)
class Pressed:
    """A button's data, read: its kind and arguments."""

    kind: ButtonKind
    arguments: tuple[str, ...]

    @property
    def verb(self) -> str:
        return self.kind.verb


class Grammar:
    """Every kind of button the bot sends, by verb; two kinds never share a verb, and
    the longest verb is tried first ("tts:lf" before "tts")."""

    def __init__(self, kinds: Iterable[ButtonKind]) -> None:
        table: dict[str, ButtonKind] = {}
        for kind in kinds:
            if kind.verb in table:
                raise ButtonError(f"button verb {kind.verb!r} declared twice")
            table[kind.verb] = kind
        self.kinds: Mapping[str, ButtonKind] = MappingProxyType(table)
        self._order = sorted(table.values(), key=lambda k: len(k.verb), reverse=True)

    def read(self, data: object) -> Pressed | None:
        """What a pressed button means, or None: data no kind reads exactly."""
        if not isinstance(data, str) or not data.isascii():
            return None
        for kind in self._order:
            if data == kind.verb or data.startswith(kind.verb + ":"):
                arguments = kind.read(data)
                if arguments is not None:
                    return Pressed(kind, arguments)
        return None
