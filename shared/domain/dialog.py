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

What an event means is data too. A button's data is read by the strict button grammar
(domain/buttons.py): each feature declares the kinds of button it sends and the intent
each kind means; data no kind reads exactly is UNKNOWN_BUTTON ("this button is no longer
valid"). A typed message goes through the intent reader (domain/reading) on the screen
the state shows (each feature declares, per state, its mode, the question it asks and
the object on screen), and the reading is routed by the features' `readings`: keys
"<layer>:<name>" (also "<layer>:*" for any name, a trailing "?" when the reader says
to ask first, a trailing "=" for a reading without an argument) to an intent, or to an
intent with a fixed argument. Deep links ("/start <payload>") go to the intent a
feature declares for the payload's prefix (`links`), else they start the bot.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from shared.domain.buttons import ButtonKind, Grammar
from shared.domain.events import InboundEvent
from shared.domain.reading import (
    CommandParser,
    Global,
    Layer,
    Mode,
    Question,
    Reading,
    Screen,
    Showing,
    read_text,
)

ANY: Final = "*"
SAME: Final = None  # stay in the current state


class State(StrEnum):
    """The states every conversation has (the features add their own)."""

    MENU = "menu"


class Intent(StrEnum):
    """What an event means in every conversation (the features add their own)."""

    START = "start"
    MENU = "menu"
    CANCEL = "cancel"
    GREETING = "greeting"
    UNKNOWN_COMMAND = "command.unknown"
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
    # What came instead of text (events.Attachment): "media.image", "media.location"...
    MEDIA_IMAGE = "media.image"
    MEDIA_STICKER = "media.sticker"
    MEDIA_LOCATION = "media.location"
    MEDIA_OTHER = "media.other"


# What read() gives events that are not a button or a typed reading.
BUILT_IN: Final = (Intent.START, Intent.IGNORE, Intent.AUDIO, Intent.TEXT, Intent.EMPTY,
                   Intent.UNKNOWN_BUTTON, Intent.AWAY, Intent.BACK, Intent.MEDIA_IMAGE,
                   Intent.MEDIA_STICKER, Intent.MEDIA_LOCATION, Intent.MEDIA_OTHER)
_MEDIA: Final[dict[str, str]] = {"image": Intent.MEDIA_IMAGE, "sticker": Intent.MEDIA_STICKER,
                                 "location": Intent.MEDIA_LOCATION, "video": Intent.MEDIA_OTHER,
                                 "file": Intent.MEDIA_OTHER, "contact": Intent.MEDIA_OTHER}


@dataclass(frozen=True)
class ScreenOf:
    """What a state shows the intent reader: its mode, the question it asks, and the
    object on screen (when the session field `shown_by` holds its id)."""

    mode: Mode = Mode.MENU
    question: Question = Question.NONE
    shows: Showing = Showing.NOTHING
    shown_by: str = ""


# A reading's route: an intent (the argument is the reading's), or an intent with a
# fixed argument (e.g. "read aloud" typed: the speech intent for "leaflet").
Route = str | tuple[str, str]


def _no_commands(_text: str, _known: Sequence[str]) -> None:
    return None


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
    # The kinds of button it sends (domain/buttons.py) -> the intent each means; the
    # handler's argument is the data after the first colon ("lfmail:<id>" -> "<id>").
    kinds: Mapping[ButtonKind, str] = field(default_factory=dict)
    # Typed readings (the intent reader's "<layer>:<name>" keys) -> routes.
    readings: Mapping[str, Route] = field(default_factory=dict)
    screens: Mapping[str, ScreenOf] = field(default_factory=dict)  # state -> its screen
    links: Mapping[str, str] = field(default_factory=dict)  # deep-link prefix -> intent
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
    kinds: Mapping[ButtonKind, str]
    readings: Mapping[str, Route]
    screens: Mapping[str, ScreenOf]
    links: Mapping[str, str]
    grammar: Grammar = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "grammar", Grammar(self.kinds))

    @classmethod
    def of(cls, parts: Iterable[tuple[str, DialogPart]]) -> Table:
        """The joined table of (feature name, part) pairs; DialogClash names what two
        features both declare, or what is missing."""
        owners: dict[tuple[str, object], str] = {}
        rows: dict[tuple[str, str], Step] = {}
        states: dict[str, str | None] = {}
        kinds: dict[ButtonKind, str] = {}
        readings: dict[str, Route] = {}
        screens: dict[str, ScreenOf] = {}
        links: dict[str, str] = {}

        def claim(kind: str, name: object, owner: str) -> None:
            earlier = owners.setdefault((kind, name), owner)
            if earlier != owner:
                raise DialogClash(f"{kind} {name!r} is declared by both {earlier} and {owner}")

        for owner, part in parts:
            for state, parent in part.states.items():
                claim("state", state, owner)
                states[state] = parent
            for kind, intent in part.kinds.items():
                claim("button verb", kind.verb, owner)
                kinds[kind] = intent
            for label, route in part.readings.items():
                claim("reading", label, owner)
                readings[label] = route
            for state, screen in part.screens.items():
                claim("screen", state, owner)
                screens[state] = screen
            for prefix, intent in part.links.items():
                claim("deep link", prefix, owner)
                links[prefix] = intent
            for key, step in part.rows.items():
                claim("transition", key, owner)
                rows[key] = step
            for handler in part.handlers:
                claim("handler", handler, owner)
        table = cls(MappingProxyType(rows), MappingProxyType(states), MappingProxyType(kinds),
                    MappingProxyType(readings), MappingProxyType(screens),
                    MappingProxyType(links))
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
        unknown = sorted(s for s in self.screens if s not in known)
        if unknown:
            raise DialogClash(f"screens of undeclared states: {unknown}")
        missing = sorted(i for i in self.intents if (ANY, i) not in self.rows)
        if missing:
            raise DialogClash(f"intents without a row for ANY state: {missing}")

    @property
    def intents(self) -> frozenset[str]:
        routed = (r if isinstance(r, str) else r[0] for r in self.readings.values())
        return frozenset({*BUILT_IN, *(i for _, i in self.rows), *self.kinds.values(),
                          *routed, *self.links.values()})

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

    def screen(self, state: str, session: Mapping[str, object] | None = None,
               medicines: Sequence[str] = ()) -> Screen:
        """What the intent reader is told about `state` (its own screen, else its
        parent's): the object on screen only while the session holds its id."""
        current: str | None = state
        seen: set[str] = set()
        while current is not None and current not in seen and current not in self.screens:
            seen.add(current)
            current = self.states.get(current)
        of = self.screens.get(current or "", ScreenOf())
        shows = of.shows if of.shown_by and (session or {}).get(of.shown_by) else \
            Showing.NOTHING
        return Screen(mode=of.mode, showing=shows, question=of.question,
                      medicines=tuple(medicines))

    def read(self, event: InboundEvent, state: str = State.MENU,
             session: Mapping[str, object] | None = None,
             parse: CommandParser | None = None,
             medicines: Sequence[str] = ()) -> tuple[str, str]:
        """The intent of an event in `state` and its argument (the button's arguments,
        the reading's argument, or the typed text). `parse` is the medication command
        parser (shared.medication.parse_command) and `medicines` the user's medicine
        names: the domain imports neither."""
        if event.kind == "follow":
            return self._start(event.data or "")
        if event.kind == "unfollow":
            return Intent.AWAY, ""
        if event.kind == "back":
            return Intent.BACK, ""
        if event.kind == "audio":
            return Intent.AUDIO, event.media_id or ""
        if event.kind == "postback":
            pressed = self.grammar.read(event.data)
            if pressed is None:
                return Intent.UNKNOWN_BUTTON, ""
            return self.kinds[pressed.kind], str(event.data).partition(":")[2]
        text = (event.text or "").strip()
        if not text:
            media = _MEDIA.get(event.attachment or "")
            return (media, "") if media else (Intent.EMPTY, "")
        reading = read_text(text, self.screen(state, session, medicines),
                            parse or _no_commands)
        return self.route(reading, text)

    def _start(self, payload: str) -> tuple[str, str]:
        """The bot started, with a deep-link payload: the intent of the feature that
        claims its prefix, else the welcome."""
        for prefix, intent in self.links.items():
            if payload.startswith(prefix):
                return intent, payload
        return Intent.START, payload

    def route(self, reading: Reading, text: str) -> tuple[str, str]:
        """Where a reading goes: the most specific key the features declare."""
        if reading.layer is Layer.FREE:
            return Intent.TEXT, text
        if reading.layer is Layer.GLOBAL and reading.name == Global.START:
            return self._start(reading.argument)  # "/start <payload>" typed
        # A medication command's argument is the message itself (the feature reads it).
        argument = text if reading.layer is Layer.MEDICATION else reading.argument
        asked = "?" if reading.ask_first else ""
        base = f"{reading.layer.value}:{reading.name}" if reading.name else reading.layer.value
        keys = [f"{base}{asked}", f"{reading.layer.value}:*{asked}"]
        if not reading.argument:
            keys.insert(0, f"{base}{asked}=")
        for key in keys:
            route = self.readings.get(key)
            if route is None:
                continue
            if isinstance(route, tuple):
                return route
            return route, argument
        return Intent.TEXT, text
