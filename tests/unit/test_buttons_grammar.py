"""The button grammar (shared/domain/buttons.py): a kind reads exactly its own data,
ids are ids, and nothing a hostile client sends reads as a button."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.buttons import (
    HHMM,
    ID,
    MAX_DATA_BYTES,
    PAGE,
    WORD,
    ZONE,
    ButtonError,
    ButtonKind,
    Grammar,
    one_of,
)
from shared.domain.i18n import TARGET_LANGUAGES, UI_LANGUAGES
from shared.features.reminders.answers import KINDS as REMINDER_KINDS
from shared.features.reminders.answers import Verb
from shared.features.reminders.answers import data as reminder_data

LEAFLET = "0123456789abcdef0123456789abcdef01234567"
REMINDER = "fedcba9876543210fedcba9876543210fedcba98"

# Kinds as MedBot's features declare them (the widest arguments of each).
DELETE = ButtonKind("del", (one_of(["yes"]),))
EMAIL = ButtonKind("lfmail", (ID,))
TRANSLATE_TO = ButtonKind("lfto", (ID, one_of(TARGET_LANGUAGES)))
TAKEN = ButtonKind("rt", (ID,))
SNOOZE = ButtonKind("rz", (ID,))
ZONE_PICK = ButtonKind("med:tz", (ZONE,))
KINDS = [
    ButtonKind("menu"), ButtonKind("help"), ButtonKind("keep"), DELETE,
    ButtonKind("lang", (one_of(UI_LANGUAGES),)), ButtonKind("topic", (WORD,)),
    EMAIL, TRANSLATE_TO, ButtonKind("lfpdf", (ID,)), TAKEN, SNOOZE,
    ButtonKind("tts", (one_of(["lf", "tr"]), ID)), ZONE_PICK,
    ButtonKind("med:at", (HHMM,)), ButtonKind("med:took", (ID,)),
    ButtonKind("med:tookp", (PAGE,)),
]
GRAMMAR = Grammar(KINDS)


def test_each_kind_reads_its_own_data_back() -> None:
    assert GRAMMAR.read("menu").kind.verb == "menu"  # type: ignore[union-attr]
    pressed = GRAMMAR.read(TRANSLATE_TO.data(LEAFLET, "zh-TW"))
    assert pressed is not None and pressed.arguments == (LEAFLET, "zh-TW")
    assert GRAMMAR.read(ZONE_PICK.data("America/Argentina/Buenos_Aires")) is not None
    assert GRAMMAR.read("med:tz:+05:30") is not None
    assert GRAMMAR.read(f"tts:tr:{LEAFLET}") is not None


@pytest.mark.parametrize("data", [
    "rt:a/b", "rt:../x", "rz:__x__", "rt:", "rt", f"rt:{REMINDER}:x", f"rt:{REMINDER.upper()}",
    f"rt:{REMINDER[:-1]}", "del:no", "del:", "del", "del:yes:no", "del:YES", "lfmail",
    f"lfmail:{LEAFLET}/..", f"lfto:{LEAFLET}:xx", f"lfto:{LEAFLET}", "lang:de", "menu:",
    "menu:x", "MENU", " menu", "menu ", "topic:../x", "topic:Diabetes", "med:tz:../../etc",
    "med:at:25:00", "med:at:8:00", "med:tookp:1000", "tts:xx:" + LEAFLET, "unknown",
    "", "\x00", "rt:" + "é" * 20, "menu\n", "lang:en\x00",
])
def test_anything_else_is_not_a_button(data: str) -> None:
    assert GRAMMAR.read(data) is None


def test_only_del_yes_erases() -> None:
    assert GRAMMAR.read("del:yes") is not None
    assert [d for d in ("del:no", "del:y", "del:true", "del:1") if GRAMMAR.read(d)] == []


@pytest.mark.parametrize("value", [None, 5, b"menu", ["menu"], {"data": "menu"}])
def test_data_that_is_not_a_string_is_not_a_button(value: object) -> None:
    assert GRAMMAR.read(value) is None


def test_the_widest_data_of_every_kind_fits_telegram() -> None:
    widest = {ID: LEAFLET, HHMM: "23:59", PAGE: "999", WORD: "w" * 32,
              ZONE: "America/Argentina/ComodRivadavia"}
    def longest(pattern: str) -> str:  # of a one_of() pattern: its longest value
        return max(re.sub(r"\\(.)", r"\1", pattern[3:-1]).split("|"), key=len)

    for kind in KINDS:
        arguments = [widest.get(a) or longest(a) for a in kind.arguments]
        data = kind.data(*arguments)
        assert len(data.encode()) <= MAX_DATA_BYTES, data


def test_building_data_that_would_not_read_back_fails() -> None:
    with pytest.raises(ButtonError):
        EMAIL.data("not-an-id")
    with pytest.raises(ButtonError):
        DELETE.data("no")
    with pytest.raises(ButtonError):
        ButtonKind("topic", (r".*",)).data("x" * 70)  # over 64 bytes
    with pytest.raises(ButtonError):
        Grammar([TAKEN, ButtonKind("rt")])  # one verb, two kinds


@settings(max_examples=300, deadline=None)
@given(st.from_regex(re.compile(ID), fullmatch=True),
       st.sampled_from(sorted(TARGET_LANGUAGES)))
def test_any_id_and_language_round_trip(leaflet: str, lang: str) -> None:
    pressed = GRAMMAR.read(TRANSLATE_TO.data(leaflet, lang))
    assert pressed is not None and pressed.arguments == (leaflet, lang)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_never_reads_as_an_id_that_is_not_one(data: str) -> None:
    pressed = GRAMMAR.read(data)
    if pressed is not None:
        assert data == ":".join((pressed.verb, *pressed.arguments))
        for argument, pattern in zip(pressed.arguments, pressed.kind.arguments, strict=True):
            assert re.fullmatch(pattern, argument)
            assert "/" not in argument or pattern == ZONE
            assert ".." not in argument


@pytest.mark.parametrize("verb", list(Verb))
def test_reminder_buttons_read_with_or_without_their_target(verb: Verb) -> None:
    """Issue 11's data ("rt:<rid>:<0-99|a|p>", built in reminders/answers.py) and the bare
    "rt:<rid>" of reminders sent before it are read by the same kinds."""
    grammar = Grammar(REMINDER_KINDS.values())
    for target in ("a", "p", 0, 9, 42, 99):
        pressed = grammar.read(reminder_data(verb, REMINDER, target))
        assert pressed is not None and pressed.arguments == (REMINDER, str(target))
        assert len(reminder_data(verb, REMINDER, target).encode()) <= MAX_DATA_BYTES
    bare = grammar.read(f"{verb.value}:{REMINDER}")
    assert bare is not None and bare.arguments == (REMINDER,)
    for bad in (":100", ":x", ":", ":a:b", ":-1", ":A", ":p0", ": 1"):
        assert grammar.read(f"{verb.value}:{REMINDER}{bad}") is None, bad
    with pytest.raises(ButtonError):
        reminder_data(verb, REMINDER, 100)


def test_an_optional_argument_is_read_only_when_given() -> None:
    week = ButtonKind("med:week", optional=("30",))
    assert week.read("med:week") == () and week.read("med:week:30") == ("30",)
    assert week.read("med:week:") is None and week.read("med:week:31") is None
    assert week.data() == "med:week" and week.data("30") == "med:week:30"
    with pytest.raises(ButtonError):
        week.data("31")
