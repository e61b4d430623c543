"""What an "add" leaves missing, asked back with buttons, never guessed (issue 14).

The parser (and the model fallback) returns a schedule's frequency without the part the
message did not say; each row of QUESTIONS is one such gap, in the order they are asked:

    medication.day    "weekly" without a weekday        -> which day? (Mon..Sun)
    medication.first  "every 8 hours" without a start   -> when is the first dose?
    medication.times  "three times a day" without times -> which times? (sets of n)
    medication.time   no time at all                    -> at what time?

A row says when it applies, the buttons it offers and how its answer completes the item
("med:<verb>:<argument>"). The item waits in the question's state data (with the rest
of the command); the answer completes it and the whole "add" runs again, so the next
gap is asked, or the medicine is saved, or the "already on your list" question comes.
A weekly item is never completed with anything but its weekday: its rule stays weekly.

An answer may be typed too ("Monday and Thursday", "8:00 and 20:00", "по понедельникам"):
it is read by the parser as if it followed "add <the medicine>" (`typed`), and only what
the question asked is taken from it (the weekdays, or the times).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from pydantic import ValidationError

from shared.domain.i18n import t
from shared.domain.messages import Button
from shared.domain.schedule import normalize_hhmm
from shared.features.medication.states import MedicationState as S
from shared.medication.models import CommandItem as Item
from shared.medication.recurrence import (
    WEEKDAY_CODES,
    RuleError,
    canonical_rule,
    rule_days,
    rule_freq,
)

# Offered when a time is missing from "add" (local wall times).
SUGGESTED_TIMES: Final = ("08:00", "12:00", "18:00", "21:00")
# The first dose of "every N hours": when a day usually starts.
FIRST_DOSE_TIMES: Final = ("06:00", "07:00", "08:00", "09:00", "10:00")
# n doses a day spread over the waking day (the patient picks a set or types others).
TIME_SETS: Final[dict[int, tuple[tuple[str, ...], ...]]] = {
    2: (("08:00", "20:00"), ("09:00", "21:00"), ("07:00", "19:00")),
    3: (("08:00", "14:00", "20:00"), ("07:00", "13:00", "19:00"),
        ("09:00", "15:00", "21:00")),
    4: (("08:00", "12:00", "16:00", "20:00"), ("07:00", "11:00", "15:00", "19:00")),
}


def weekly_without_day(item: Item) -> bool:
    return item.rrule is not None and rule_freq(item.rrule) == "WEEKLY" \
        and not rule_days(item.rrule)


def hourly_without_start(item: Item) -> bool:
    return item.rrule is not None and rule_freq(item.rrule) == "HOURLY" and not item.times


def several_without_times(item: Item) -> bool:
    return (item.doses_per_day or 1) > 1 and not item.times


def no_time(item: Item) -> bool:
    return not item.times and not item.as_needed


def with_day(item: Item, code: str) -> Item | None:
    """The weekday added to the weekly rule (BYDAY)."""
    if code not in WEEKDAY_CODES or item.rrule is None:
        return None
    try:
        rule = canonical_rule(f"{item.rrule};BYDAY={code}")
    except RuleError:
        return None
    return item.model_copy(update={"rrule": rule})


def with_time(item: Item, hhmm: str) -> Item | None:
    time = normalize_hhmm(hhmm)
    return item.model_copy(update={"times": [time], "doses_per_day": None}) if time else None


def with_times(item: Item, packed: str) -> Item | None:
    """"0800-1400-2000": the set of times, one per dose of the day."""
    times = [normalize_hhmm(f"{p[:2]}:{p[2:]}") for p in packed.split("-")]
    if not times or None in times or len(set(times)) != len(times):
        return None
    return item.model_copy(update={"times": sorted(h for h in times if h),
                                   "doses_per_day": None})


def typed_days(item: Item, said: Item) -> Item | None:
    """The weekdays of a typed answer ("on Mondays and Thursdays"), added to the rule."""
    days = rule_days(said.rrule) if said.rrule and rule_freq(said.rrule) == "WEEKLY" else ()
    if not days or item.rrule is None:
        return None
    codes = ",".join(WEEKDAY_CODES[d] for d in days)
    try:
        rule = canonical_rule(f"{item.rrule};BYDAY={codes}")
    except RuleError:
        return None
    update: dict[str, Any] = {"rrule": rule}
    if said.times and not item.times:
        update.update(times=said.times, doses_per_day=None)
    return item.model_copy(update=update)


def typed_times(item: Item, said: Item) -> Item | None:
    """The times of a typed answer ("8:00 and 20:00"), nothing else from it."""
    if not said.times or said.rrule is not None or said.as_needed:
        return None
    if item.rrule is not None and rule_freq(item.rrule) == "HOURLY" and len(said.times) > 1:
        return None  # every N hours starts from one time
    return item.model_copy(update={"times": said.times, "doses_per_day": None})


def pack(times: tuple[str, ...]) -> str:
    return "-".join(h.replace(":", "") for h in times)


def day_buttons(lang: str, item: Item) -> list[Button]:
    return [Button(label=t(lang, f"med.weekday.{c}"), data=f"med:day:{c}") for c in WEEKDAY_CODES]


def time_buttons(times: tuple[str, ...]) -> Callable[[str, Item], list[Button]]:
    return lambda lang, item: [Button(label=h, data=f"med:at:{h}") for h in times]


def set_buttons(lang: str, item: Item) -> list[Button]:
    sets = TIME_SETS.get(item.doses_per_day or 0, ())
    return [Button(label=" ".join(s), data=f"med:ats:{pack(s)}") for s in sets]


@dataclass(frozen=True)
class Gap:
    """One thing an "add" may leave unsaid: its question (a state and a text), when it
    applies, its buttons, and how an answer completes the item."""

    state: S
    text: str  # catalog key; {name} (and {count}: doses a day)
    verb: str  # its buttons' "med:<verb>:<argument>"
    applies: Callable[[Item], bool]
    buttons: Callable[[str, Item], list[Button]]
    complete: Callable[[Item, str], Item | None]
    typed: Callable[[Item, Item], Item | None]  # a typed answer, read as "add <name> ..."


QUESTIONS: Final[tuple[Gap, ...]] = (
    Gap(S.DAY, "med.day.ask", "day", weekly_without_day, day_buttons, with_day, typed_days),
    Gap(S.FIRST, "med.first.ask", "at", hourly_without_start,
        time_buttons(FIRST_DOSE_TIMES), with_time, typed_times),
    Gap(S.TIMES, "med.times.ask", "ats", several_without_times, set_buttons, with_times,
        typed_times),
    Gap(S.TIME, "med.time.ask", "at", no_time, time_buttons(SUGGESTED_TIMES), with_time,
        typed_times),
)
BY_STATE: Final = {gap.state: gap for gap in QUESTIONS}


def gap_of(item: Item) -> Gap | None:
    """The first thing this item leaves unsaid (None: it can be saved)."""
    return next((gap for gap in QUESTIONS if gap.applies(item)), None)


def waiting(item: Item, rest: list[Item]) -> dict[str, Any]:
    """The question's state data: the item (name and dosage first, as before rules) and
    the rest of the command."""
    data: dict[str, Any] = {"name": item.name, "dosage": item.dosage}
    data.update(item.model_dump(mode="json", exclude_defaults=True,
                                exclude={"name", "dosage"}))
    if rest:
        data["rest"] = [i.model_dump(mode="json") for i in rest]
    return data


def restored(data: dict[str, Any]) -> tuple[Item, list[Item]] | None:
    """The item and the rest of the command a question's data holds (None: not one)."""
    fields = {k: v for k, v in data.items() if k != "rest"}
    try:
        return (Item.model_validate(fields),
                [Item.model_validate(i) for i in data.get("rest") or []])
    except ValidationError:
        return None
