"""The conversation state machine, declared as data.

Every feature declares its part of it (a DialogPart, in its package under
shared/features): the states it adds, what its buttons and typed words mean (intents),
and its transition rows: (state, intent) -> Step, the name of the handler that
answers and the state that follows. `Table.of` joins the parts, refusing any clash,
and answers the two questions the dialog engine (shared/plumbing/dialog.py) asks:
what an event means (`read`) and which step follows in a state (`step`).

A row for the state itself wins over a row for its parent state (a question asked
inside a mode, such as "which time?" inside medication), which wins over the ANY row.
Every intent has an ANY row, so every event gets a step in every state.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from shared.domain.events import InboundEvent

ANY: Final = "*"
SAME: Final = None  # stay in the current state


class State(StrEnum):
    """The states every conversation has (the features add their own)."""

    MENU = "menu"


class Intent(StrEnum):
    """What an event means in every conversation (the features add their own)."""

    START = "start"
    MENU = "menu"
    HELP = "help"
    LANGUAGE_ASK = "language.ask"
    LANGUAGE_SET = "language.set"
    DELETE_ASK = "delete.ask"
    DELETE_CONFIRM = "delete.confirm"
    DELETE_CANCEL = "delete.cancel"
    RETRY = "retry"
    TEXT = "text"
    AUDIO = "audio"
    EMPTY = "empty"
    UNKNOWN_BUTTON = "unknown.button"
    IGNORE = "ignore"
    # The patient blocked or unfollowed the bot / unblocked it (issue 13). The engine
    # (plumbing/dialog.py) handles these itself: they touch only the user's profile.
    AWAY = "away"
    BACK = "back"


# What read() gives events that are not a button or a typed command word.
BUILT_IN: Final = (Intent.START, Intent.IGNORE, Intent.AUDIO, Intent.TEXT, Intent.EMPTY,
                   Intent.UNKNOWN_BUTTON, Intent.AWAY, Intent.BACK)


@dataclass(frozen=True)
class Step:
    handler: str
    next_state: str | None = SAME


Rows = Mapping[tuple[str, str], Step]


@dataclass(frozen=True)
class DialogPart:
    """One feature's part of the conversation."""

    # state -> its parent state (None: a mode of its own); rows of the parent apply
    # in the state unless the state has its own.
    states: Mapping[str, str | None] = field(default_factory=dict)
    # Button data is "verb" or "verb:argument" (<= 64 bytes, Telegram's limit).
    verbs: Mapping[str, str] = field(default_factory=dict)  # verb -> intent
    buttons: Mapping[str, str] = field(default_factory=dict)  # whole data -> intent
    words: Mapping[str, str] = field(default_factory=dict)  # typed command -> intent
    rows: Rows = field(default_factory=dict)

    @property
    def handlers(self) -> frozenset[str]:
        return frozenset(step.handler for step in self.rows.values())


class DialogClash(ValueError):
    """Two features declare the same name, or the table is incomplete."""


def normalize(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


@dataclass(frozen=True)
class Table:
    rows: Rows
    states: Mapping[str, str | None]
    verbs: Mapping[str, str]
    buttons: Mapping[str, str]
    words: Mapping[str, str]

    @classmethod
    def of(cls, parts: Iterable[tuple[str, DialogPart]]) -> Table:
        """The joined table of (feature name, part) pairs; DialogClash names what two
        features both declare, or what is missing."""
        owners: dict[tuple[str, object], str] = {}
        rows: dict[tuple[str, str], Step] = {}
        states: dict[str, str | None] = {}
        verbs: dict[str, str] = {}
        buttons: dict[str, str] = {}
        words: dict[str, str] = {}

        def claim(kind: str, name: object, owner: str) -> None:
            earlier = owners.setdefault((kind, name), owner)
            if earlier != owner:
                raise DialogClash(f"{kind} {name!r} is declared by both {earlier} and {owner}")

        for owner, part in parts:
            for state, parent in part.states.items():
                claim("state", state, owner)
                states[state] = parent
            for verb, intent in part.verbs.items():
                claim("button verb", verb, owner)
                verbs[verb] = intent
            for data, intent in part.buttons.items():
                claim("button", data, owner)
                buttons[data] = intent
            for word, intent in part.words.items():
                claim("command word", normalize(word), owner)
                words[normalize(word)] = intent
            for key, step in part.rows.items():
                claim("transition", key, owner)
                rows[key] = step
            for handler in part.handlers:
                claim("handler", handler, owner)
        table = cls(MappingProxyType(rows), MappingProxyType(states), MappingProxyType(verbs),
                    MappingProxyType(buttons), MappingProxyType(words))
        table._check()
        return table

    def _check(self) -> None:
        known = {ANY, *self.states}
        for state, parent in self.states.items():
            if parent is not None and parent not in self.states:
                raise DialogClash(f"state {state!r} has an undeclared parent {parent!r}")
        for (state, intent), step in self.rows.items():
            if state not in known or (step.next_state is not None
                                      and step.next_state not in self.states):
                raise DialogClash(f"the row ({state!r}, {intent!r}) names an undeclared state")
        missing = sorted(i for i in self.intents if (ANY, i) not in self.rows)
        if missing:
            raise DialogClash(f"intents without a row for ANY state: {missing}")

    @property
    def intents(self) -> frozenset[str]:
        return frozenset({*BUILT_IN, *(i for _, i in self.rows), *self.verbs.values(),
                          *self.buttons.values(), *self.words.values()})

    @property
    def handlers(self) -> frozenset[str]:
        return frozenset(step.handler for step in self.rows.values())

    def step(self, state: str, intent: str) -> Step:
        """The step for `intent` in `state`: its own row, else its parent's, else ANY."""
        current: str | None = state
        seen: set[str] = set()
        while current is not None and current not in seen:
            row = self.rows.get((current, intent))
            if row is not None:
                return row
            seen.add(current)
            current = self.states.get(current)
        return self.rows[(ANY, intent)]

    def read(self, event: InboundEvent) -> tuple[str, str]:
        """The intent of an event and its argument (button argument or the typed text)."""
        if event.kind == "follow":
            return Intent.START, ""
        if event.kind == "unfollow":
            return Intent.AWAY, ""
        if event.kind == "back":
            return Intent.BACK, ""
        if event.kind == "audio":
            return Intent.AUDIO, event.media_id or ""
        if event.kind == "postback":
            data = event.data or ""
            if data in self.buttons:
                return self.buttons[data], ""
            verb, _, argument = data.partition(":")
            return self.verbs.get(verb, Intent.UNKNOWN_BUTTON), argument
        text = (event.text or "").strip()
        if not text:
            return Intent.EMPTY, ""
        return self.words.get(normalize(text), Intent.TEXT), text
