"""Answering a pending dose: "done" / "took aspirin" typed, the "which dose?" buttons,
and the buttons under a reminder (shared/features/reminders) all end in ONE path,
`settle`: each dose still pending is closed (Dose.settle: the slot closed, its log
entry), the patient is told which medicines, and the answer counts in usage as
reminders.taken / reminders.skipped, whichever way it came.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from shared.domain import usage
from shared.domain.i18n import t
from shared.domain.messages import Button, Text
from shared.domain.paging import page_buttons, page_of
from shared.domain.schedule import local_label, slot_key, zone_of
from shared.features.medication import as_needed
from shared.features.medication.common import (
    Context,
    dosage_suffix,
    merge,
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
    settled, ending = [], []
    for dose in doses:
        final = dose.final  # the last slot of its course, answered now: the course ends
        entry = dose.settle(status, now)
        if entry is not None:
            log.append(entry)
            settled.append(dose)
            ending += [dose.name] if final else []
    if not settled:
        return Reply([say(lang, "remind.handled")])
    names = ", ".join(sorted({d.name for d in settled}))
    said = t(lang, f"remind.{status.value}", names=names)
    if ending:
        said += "\n" + t(lang, "med.course.finished", names=", ".join(sorted(set(ending))))
    return Reply([Text(text=said)],
                 usage={usage.reminder_counter(status.value): len(settled)})


def candidates(ctx: Context, doses: Iterable[Dose]) -> tuple[list[Dose], list[Dose]]:
    """Which slots "I took it" may mean, as (pending, early): slots still being
    reminded, and slots starting within the early window; when there are none of
    either, slots already recorded missed (answered late)."""
    doses = sorted(doses, key=lambda d: (d.pending.slot if d.pending else "",
                                         slot_key(d.next_slot_at) if d.next_slot_at else "~",
                                         d.name, d.id))
    reminding = [d for d in doses if d.pending is not None and d.pending.open]
    early = [d for d in doses if d.upcoming_within(ctx.now, ctx.early) and d not in reminding]
    if reminding or early:
        return reminding, early
    return [d for d in doses if d.pending is not None], []


def done(ctx: Context, command: Command) -> Reply:
    """'Done' / 'took aspirin': the pending dose is taken, or the next one if it is
    due within the early window (its reminder then does not come). Which one must be
    clear: several candidates get buttons."""
    prn = [m for m in (ctx.regimen.find(i.name) for i in command.items)
           if m is not None and m.schedule.as_needed]
    if prn:  # as needed: logged now (as_needed.py); the rest as usual
        logged = Reply()
        for each in prn:
            logged = merge(logged, as_needed.log_taken(ctx, each))
        rest = [i for i in command.items if ctx.regimen.find(i.name) not in prn]
        return merge(logged, done(ctx, Command(kind="done", items=rest))) if rest else logged
    if command.items:
        pending: list[Dose] = []
        early: list[Dose] = []
        for item in command.items:
            med = ctx.regimen.find(item.name)
            mine = [d for d in (med.doses.values() if med else ())
                    if not item.times or d.time == item.times[0]]
            now_due, soon = candidates(ctx, mine)
            if len(now_due) + len(soon) > 1:
                return which_dose(ctx, now_due, early=soon)
            pending += now_due
            early += soon
    else:
        pending, early = candidates(ctx, ctx.regimen.doses())
        if len(pending) + len(early) > 1:
            return which_dose(ctx, pending, early=early)
    if not pending and not early:
        return Reply([say(ctx.lang, "med.done.none")])
    return taken(ctx, pending, early)


def taken(ctx: Context, doses: list[Dose], early: Sequence[Dose] = ()) -> Reply:
    reply = settle(ctx.lang, doses, SlotStatus.TAKEN, ctx.now, ctx.regimen.logs) \
        if doses else Reply()
    if early:
        reply = merge(reply, take_early(ctx, early)) if doses else take_early(ctx, early)
    reply.next_state = MedicationState.MEDICATION  # a "which dose?" question is answered
    return reply


def take_early(ctx: Context, doses: Sequence[Dose]) -> Reply:
    """Doses taken before their time: each slot recorded taken (taken_at now), so its
    reminder never comes."""
    done_now: list[Dose] = []
    times: list[str] = []
    for dose in doses:
        slot = dose.upcoming_within(ctx.now, ctx.early)
        step = dose.take_early(ctx.now, ctx.early)
        if step is None or slot is None:
            continue
        ctx.regimen.logs += [step.taken, *([step.missed] if step.missed else [])]
        done_now.append(dose)
        times.append(local_label(slot, zone_of(dose.timezone))[-5:])
    if not done_now:
        return Reply([say(ctx.lang, "remind.handled")])
    names = ", ".join(sorted({d.name for d in done_now}))
    return Reply([say(ctx.lang, "remind.taken_early", names=names,
                      time=", ".join(sorted(set(times))))],
                 usage={usage.reminder_counter(SlotStatus.TAKEN.value): len(done_now)})


def which_dose(ctx: Context, pending: list[Dose], number: int = 0,
               early: Sequence[Dose] = ()) -> Reply:
    """Which dose was taken? One button per candidate (time, name, dose): a slot
    pending now, or one due soon (taken early); page by page when they do not fit one
    message, and "All of them" on every page."""
    if not pending and not early:
        return Reply([say(ctx.lang, "med.done.none")])
    options = [Button(label=f"{d.time} {d.name}{dosage_suffix(d.dosage)}",
                      data=f"med:took:{d.id}") for d in pending]
    options += [Button(label=f"{d.time} {d.name}{dosage_suffix(d.dosage)}",
                       data=f"med:early:{d.id}") for d in early]
    everything = [Button(label=t(ctx.lang, "med.done.all"), data="med:took:all")] \
        if len(options) > 1 else []
    page = page_of(options, number, fixed=len(everything))
    buttons = page_buttons(page, everything, page_button(ctx.lang, "tookp"))
    # "All of them" means the doses this question asked about (on all its pages).
    return Reply([say(ctx.lang, "med.done.which", buttons)], next_state=MedicationState.TOOK,
                 data={"doses": [d.id for d in pending], "early": [d.id for d in early]})


def took_page(ctx: Context, number: str) -> Reply:
    asked = ctx.asked(MedicationState.TOOK)
    shown, soon = set(asked.get("doses") or []), set(asked.get("early") or [])
    pending = [d for d in ctx.regimen.pending() if d.id in shown]
    early = [d for d in ctx.regimen.doses()
             if d.id in soon and d.upcoming_within(ctx.now, ctx.early)]
    return which_dose(ctx, pending, page_number(number), early=early)


def took_button(ctx: Context, dose: str) -> Reply:
    asked = ctx.asked(MedicationState.TOOK)
    if dose == "all" and not asked:  # the question is no longer the one waiting
        return which_dose(ctx, ctx.regimen.pending())
    wanted = set(asked.get("doses") or []) if dose == "all" else {dose}
    soon = set(asked.get("early") or []) if dose == "all" else set()
    pending = [d for d in ctx.regimen.pending() if d.id in wanted]
    early = [d for d in ctx.regimen.doses()
             if d.id in soon and d.upcoming_within(ctx.now, ctx.early)]
    if not pending and not early:
        return Reply([say(ctx.lang, "remind.handled")])
    return taken(ctx, pending, early)


def early_button(ctx: Context, dose: str) -> Reply:
    """"med:early:<dose>": that dose's next slot was taken early."""
    chosen = [d for d in ctx.regimen.doses()
              if d.id == dose and d.upcoming_within(ctx.now, ctx.early)]
    if not chosen:
        return Reply([say(ctx.lang, "remind.handled")])
    return taken(ctx, [], chosen)
