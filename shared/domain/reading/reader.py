"""The intent reader: what a typed message means, before any mode sees it (pure, no
model call).

Layers, in order (the first that recognises the WHOLE message wins):

1. global commands: menu, help, language (and a language name: switch to it), delete my
   data, cancel, start; typed in zh-TW/en/ru or as slash commands, with or without
   @botname; `/start <payload>` keeps its deep-link payload;
2. medication commands: the deterministic parser (shared.medication.parse_command, which
   the caller passes: the domain does not import it), in every mode. In medication mode
   with a question open, the mode reads the answer itself; inside a translation
   conversation the command is marked `ask_first` (the patient may be telling the
   clinician what they take);
3. typed actions on the object on screen: the leaflet (translate, read aloud, e-mail,
   printable, modify, original), the translation (read aloud, switch direction, new,
   continue), the reminder waiting for an answer (taken, later, skip); "I took my pills"
   with no reminder waiting goes to the medication feature;
4. requests for a mode in words: "I need a leaflet about X" (a leaflet on X), "translate
   for me", "remind me to take my pills". Frames that name the thing work in every mode;
   "tell me about X", "what is X" only while browsing (menu, education), never in a
   translation conversation, where they are said to the clinician;
5. greetings and thanks (answered without a model call), except in translation;
6. the mode's free text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from shared.domain import invite_codes
from shared.domain.reading.model import (
    TAKEN,
    CommandParser,
    Global,
    Layer,
    Mode,
    Question,
    Reading,
    Request,
    Screen,
    Showing,
)
from shared.domain.reading.text import (
    Typed,
    Variant,
    language_code,
    prepare,
    ui_language_code,
)
from shared.domain.reading.words import (
    CALENDAR,
    GLOBAL,
    GREETING,
    LANGUAGE_NAMED,
    LANGUAGE_PHRASES,
    LEAFLET_ACTIONS,
    LEAFLET_CHANGE,
    REMINDER_ACTIONS,
    REQUESTS,
    TOOK,
    TOPIC_TRIM,
    TRANSLATION_ACTIONS,
    RequestWords,
    Words,
)

# Telegram bot commands: "/name[@bot] [rest]"; names are 1-32 of a-z, 0-9 and _.
_SLASH: Final = re.compile(r"/(?P<name>[A-Za-z0-9_]{1,32})(?:@(?P<bot>[A-Za-z0-9_]{1,64}))?"
                           r"(?:\s+(?P<rest>.*))?", re.DOTALL)
# A deep-link payload (t.me/<bot>?start=<payload>): up to 64 of A-Z, a-z, 0-9, _ and -.
_PAYLOAD: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
_MAX_TOPIC_CHARS: Final = 100
_FREE: Final = Layer.FREE


def read_text(text: str, screen: Screen, parse: CommandParser) -> Reading:
    """What the typed `text` means on `screen` (the module docstring has the rules);
    `parse` is shared.medication.parse_command."""
    if text.strip() in ("?", "？"):
        return Reading(Layer.GLOBAL, Global.HELP)
    typed = prepare(text)
    for layer in _LAYERS:
        reading = layer(typed, screen, parse)
        if reading is not None:
            return reading
    return Reading(_FREE, argument=text.strip())


# --------------------------------------------------------------------------- 1. global
_SLASH_COMMANDS: Final[dict[str, tuple[Layer, str]]] = {
    **dict.fromkeys(("start", "new"), (Layer.GLOBAL, Global.START)),
    "menu": (Layer.GLOBAL, Global.MENU),
    "help": (Layer.GLOBAL, Global.HELP),
    **dict.fromkeys(("language", "lang"), (Layer.GLOBAL, Global.LANGUAGE)),
    "delete": (Layer.GLOBAL, Global.DELETE),
    "cancel": (Layer.GLOBAL, Global.CANCEL),
    **dict.fromkeys(("education", "leaflet"), (Layer.REQUEST, Request.EDUCATION)),
    **dict.fromkeys(("translate", "translation"), (Layer.REQUEST, Request.TRANSLATION)),
    **dict.fromkeys(("medication", "medicines", "meds"), (Layer.REQUEST, Request.MEDICATION)),
    "report": (Layer.REQUEST, Request.REPORT),
}


def _slash(typed: Typed, screen: Screen, parse: CommandParser) -> Reading | None:
    match = _SLASH.fullmatch(typed.raw.strip())
    if match is None:
        return None
    name, rest = match["name"].lower(), (match["rest"] or "").strip()
    known = _SLASH_COMMANDS.get(name)
    if known is None:  # maybe one of the medication bot's commands ("/list")
        return _medication(typed, screen, parse) or Reading(Layer.GLOBAL, Global.UNKNOWN_COMMAND)
    layer, what = known
    if what == Global.START:
        payload = rest if name == "start" and _PAYLOAD.fullmatch(rest) else ""
        return Reading(layer, what, payload)
    if what == Global.LANGUAGE and rest:
        code = ui_language_code(rest)
        return Reading(layer, Global.LANGUAGE_SET, code) if code else Reading(layer, what)
    if what == Request.EDUCATION:
        return Reading(layer, what, _topic(rest) or "")
    if what == Request.TRANSLATION:
        return Reading(layer, what, language_code(rest) or "" if rest else "")
    return Reading(layer, what)


def _global(typed: Typed, screen: Screen, parse: CommandParser) -> Reading | None:
    code = invite_codes.read(typed.raw)
    if code is not None:  # a care-circle invite code, in any mode
        return Reading(Layer.GLOBAL, Global.JOIN, code)
    for words in GLOBAL:
        if words.find(typed):
            return Reading(Layer.GLOBAL, words.name)
    return _language_switch(typed, screen)


def _language_switch(typed: Typed, screen: Screen) -> Reading | None:
    """A UI language named with the word "language" always; a bare name or "in X"
    unless the open question asks for a language (then it is the answer)."""
    found = LANGUAGE_NAMED.find(typed)
    if found is None and screen.question is not Question.LANGUAGE:
        code = ui_language_code(typed.key)
        if code:
            return Reading(Layer.GLOBAL, Global.LANGUAGE_SET, code)
        found = LANGUAGE_PHRASES.find(typed)
    code = ui_language_code(found[0]["lang"]) if found else None
    return Reading(Layer.GLOBAL, Global.LANGUAGE_SET, code) if code else None


# --------------------------------------------------------------------------- 2. medication
def _medication(typed: Typed, screen: Screen, parse: CommandParser) -> Reading | None:
    if screen.mode is Mode.MEDICATION and screen.question is not Question.NONE:
        return None  # the medication feature reads the answer to its own question
    command = parse(typed.raw, screen.medicines)
    if command is None:
        return None
    if screen.mode is Mode.TRANSLATION and command.kind in ("unknown", "help"):
        return None  # "thank you", "how do I...?": said to the clinician
    if command.kind == "unknown" and screen.mode is not Mode.MEDICATION:
        return Reading(Layer.GREETING)  # a greeting or thanks
    return Reading(Layer.MEDICATION, command.kind, command=command,
                   ask_first=screen.mode is Mode.TRANSLATION)


# --------------------------------------------------------------------------- 3. actions
def _action(typed: Typed, screen: Screen, parse: CommandParser) -> Reading | None:
    translating = screen.mode is Mode.TRANSLATION
    if screen.reminder_waiting:
        for words in REMINDER_ACTIONS:
            if words.find(typed):
                return Reading(Layer.ACTION, words.name, ask_first=translating)
    if screen.showing is Showing.LEAFLET:
        found = _first(LEAFLET_ACTIONS, typed)
        if found is None and screen.question is Question.NONE:
            found = _first((LEAFLET_CHANGE,), typed)  # an answer, when a question is open
        if found is not None:
            return found
    if screen.showing is Showing.TRANSLATION:
        found = _first(TRANSLATION_ACTIONS, typed)
        if found is not None:
            return found
    if not translating and TOOK.find(typed):
        return Reading(Layer.MEDICATION, TAKEN)
    if CALENDAR.find(typed):  # the schedule for the phone's calendar (asked first there)
        return Reading(Layer.MEDICATION, CALENDAR.name, ask_first=translating)
    return None


def _first(table: tuple[Words, ...], typed: Typed) -> Reading | None:
    for words in table:
        found = words.find(typed)
        if found is None:
            continue
        argument = _argument(*found)
        if argument is not None:
            return Reading(Layer.ACTION, words.name, argument)
    return None


def _argument(match: re.Match[str], typed: Variant) -> str | None:
    """The action's argument, "" for none; None when the message names something that
    is not what the action takes ("translate it into Klingon")."""
    groups = {k: v for k, v in match.groupdict().items() if v}
    if "lang" in groups:
        return language_code(groups["lang"])
    if "addr" in groups:
        return typed.span(*match.span("addr"))
    if "how" in groups:
        return typed.span(*match.span("how"))
    return ""


# --------------------------------------------------------------------------- 4. requests
def _request(typed: Typed, screen: Screen, parse: CommandParser) -> Reading | None:
    for words in REQUESTS:
        reading = _one_request(words, typed, screen)
        if reading is not None:
            return reading
    return None


def _one_request(words: RequestWords, typed: Typed, screen: Screen) -> Reading | None:
    browsing = screen.mode in (Mode.MENU, Mode.EDUCATION)
    translating = screen.mode is Mode.TRANSLATION
    if words.elsewhere.find(typed):  # the bare name of a mode
        return None if translating else Reading(Layer.REQUEST, words.elsewhere.name)
    frames = [words.anywhere, *([words.browsing] if browsing else [])]
    for frame in frames:
        found = frame.find(typed)
        if found is None:
            continue
        match, variant = found
        groups = match.groupdict()
        if groups.get("topic"):
            topic = _topic(variant.span(*match.span("topic")))
            if topic:
                return Reading(Layer.REQUEST, frame.name, topic)
            continue
        if groups.get("lang"):
            code = language_code(groups["lang"])
            if code:
                return Reading(Layer.REQUEST, frame.name, code)
            continue
        return Reading(Layer.REQUEST, frame.name)
    return None


def _topic(text: str) -> str | None:
    previous = None
    while previous != text:
        previous, text = text, TOPIC_TRIM.sub("", text.strip()).strip(" ,.!?;:，。！？")
    return text if 0 < len(text) <= _MAX_TOPIC_CHARS else None


# --------------------------------------------------------------------------- 5. greetings
def _greeting(typed: Typed, screen: Screen, parse: CommandParser) -> Reading | None:
    if screen.mode in (Mode.TRANSLATION, Mode.MEDICATION) or not GREETING.find(typed):
        return None
    return Reading(Layer.GREETING)


_LAYERS: Final[tuple[Callable[[Typed, Screen, CommandParser], Reading | None], ...]] = (
    _slash, _global, _medication, _action, _request, _greeting)
