"""The data of the buttons under a reminder, in ONE place (pure).

    rt:<rid>[:<target>]   Taken        <rid>: the reminder (reminders/{rid}, 40 hex)
    rz:<rid>[:<target>]   Snooze       <target>: an item's index in the reminder ("0"),
    rk:<rid>[:<target>]   Skip         "a" all that are left, "p" ask which one
                                       (none: all, the data of reminders sent before
                                       issue 11)

An index names one dose of that reminder, never a medicine by name: the reminder
stores its items, so a tap acts exactly on the dose shown under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from shared.domain.buttons import ID, ButtonKind

TAKEN: Final = "rt"
SNOOZE: Final = "rz"
SKIP: Final = "rk"
ALL: Final = "a"
PICK: Final = "p"
MAX_ITEMS: Final = 99  # an index has at most two digits

_TARGET: Final = r"a|p|[0-9]{1,2}"
_ARGUMENT = re.compile(rf"({ID})(?::({_TARGET}))?")


class Verb(StrEnum):
    TAKEN = TAKEN
    SNOOZE = SNOOZE
    SKIP = SKIP


@dataclass(frozen=True)
class Answer:
    """A reminder button, read: which reminder, and which of its items (None: all
    that are left; PICK: ask which one)."""

    rid: str
    item: int | None = None
    pick: bool = False


# The strict button grammar's kinds (domain/buttons.py): the reminder id and the
# optional target; the dialog reads what follows the verb with read() below.
KINDS: Final = {verb: ButtonKind(verb.value, (ID,), optional=(_TARGET,)) for verb in Verb}


def data(verb: Verb, rid: str, target: int | str = ALL) -> str:
    """A button's data; `target` an item index, ALL or PICK (ButtonError if the data
    would not read back)."""
    return KINDS[verb].data(rid, str(target))


def read(argument: str) -> Answer | None:
    """The argument after the verb ("<rid>:<target>"), or None if it is not one."""
    match = _ARGUMENT.fullmatch(argument)
    if match is None:
        return None
    rid, target = match.group(1), match.group(2)
    if target is None or target == ALL:
        return Answer(rid)
    if target == PICK:
        return Answer(rid, pick=True)
    return Answer(rid, item=int(target))
