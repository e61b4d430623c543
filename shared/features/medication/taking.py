"""Answering a pending dose: "done" / "took aspirin" typed, the "which dose?" buttons,
and the buttons under a reminder (shared/features/reminders) all end in ONE path,
`settle`: each dose still pending is closed (Dose.settle: the slot closed, its log
entry), the patient is told which medicines, and the answer counts in usage as
reminders.taken / reminders.skipped, whichever way it came.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from shared.domain import usage
from shared.domain.i18n import t
from shared.domain.messages import Button
from shared.domain.paging import page_buttons, page_of
from shared.features.medication.common import (
    Context,
    dosage_suffix,
    page_button,
    page_number,
    say,
)
from shared.features.medication.model import Dose, DoseLog, SlotStatus
from shared.features.medication.states import MedicationState
from shared.medication.models import ParsedCommand as Command
from shared.plumbing.turns import Reply


def settle(lang: str, doses: Iterable[Dose], status: SlotStatus, now: datetime,
           log: list[DoseLog]) -> Reply:
    """THE answer to pending doses (taken or skipped), whichever way it came: each one
    still pending is closed and its entry added to `log`; the reply names the
    medicines and counts them. The caller writes the doses and the log."""
    settled = []
    for dose in doses:
        entry = dose.settle(status, now)
        if entry is not None:
            log.append(entry)
            settled.append(dose)
    if not settled:
        return Reply([say(lang, "remind.handled")])
    names = ", ".join(sorted({d.name for d in settled}))
    return Reply([say(lang, f"remind.{status.value}", names=names)],
                 usage={usage.reminder_counter(status.value): len(settled)})


def done(ctx: Context, command: Command) -> Reply:
    """'Done' / 'took aspirin': the pending dose is taken. Which one must be clear:
    several candidates get buttons."""
    pending = ctx.regimen.pending()
    if command.items:
        chosen: list[Dose] = []
        for item in command.items:
            med = ctx.regimen.find(item.name)
            mine = [d for d in pending if med and d.medication_id == med.id
                    and (not item.times or d.time == item.times[0])]
            if len(mine) > 1:
                return which_dose(ctx, mine)
            chosen += mine
        pending = chosen
    if not pending:
        return Reply([say(ctx.lang, "med.done.none")])
    if len(pending) > 1 and not command.items:
        return which_dose(ctx, pending)
    return taken(ctx, pending)


def taken(ctx: Context, doses: list[Dose]) -> Reply:
    reply = settle(ctx.lang, doses, SlotStatus.TAKEN, ctx.now, ctx.regimen.logs)
    reply.next_state = MedicationState.MEDICATION  # a "which dose?" question is answered
    return reply


def which_dose(ctx: Context, pending: list[Dose], number: int = 0) -> Reply:
    """Which dose was taken? One button per pending dose (time, name, dose), page by
    page when they do not fit one message, and "All of them" on every page."""
    if not pending:
        return Reply([say(ctx.lang, "med.done.none")])
    options = [Button(label=f"{d.time} {d.name}{dosage_suffix(d.dosage)}",
                      data=f"med:took:{d.id}") for d in pending]
    everything = [Button(label=t(ctx.lang, "med.done.all"), data="med:took:all")] \
        if len(pending) > 1 else []
    page = page_of(options, number, fixed=len(everything))
    buttons = page_buttons(page, everything, page_button(ctx.lang, "tookp"))
    # "All of them" means the doses this question asked about (on all its pages).
    return Reply([say(ctx.lang, "med.done.which", buttons)], next_state=MedicationState.TOOK,
                 data={"doses": [d.id for d in pending]})


def took_page(ctx: Context, number: str) -> Reply:
    shown = set(ctx.asked(MedicationState.TOOK).get("doses") or [])
    pending = [d for d in ctx.regimen.pending() if d.id in shown]
    return which_dose(ctx, pending, page_number(number))


def took_button(ctx: Context, dose: str) -> Reply:
    asked = ctx.asked(MedicationState.TOOK)
    if dose == "all" and not asked:  # the question is no longer the one waiting
        return which_dose(ctx, ctx.regimen.pending())
    wanted = set(asked.get("doses") or []) if dose == "all" else {dose}
    pending = [d for d in ctx.regimen.pending() if d.id in wanted]
    if not pending:
        return Reply([say(ctx.lang, "remind.handled")])
    return taken(ctx, pending)
