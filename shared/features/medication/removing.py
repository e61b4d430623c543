"""Deleting a medication, or some of its times: "delete aspirin", "delete aspirin at
10", and "delete the medicine" (which one? a picker, never a guess)."""

from __future__ import annotations

from shared.domain.messages import Button
from shared.domain.paging import page_buttons, page_of
from shared.features.medication.common import (
    Context,
    dosage_suffix,
    merge,
    names,
    page_button,
    page_number,
    say,
)
from shared.features.medication.model import Medication, clean_times, fold
from shared.medication.models import ParsedCommand as Command
from shared.plumbing.turns import Reply


def delete(ctx: Context, command: Command) -> Reply:
    regimen = ctx.regimen
    if not regimen.medications:
        return Reply([say(ctx.lang, "med.list.empty")])
    found = [regimen.find(i.name) for i in command.items]
    meds = [m for m in found if m is not None]
    if not meds or len(meds) < len(found):
        # "delete the medicine": never a guess, even with one medication.
        return which_to_delete(ctx)
    if len(command.items) == 1 and command.items[0].times:
        # "delete aspirin at 10": only that dose time goes.
        return drop_times(ctx, meds[0], command.items[0].times)
    reply = Reply()
    for med in meds:
        reply = merge(reply, delete_one(ctx, med))
    return reply


def delete_page(ctx: Context, number: str) -> Reply:
    if not ctx.regimen.medications:
        return Reply([say(ctx.lang, "med.list.empty")])
    return which_to_delete(ctx, page_number(number))


def delete_button(ctx: Context, med_id: str) -> Reply | None:
    """None when the medication is gone (the caller shows the list)."""
    med = ctx.regimen.get(med_id)
    return delete_one(ctx, med) if med else None


def delete_one(ctx: Context, med: Medication) -> Reply:
    ctx.regimen.remove(med)  # with its doses
    return Reply([say(ctx.lang, "med.deleted", name=med.name)])


def drop_times(ctx: Context, med: Medication, times: list[str]) -> Reply:
    drop = clean_times(times)
    unknown = [h for h in drop if h not in med.times]
    if unknown or not drop:
        return Reply([say(ctx.lang, "med.time.unknown", name=med.name,
                          time=", ".join(unknown or times), times=", ".join(med.times))])
    remaining = [h for h in med.times if h not in drop]
    if not remaining:
        return delete_one(ctx, med)
    med.drop_times(drop)
    return Reply([say(ctx.lang, "med.times.deleted", name=med.name,
                      times=", ".join(sorted(drop)), remaining=", ".join(remaining))])


def which_to_delete(ctx: Context, number: int = 0) -> Reply:
    """Which medication? One button each (whole names: the adapters shorten them so
    they stay apart), page by page when there are more than one message holds."""
    meds = sorted(ctx.regimen.medications, key=lambda m: (fold(m.name), m.id))
    options = [Button(label=m.name + dosage_suffix(m.dosage), data=f"med:del:{m.id}")
               for m in meds]
    buttons = page_buttons(page_of(options, number), [], page_button(ctx.lang, "delp"))
    return Reply([say(ctx.lang, "med.delete.which", buttons, names=names(meds))])
