"""Changing a medication: its dose ("aspirin now 200 mg") or a time ("move aspirin from
8 to 9"; with only the new time and several times, which one? a picker)."""

from __future__ import annotations

from shared.domain.messages import Button
from shared.domain.paging import page_buttons, page_of
from shared.domain.schedule import normalize_hhmm
from shared.features.medication.common import Context, names, page_button, page_number, say
from shared.features.medication.model import Medication
from shared.features.medication.states import MedicationState
from shared.medication.models import CommandItem as Item
from shared.medication.models import ParsedCommand as Command
from shared.plumbing.turns import Reply


def _one(ctx: Context, command: Command) -> tuple[Medication | None, Item | None]:
    item = command.items[0] if command.items else None
    meds = ctx.regimen.medications
    if item is None and len(meds) == 1:
        return meds[0], None
    return (ctx.regimen.find(item.name) if item else None), item


def _which(ctx: Context) -> Reply:
    return Reply([say(ctx.lang, "med.change.which", names=names(ctx.regimen.medications))])


def change_dose(ctx: Context, command: Command) -> Reply:
    med, item = _one(ctx, command)
    if med is None or item is None or not item.dosage:
        return _which(ctx)
    med.change_dose(item.dosage)
    return Reply([say(ctx.lang, "med.dose.changed", name=med.name, dosage=item.dosage)])


def change_time(ctx: Context, command: Command) -> Reply:
    """times = [old, new]: old becomes new; [new]: the medication's only time becomes
    new, and with several times the user picks which one (buttons)."""
    med, item = _one(ctx, command)
    times = [normalize_hhmm(x) for x in (item.times if item else [])]
    if med is None or not 1 <= len(times) <= 2 or None in times:
        return _which(ctx)
    valid = [h for h in times if h]
    new = valid[-1]
    if len(valid) == 2:
        old = valid[0]
        if old not in med.times:
            return Reply([say(ctx.lang, "med.time.unknown", name=med.name, time=old,
                              times=", ".join(med.times))])
        return move(ctx, med, old, new)
    if len(med.times) == 1:
        return move(ctx, med, med.times[0], new)
    return which_time(ctx, med, new)


def which_time(ctx: Context, med: Medication, new: str, number: int = 0) -> Reply:
    options = [Button(label=f"{h} → {new}", data=f"med:from:{h}") for h in med.times]
    buttons = page_buttons(page_of(options, number), [], page_button(ctx.lang, "fromp"))
    return Reply([say(ctx.lang, "med.time.which", buttons, name=med.name,
                      times=", ".join(med.times), new=new)],
                 next_state=MedicationState.MOVE, data={"id": med.id, "new": new})


def _asked(ctx: Context) -> tuple[Medication, str] | None:
    """The medicine and the new time of the "which time?" question, if it waits."""
    asked = ctx.asked(MedicationState.MOVE)
    med = ctx.regimen.get(str(asked.get("id") or ""))
    new = normalize_hhmm(str(asked.get("new") or ""))
    return (med, new) if med is not None and new is not None else None


def move_page(ctx: Context, number: str) -> Reply | None:
    """None when no such question waits (the caller shows the list)."""
    asked = _asked(ctx)
    return which_time(ctx, *asked, page_number(number)) if asked else None


def move_button(ctx: Context, old: str) -> Reply | None:
    asked = _asked(ctx)
    if asked is None or old not in asked[0].times:
        return None
    reply = move(ctx, asked[0], old, asked[1])
    reply.next_state = MedicationState.MEDICATION  # the question is answered
    return reply


def move(ctx: Context, med: Medication, old: str, new: str) -> Reply:
    assert ctx.zone is not None
    med.move_time(old, new, ctx.zone, ctx.now)
    return Reply([say(ctx.lang, "med.time.changed", name=med.name,
                      times=", ".join(med.times))])
