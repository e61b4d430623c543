"""What the intent reader is told (a Screen) and what it answers (a Reading)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Protocol


class Command(Protocol):
    """A medication command as the parser returns it (shared.medication.ParsedCommand:
    the reader needs only its kind; the domain does not import the parser)."""

    @property
    def kind(self) -> str: ...


# shared.medication.parse_command, given by the caller.
CommandParser = Callable[[str, Sequence[str]], Command | None]


class Mode(StrEnum):
    """The conversation's mode: what its free text means."""

    MENU = "menu"
    EDUCATION = "education"  # free text: a leaflet topic
    TRANSLATION = "translation"  # free text: said to the other person, translated
    MEDICATION = "medication"  # free text: a medication command


class Showing(StrEnum):
    """The object under the latest answer, which typed actions act on."""

    NOTHING = ""
    LEAFLET = "leaflet"
    TRANSLATION = "translation"


class Question(StrEnum):
    """What the last prompt asked for; its answer is the mode's free text."""

    NONE = ""
    LANGUAGE = "language"  # a language name is the answer, not a UI switch
    EMAIL = "email"
    TEXT = "text"  # anything else (what to change, which time, which medicine...)


@dataclass(frozen=True)
class Screen:
    mode: Mode = Mode.MENU
    showing: Showing = Showing.NOTHING
    question: Question = Question.NONE
    reminder_waiting: bool = False  # a reminder has not been answered yet
    medicines: tuple[str, ...] = ()  # the patient's medication names, for the parser


class Layer(StrEnum):
    """The reader's layers, in the order it tries them."""

    GLOBAL = "global"
    MEDICATION = "medication"
    ACTION = "action"
    REQUEST = "request"
    GREETING = "greeting"
    FREE = "free"  # the mode's free text


class Global(StrEnum):
    START = "start"  # argument: a deep-link payload ("/start <payload>")
    MENU = "menu"
    HELP = "help"
    LANGUAGE = "language"  # ask which UI language
    LANGUAGE_SET = "language.set"  # argument: zh-TW, en or ru
    DELETE = "delete"  # "delete my data": ask to confirm
    CANCEL = "cancel"
    UNKNOWN_COMMAND = "unknown_command"  # a slash command MedBot does not have
    # The care circle (features/circle): invite a caregiver, the circle's list, and a
    # typed invite code (argument: the code, normalised; domain/invite_codes.py).
    INVITE = "invite"
    CIRCLE = "circle"
    JOIN = "join"


class Action(StrEnum):
    LEAFLET_TRANSLATE = "leaflet.translate"  # argument: target code, "" = ask
    LEAFLET_READ = "leaflet.read"
    LEAFLET_EMAIL = "leaflet.email"  # argument: the address, "" = ask
    LEAFLET_HANDOUT = "leaflet.handout"
    LEAFLET_MODIFY = "leaflet.modify"  # argument: the change asked for, "" = ask
    LEAFLET_ORIGINAL = "leaflet.original"
    TRANSLATION_READ = "translation.read"
    TRANSLATION_SWITCH = "translation.switch"
    TRANSLATION_NEW = "translation.new"
    TRANSLATION_CONTINUE = "translation.continue"
    REMINDER_TAKEN = "reminder.taken"
    REMINDER_SNOOZE = "reminder.snooze"
    REMINDER_SKIP = "reminder.skip"


class Request(StrEnum):
    EDUCATION = "education"  # argument: the topic, "" = ask
    TRANSLATION = "translation"  # argument: target code, "" = ask
    MEDICATION = "medication"
    REPORT = "report"  # the report for the doctor (features/supply)


# Medication readings without a parsed command.
TAKEN: Final = "taken"  # "I took my pills" with no reminder waiting: which dose?


@dataclass(frozen=True)
class Reading:
    """What a typed message means. `command` is the parser's result for a medication
    command; `ask_first` marks one typed inside a translation conversation, which the
    dialog asks about (translate it, or change the schedule?) instead of carrying out."""

    layer: Layer
    name: str = ""
    argument: str = ""
    command: Command | None = None
    ask_first: bool = False

    @property
    def label(self) -> str:
        """The reading as the labelled sets spell it ("action:leaflet.email=a@b.c")."""
        if self.layer in (Layer.FREE, Layer.GREETING):
            return self.layer.value
        label = f"{self.layer.value}:{self.name}"
        if self.ask_first:
            label += "?"
        if self.layer is Layer.MEDICATION or self.name == Request.MEDICATION:
            return label  # the parsed command is the argument
        if self.argument or self.name in _ARGUMENT_NAMES:
            label += f"={self.argument}"
        return label


_ARGUMENT_NAMES: Final = frozenset({
    Action.LEAFLET_TRANSLATE, Action.LEAFLET_EMAIL, Action.LEAFLET_MODIFY,
    Request.EDUCATION, Request.TRANSLATION,
})
