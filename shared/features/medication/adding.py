"""Adding medications ("add aspirin 100 mg at 8 and 20", "methotrexate every Monday at
9", "amoxicillin three times a day for 5 days", "ibuprofen as needed"), several in one
message. What a message leaves unsaid (the weekday, the times, the first dose) is asked
back with buttons (questions.py), and each answer completes the item; a medicine already
on the list is never changed silently, and never given another frequency by "add these
times" (a weekly medicine stays weekly)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, tzinfo
from typing import Final

from shared.domain.i18n import t
from shared.domain.messages import Button, Text
from shared.domain.schedule import local_label, zone_of
from shared.features.medication.common import (
    MAX_MEDICATIONS,
    MAX_TIMES,
    Context,
    dosage_suffix,
    merge,
    say,
)
from shared.features.medication.model import Medication, Schedule, clean_times, first_slot, fold
from shared.features.medication.questions import BY_STATE, gap_of, restored, waiting
from shared.features.medication.states import MedicationState
from shared.medication.models import CommandItem as Item
from shared.medication.models import ParsedCommand as Command
from shared.medication.parser import parse_command
from shared.medication.recurrence import WEEKDAY_CODES
from shared.plumbing.turns import Reply


def add(ctx: Context, command: Command) -> Reply:
    if not command.items:
        return Reply([say(ctx.lang, "med.unknown")])
    over = _over_limit(ctx, command)
    if over is not None:
        return Reply([say(ctx.lang, over, count=MAX_TIMES if over.endswith("times")
                          else MAX_MEDICATIONS)])
    reply = Reply()
    for n, item in enumerate(command.items):
        item = item.model_copy(update={"times": clean_times(item.times)})
        rest = list(command.items[n + 1:])
        gap = gap_of(item)
        if gap is not None:
            # Ask for what is missing; the answer (a button) completes this item.
            return merge(reply, Reply([say(ctx.lang, gap.text, gap.buttons(ctx.lang, item),
                                           name=item.name, count=item.doses_per_day)],
                                      next_state=gap.state, data=waiting(item, rest)))
        existing = ctx.regimen.find(item.name)
        if existing is not None:
            # Never overwritten silently: add these times, replace, or another one?
            return merge(reply, ask_exists(ctx, existing, item, rest))
        reply = merge(reply, add_item(ctx, item))
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


def answer(verb: str) -> Callable[[Context, str], Reply]:
    """The handler of "med:<verb>:<argument>": the answer to the question waiting (a
    row of QUESTIONS with that verb), which completes its item; then the command runs
    on. A button of a question no longer waiting is not understood."""
    def handle(ctx: Context, argument: str) -> Reply:
        gap = BY_STATE.get(MedicationState(ctx.turn.state)) \
            if ctx.turn.state in set(MedicationState) else None
        held = restored(ctx.turn.data) if gap is not None and gap.verb == verb else None
        item = gap.complete(held[0], argument) if gap is not None and held else None
        if held is None or item is None or ctx.zone is None:
            return Reply([say(ctx.lang, "med.unknown")])
        reply = add(ctx, Command(kind="add", items=[item, *held[1]]))
        reply.next_state = reply.next_state or MedicationState.MEDICATION  # answered
        return reply
    return handle


def typed_answer(ctx: Context, text: str) -> Reply | None:
    """A typed answer to the question waiting ("Monday and Thursday", "8:00 and 20:00"):
    read as if it followed "add <the medicine>", and only what the question asked is
    taken from it. None: no such question waits, or the text is not such an answer (it
    is then read as any message)."""
    state = ctx.turn.state
    gap = BY_STATE.get(MedicationState(state)) if state in set(MedicationState) else None
    held = restored(ctx.turn.data) if gap is not None else None
    if gap is None or held is None or ctx.zone is None:
        return None
    today = ctx.now.astimezone(zone_of(ctx.zone)).date()
    said = parse_command(f"add {held[0].name} {text}", today=today)
    if said is None or said.kind != "add" or len(said.items) != 1:
        return None
    item = gap.typed(held[0], said.items[0])
    if item is None:
        return None
    reply = add(ctx, Command(kind="add", items=[item, *held[1]]))
    reply.next_state = reply.next_state or MedicationState.MEDICATION  # answered
    return reply


def schedule_of(ctx: Context, item: Item) -> Schedule:
    """The item's schedule. A rule without a start day begins on the first day none of
    whose times has passed yet (today, else tomorrow): a 5-day course added at 10:00
    with 08:00 in it loses no dose, and what the patient is told (the first reminders)
    is what happens."""
    assert ctx.zone is not None
    start = item.start
    if start is None and item.rrule is not None and item.times:
        local = ctx.now.astimezone(zone_of(ctx.zone))
        today = local.date()
        start = today if local.strftime("%H:%M") < min(item.times) else today + timedelta(1)
    return Schedule.of(item.times, item.rrule, start, item.as_needed, item.max_per_day)


def add_item(ctx: Context, item: Item) -> Reply:
    """Save this (complete) item: a new medicine, or its times on the one of that name."""
    assert ctx.zone is not None
    schedule = schedule_of(ctx, item)
    med = ctx.regimen.add(item.name, item.dosage, item.times, ctx.zone, ctx.now, schedule)
    return confirm(ctx, med, item.times)


def add_one(ctx: Context, name: str, dosage: str | None, times: list[str]) -> Reply:
    """More times for a medicine, with its own schedule's rule."""
    return add_item(ctx, Item(name=name, dosage=dosage, times=times))


def confirm(ctx: Context, med: Medication, times: Sequence[str]) -> Reply:
    """What was saved. Beyond every day, the next reminders are named with their
    weekday (a weekly medicine shows it is weekly) and a course its last dose."""
    assert ctx.zone is not None
    zone = zone_of(ctx.zone)
    suffix = dosage_suffix(med.dosage)
    if med.schedule.as_needed:
        key = "med.added.as_needed_max" if med.schedule.max_per_day else "med.added.as_needed"
        return Reply([say(ctx.lang, key, name=med.name, dosage=suffix,
                          count=med.schedule.max_per_day)])
    part = replace(med.schedule, times=tuple(times))
    first = first_slot(part, ctx.zone, ctx.now)
    if med.schedule.daily and med.schedule.start is None and first is not None:
        return Reply([say(ctx.lang, "med.added", name=med.name, dosage=suffix,
                          times=", ".join(med.times), first=local_label(first, zone))])
    upcoming = next_slots(part, zone, ctx.now, 3)
    lines = [t(ctx.lang, "med.added.rule", name=med.name, dosage=suffix,
               times=", ".join(med.times),
               next=", ".join(day_label(ctx.lang, s, zone) for s in upcoming)
               or t(ctx.lang, "med.added.none"))]
    last = med.schedule.last_slot(zone)
    if last is not None:
        lines.append(t(ctx.lang, "med.added.last", last=day_label(ctx.lang, last, zone)))
    return Reply([Text(text="\n".join(lines))])


def next_slots(schedule: Schedule, zone: tzinfo, now: datetime, count: int) -> list[datetime]:
    """The schedule's next `count` slots after now (all its times together)."""
    found: list[datetime] = []
    cursor = {h: a.next_after(now, zone) for h, a in schedule.recurrences().items()}
    while len(found) < count:
        live = {h: s for h, s in cursor.items() if s is not None}
        if not live:
            break
        hhmm = min(live, key=lambda h: live[h])
        found.append(live[hhmm])
        cursor[hhmm] = schedule.at(hhmm).next_after(live[hhmm], zone)
    return found


def day_label(lang: str, instant: datetime, zone: tzinfo) -> str:
    """"Mon 2026-03-02 09:00" in the patient's language and zone."""
    local = instant.astimezone(zone)
    weekday = t(lang, f"med.weekday.{WEEKDAY_CODES[local.weekday()]}")
    return f"{weekday} {local_label(instant, zone)}"


# --------------------------------------------------------------------------- already there
EXISTS_ACTIONS: Final = ("add", "replace", "other")


def same_kind(med: Medication, item: Item) -> bool:
    """Adding the item's times to the medicine changes no dose's frequency: the same
    rule (a weekly medicine never gets a daily time, nor a daily one a weekly time)."""
    schedule = med.schedule
    return (item.rrule == schedule.rule and item.as_needed == schedule.as_needed
            and not item.as_needed and (item.start is None or item.start == schedule.start))


def can_add_times(med: Medication, item: Item) -> bool:
    same_dose = not item.dosage or fold(item.dosage) == fold(med.dosage)
    return same_dose and same_kind(med, item) and bool(item.times)


def replacement(ctx: Context, med: Medication, item: Item) -> Schedule:
    """The schedule that replaces the medicine's. An item that states no frequency
    (rule None: "add methotrexate at 9") keeps the medicine's rule with the new times: a
    weekly medicine never becomes daily by a change (to take it every day, it is
    deleted and added again, on purpose)."""
    schedule = schedule_of(ctx, item)
    if schedule.daily and med.schedule.rule is not None:
        return replace(med.schedule, times=schedule.times)
    return schedule


def ask_exists(ctx: Context, med: Medication, item: Item, rest: Sequence[Item] = ()) -> Reply:
    """The medicine is on the list already: what should this "add" do? "Add these
    times" is offered only when it changes no dose (no dosage given, or the same) and
    no frequency (the same rule)."""
    actions = [a for a in EXISTS_ACTIONS if a != "add" or can_add_times(med, item)]
    buttons = [Button(label=t(ctx.lang, f"med.exists.{a}"), data=f"med:dup:{a}")
               for a in actions]
    new = f"{item.name}{dosage_suffix(item.dosage)} {', '.join(item.times)}".strip()
    return Reply([say(ctx.lang, "med.exists.ask", buttons, name=med.name,
                      dosage=med.dosage or "-", times=", ".join(med.times) or "-", new=new)],
                 next_state=MedicationState.EXISTS, data=waiting(item, list(rest)))


def exists_button(ctx: Context, action: str) -> Reply:
    """The answer to "already on your list": what the patient chose, then the rest of
    the command that asked."""
    held = restored(ctx.asked(MedicationState.EXISTS))
    med = ctx.regimen.find(held[0].name) if held else None
    if held is None or med is None or action not in EXISTS_ACTIONS or ctx.zone is None:
        return Reply([say(ctx.lang, "med.exists.gone")], next_state=MedicationState.MEDICATION)
    item, rest = held
    if action == "other":
        reply = Reply([say(ctx.lang, "med.exists.other_hint", name=med.name,
                           dosage=item.dosage or "", times=", ".join(item.times))])
    elif action == "add":
        if not can_add_times(med, item):  # a stale button: never another frequency
            return ask_exists(ctx, med, item, rest)
        reply = add_one(ctx, med.name, None, item.times)
    else:  # replace: the schedule (and the dose, if one was given) as now typed
        med.replace_schedule(replacement(ctx, med, item), item.dosage, ctx.zone, ctx.now)
        reply = confirm(ctx, med, item.times)
    reply.next_state = MedicationState.MEDICATION
    if rest:
        reply = merge(reply, add(ctx, Command(kind="add", items=rest)))
    return reply
