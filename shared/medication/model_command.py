"""The model's reading of a medication message, and the checks it must pass.

When the deterministic parser is not sure, ONE structured model call (response schema
`ModelCommand`) reads the message against the user's schedule, which the prompt carries
as data with short per-request ids ("m1", "m2"...). Nothing the model says is trusted:
`check()` maps every id and name back to the user's own medications, validates every
time, name, dosage and zone, and returns either a `ParsedCommand` (the same type the
parser returns, with stored names) or the reason it was refused. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from pydantic import BaseModel, Field, ValidationError

from shared.domain.prompts import EMERGENCY_FIELD
from shared.domain.schedule import normalize_hhmm, resolve_zone
from shared.medication.models import CommandItem, CommandKind, ParsedCommand

MAX_ITEMS: Final = 10
MAX_NAME_CHARS: Final = 60
MAX_DOSAGE_CHARS: Final = 40
_HHMM: Final = re.compile(r"^\d{1,2}:\d{2}$")

Problem = Literal["unknown", "unknown_medication", "bad_time", "bad_name", "bad_zone",
                  "bad_schedule"]
_NEEDS_KNOWN: Final[frozenset[CommandKind]] = frozenset(
    {"delete", "done", "time_change", "dose_change", "last_taken"})


class ModelItem(BaseModel):
    medication_id: str | None = Field(
        default=None, description="The id from the schedule data; null for a new medication")
    name: str = Field(default="", description="The medication name as the patient wrote it "
                                              "or, for an existing one, exactly as listed "
                                              "(always given with its id)")
    times: list[str] = Field(default_factory=list, description="HH:MM, 24-hour, local")
    dosage: str | None = Field(default=None, description="e.g. '100 mg', '2 tablets'")
    rrule: str | None = Field(
        default=None,
        description="add only. RFC 5545 RRULE value without DTSTART and without 'RRULE:', "
                    "applied from each of `times`; null = every day. FREQ is HOURLY, DAILY "
                    "or WEEKLY; parts INTERVAL, BYDAY (weekly, e.g. MO,TH), COUNT (doses per "
                    "time) or UNTIL (last day, YYYYMMDD). Examples: 'FREQ=WEEKLY;BYDAY=MO,TH',"
                    " 'FREQ=DAILY;INTERVAL=2', 'FREQ=HOURLY;INTERVAL=8' (one time: the first "
                    "dose), 'FREQ=DAILY;COUNT=5'. A weekly schedule with no day given: "
                    "'FREQ=WEEKLY' (never null). Times not given: empty times.")
    as_needed: bool = Field(default=False, description="add only: taken when needed, no "
                                                       "reminders, no times, no rrule")
    max_per_day: int | None = Field(default=None, description="as needed: the daily maximum")
    doses_per_day: int | None = Field(default=None, description="'three times a day' with "
                                                                "no times given: 3")
    start: str | None = Field(default=None, description="YYYY-MM-DD when the message names a "
                                                        "first day, else null")


class ModelCommand(BaseModel):
    """Response schema of the one model call for a medication message."""

    kind: CommandKind
    items: list[ModelItem] = Field(default_factory=list)
    timezone: str | None = None
    # The model's red-flag judgement, in the call made anyway (no extra call).
    emergency: bool = Field(default=False, description=EMERGENCY_FIELD)


@dataclass(frozen=True)
class Known:
    """One of the user's medications as shown to the model."""

    alias: str  # "m1", what the model sees instead of the document id
    name: str


@dataclass(frozen=True)
class Checked:
    command: ParsedCommand | None
    problem: Problem | None = None


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def schedule_data(meds: Sequence[tuple[str, str, str, list[str]]]) -> list[dict[str, object]]:
    """(alias, name, dosage, times) rows as the data block of the prompt."""
    return [{"id": alias, "name": name, "dosage": dosage, "times": times}
            for alias, name, dosage, times in meds]


def _times(values: list[str]) -> list[str] | None:
    out: list[str] = []
    for value in values:
        hhmm = normalize_hhmm(value) if _HHMM.match(value.strip()) else None
        if hhmm is None:
            return None
        out.append(hhmm)
    return out if len(set(out)) == len(out) else None


def _schedule(item: ModelItem) -> dict[str, object] | None:
    """The schedule fields the model set (empty for a plain daily item), or None when the
    start is not a date. The rule itself is checked by CommandItem (dateutil)."""
    fields: dict[str, object] = {}
    if item.rrule is not None and item.rrule.strip():
        fields["rrule"] = item.rrule
    if item.as_needed:
        fields["as_needed"] = True
    if item.max_per_day is not None:
        fields["max_per_day"] = item.max_per_day
    if item.doses_per_day is not None:
        fields["doses_per_day"] = item.doses_per_day
    if item.start:
        try:
            fields["start"] = date.fromisoformat(item.start.strip())
        except ValueError:
            return None
    return fields


def _new_name(name: str) -> str | None:
    name = " ".join(unicodedata.normalize("NFKC", name).split())
    # A name has letters (emoji-only or punctuation-only is not a medication).
    if not 0 < len(name) <= MAX_NAME_CHARS or not any(c.isalpha() for c in name):
        return None
    return name


def _known(item: ModelItem, meds: Sequence[Known]) -> Known | None:
    """The user's medication this item means: its id must be one we gave, and the name
    must be that medication's name. An id alone is not enough: a model that maps an
    unknown medicine to the nearest id would act on another medicine."""
    if item.medication_id is not None:
        med = next((m for m in meds if m.alias == item.medication_id.strip()), None)
        if med is None or fold(item.name) != fold(med.name):
            return None
        return med
    matches = [m for m in meds if fold(m.name) == fold(item.name)]
    return matches[0] if len(matches) == 1 else None


def check(answer: ModelCommand, meds: Sequence[Known]) -> Checked:
    """The model's answer as a command that touches only the user's own medications."""
    kind = answer.kind
    if kind == "unknown" or len(answer.items) > MAX_ITEMS:
        return Checked(None, "unknown")
    if kind in ("list", "help"):
        return Checked(ParsedCommand(kind=kind))
    if kind == "timezone_change":
        resolved = resolve_zone(answer.timezone or "")
        if resolved is None:
            return Checked(None, "bad_zone")
        return Checked(ParsedCommand(kind=kind, timezone=resolved[0]))
    items: list[CommandItem] = []
    for item in answer.items:
        times = _times(item.times)
        if times is None:
            return Checked(None, "bad_time")
        dosage = " ".join((item.dosage or "").split()) or None
        if dosage is not None and len(dosage) > MAX_DOSAGE_CHARS:
            return Checked(None, "bad_name")
        if kind in _NEEDS_KNOWN or item.medication_id is not None:
            med = _known(item, meds)
            if med is None:
                return Checked(None, "unknown_medication")
            name = med.name
        else:
            new = _new_name(item.name)
            if new is None:
                return Checked(None, "bad_name")
            same = [m for m in meds if fold(m.name) == fold(new)]
            name = same[0].name if same else new
        scheduled = _schedule(item)
        if scheduled is None or (kind != "add" and scheduled):
            return Checked(None, "bad_schedule")
        try:
            items.append(CommandItem(name=name, times=times, dosage=dosage, **scheduled))
        except ValidationError:
            # A rule dateutil cannot read, or a schedule that contradicts itself.
            return Checked(None, "bad_schedule")
    if len({fold(i.name) for i in items}) != len(items):
        return Checked(None, "unknown")
    shape_ok = {
        "add": bool(items),
        "time_change": len(items) == 1 and 1 <= len(items[0].times) <= 2,
        "dose_change": len(items) == 1 and bool(items[0].dosage) and not items[0].times,
        "delete": len(items) <= 1 or not any(i.times for i in items),
        "done": all(len(i.times) <= 1 for i in items),
        "last_taken": bool(items) and not any(i.times or i.dosage for i in items),
    }
    if not shape_ok.get(kind, False):
        return Checked(None, "unknown")
    try:
        return Checked(ParsedCommand(kind=kind, items=items))
    except ValidationError:
        return Checked(None, "unknown")
