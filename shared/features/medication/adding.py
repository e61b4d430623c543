"""Adding medications ("add aspirin 100 mg at 8 and 20"), several in one message; a
medicine without a time gets the question "at what time?" (buttons), which its answer
completes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from shared.domain.i18n import t
from shared.domain.messages import Button
from shared.domain.schedule import local_label, normalize_hhmm, zone_of
from shared.features.medication.common import (
    MAX_MEDICATIONS,
    MAX_TIMES,
    Context,
    dosage_suffix,
    merge,
    say,
)
from shared.features.medication.model import Medication, clean_times, first_slot, fold
from shared.features.medication.states import MedicationState
from shared.medication.models import CommandItem as Item
from shared.medication.models import ParsedCommand as Command
from shared.plumbing.turns import Reply

# Offered when a time is missing from "add" (local wall times).
SUGGESTED_TIMES: Final = ("08:00", "12:00", "18:00", "21:00")


def add(ctx: Context, command: Command) -> Reply:
    if not command.items:
        return Reply([say(ctx.lang, "med.unknown")])
    over = _over_limit(ctx, command)
    if over is not None:
        return Reply([say(ctx.lang, over, count=MAX_TIMES if over.endswith("times")
                          else MAX_MEDICATIONS)])
    reply = Reply()
    for n, item in enumerate(command.items):
        times = clean_times(item.times)
        existing = ctx.regimen.find(item.name)
        if existing is not None and times:
            # Never overwritten silently: add these times, replace, or another one?
            rest = command.items[n + 1:]
            return merge(reply, ask_exists(ctx, existing, item.name, item.dosage, times, rest))
        if not times:
            # Ask for the time; the answer (a button) completes this item.
            buttons = [Button(label=h, data=f"med:at:{h}") for h in SUGGESTED_TIMES]
            return merge(reply, Reply([say(ctx.lang, "med.time.ask", buttons, name=item.name)],
                                      next_state=MedicationState.TIME,
                                      data={"name": item.name, "dosage": item.dosage}))
        reply = merge(reply, add_one(ctx, item.name, item.dosage, times))
    return reply


def _over_limit(ctx: Context, command: Command) -> str | None:
    """The limit this command goes over, checked before anything changes (nothing is
    half added): "med.too_many" (more medications than MAX_MEDICATIONS) or
    "med.too_many_times" (a medication with more times than MAX_TIMES: those it has and
    those this message adds, up to an item that has none); None if within them."""
    regimen = ctx.regimen
    new = {fold(i.name) for i in command.items if regimen.find(i.name) is None}
    if len(regimen.medications) + len(new) > MAX_MEDICATIONS:
        return "med.too_many"
    if any(len(i.times) > MAX_TIMES for i in command.items):
        return "med.too_many_times"
    times: dict[str, set[str]] = {}
    for item in command.items:
        item_times = clean_times(item.times)
        if not item_times:
            break
        key = fold(item.name)
        existing = regimen.find(item.name)
        if key not in times and existing is None:
            times[key] = set(item_times)
            continue
        known = times.setdefault(key, set(existing.times) if existing else set())
        known |= set(item_times)
        if len(known) > MAX_TIMES:
            return "med.too_many_times"
    return None


def time_button(ctx: Context, hhmm: str) -> Reply:
    """The answer to "at what time?" for the medicine waiting in medication.time."""
    asked = ctx.asked(MedicationState.TIME)
    time = normalize_hhmm(hhmm)
    if not asked.get("name") or time is None or ctx.zone is None:
        return Reply([say(ctx.lang, "med.unknown")])
    reply = add_one(ctx, str(asked["name"]), asked.get("dosage"), [time])
    reply.next_state = MedicationState.MEDICATION  # the question is answered
    return reply


def add_one(ctx: Context, name: str, dosage: str | None, times: list[str]) -> Reply:
    assert ctx.zone is not None
    med = ctx.regimen.add(name, dosage, times, ctx.zone, ctx.now)
    first = first_slot(times, ctx.zone, ctx.now)
    return Reply([say(ctx.lang, "med.added", name=med.name, dosage=dosage_suffix(med.dosage),
                      times=", ".join(med.times), first=local_label(first, zone_of(ctx.zone)))])


# --------------------------------------------------------------------------- already there
EXISTS_ACTIONS: Final = ("add", "replace", "other")


def ask_exists(ctx: Context, med: Medication, name: str, dosage: str | None,
               times: list[str], rest: Sequence[Item] = ()) -> Reply:
    """The medicine is on the list already: what should this "add" do? "Add these
    times" is offered only when it changes no dose (no dosage given, or the same)."""
    same_dose = not dosage or fold(dosage) == fold(med.dosage)
    actions = [a for a in EXISTS_ACTIONS if a != "add" or same_dose]
    buttons = [Button(label=t(ctx.lang, f"med.exists.{a}"), data=f"med:dup:{a}")
               for a in actions]
    new = f"{name}{dosage_suffix(dosage)} {', '.join(times)}"
    return Reply([say(ctx.lang, "med.exists.ask", buttons, name=med.name,
                      dosage=med.dosage or "-", times=", ".join(med.times), new=new)],
                 next_state=MedicationState.EXISTS,
                 data={"name": name, "dosage": dosage, "times": times,
                       "rest": [i.model_dump(mode="json") for i in rest]})


def exists_button(ctx: Context, action: str) -> Reply:
    """The answer to "already on your list": what the patient chose, then the rest of
    the command that asked."""
    asked = ctx.asked(MedicationState.EXISTS)
    med = ctx.regimen.find(str(asked.get("name") or "")) if asked else None
    times = clean_times(asked.get("times") or []) if asked else []
    if med is None or not times or action not in EXISTS_ACTIONS or ctx.zone is None:
        return Reply([say(ctx.lang, "med.exists.gone")], next_state=MedicationState.MEDICATION)
    dosage = asked.get("dosage")
    if action == "other":
        reply = Reply([say(ctx.lang, "med.exists.other_hint", name=med.name,
                           dosage=dosage or "", times=", ".join(times))])
    elif action == "add":
        if dosage and fold(str(dosage)) != fold(med.dosage):  # a stale button: never
            return ask_exists(ctx, med, str(asked["name"]), str(dosage), times)
        reply = add_one(ctx, med.name, None, times)
    else:  # replace: the schedule (and the dose, if one was given) as now typed
        med.drop_times([h for h in med.times if h not in times])
        if dosage:
            med.change_dose(str(dosage))
        reply = add_one(ctx, med.name, str(dosage) if dosage else None, times)
    reply.next_state = MedicationState.MEDICATION
    rest = [Item.model_validate(i) for i in asked.get("rest") or []]
    if rest:
        reply = merge(reply, add(ctx, Command(kind="add", items=rest)))
    return reply
