"""What a reminder says and offers, and how it reads once answered (pure).

A reminder lists each dose once: its slot time (and date, when that is not today in
the patient's zone), its name and dosage as typed, ordered by slot, then name, then
dose (the same order in every repeat). Under it: a Taken button per medicine with
its name, All taken, Snooze and Skip (those two ask which one when several are left);
a reminder of one dose keeps Taken, Snooze, Skip. Answered items are marked in the
text, and only what is left keeps buttons (Telegram shows it by editing the message).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Final

from shared.domain.channels import MAX_BUTTONS
from shared.domain.i18n import t
from shared.domain.messages import Button, Text
from shared.domain.schedule import local_label, zone_of
from shared.features.medication.model import fold
from shared.features.reminders.answers import ALL, PICK, Verb, data
from shared.ports import Doc

# How an item was answered, as stored on the reminder (reminders/{rid}.answers).
TAKEN: Final = "taken"
SKIPPED: Final = "skipped"
SNOOZED: Final = "snoozed"
HANDLED: Final = "handled"  # answered another way (typed, another reminder)
CLOSED: Final = frozenset({TAKEN, SKIPPED, HANDLED})

Answers = Mapping[str, Doc]  # item index (as text) -> {"status", "time"?}
NONE: Final[Answers] = MappingProxyType({})


def ordered(items: Sequence[Doc]) -> list[Doc]:
    """By slot, then name, then dose: stable from one repeat to the next."""
    return sorted(items, key=lambda i: (str(i["slot"]), fold(str(i.get("name") or "")),
                                        str(i["dose_id"])))


def when(item: Doc, now: datetime) -> str:
    """The slot's local time, with its date when that is not today."""
    zone = zone_of(str(item.get("zone") or "UTC"))
    try:
        slot = datetime.fromisoformat(str(item["slot"]))
    except ValueError:
        return str(item.get("time") or "")
    if slot.astimezone(zone).date() == now.astimezone(zone).date():
        return slot.astimezone(zone).strftime("%H:%M")
    return local_label(slot, zone)


def left(items: Sequence[Doc], answers: Answers) -> list[int]:
    """Indices of the items still open (a snoozed one is still open)."""
    return [n for n in range(len(items))
            if str((answers.get(str(n)) or {}).get("status")) not in CLOSED]


def text(lang: str, items: Sequence[Doc], now: datetime, answers: Answers = NONE) -> str:
    repeat = any(int(i.get("sent") or 1) > 1 for i in items)
    lines = [t(lang, "remind.again" if repeat else "remind.title")]
    for n, item in enumerate(items):
        line = t(lang, "remind.item", time=when(item, now), name=item["name"],
                 dosage=item.get("dosage") or "").rstrip()
        answer = answers.get(str(n)) or {}
        if answer.get("status"):
            line += " " + t(lang, f"remind.mark.{answer['status']}",
                            time=answer.get("time") or "")
        lines.append(line)
    still = set(left(items, answers))
    last = _unique(str(items[n]["name"]) for n in range(len(items))
                   if n in still and items[n].get("last"))
    if last:
        lines.append(t(lang, "remind.last", names=", ".join(last)))
    # A course's last dose (said once: only its first reminder carries the mark).
    ending = _unique(str(i["name"]) for i in items if i.get("course_end"))
    if ending:
        lines.append(t(lang, "remind.course_end", names=", ".join(ending)))
    return "\n".join(lines)


def buttons(lang: str, rid: str, items: Sequence[Doc], answers: Answers = NONE) -> list[Button]:
    """Taken per medicine, All taken, Snooze, Skip, for the items left."""
    open_items = left(items, answers)
    if not open_items:
        return []
    if len(open_items) == 1:
        n = open_items[0]
        return [Button(label=t(lang, "button.taken"), data=data(Verb.TAKEN, rid, n)),
                Button(label=t(lang, "button.snooze"), data=data(Verb.SNOOZE, rid, n)),
                Button(label=t(lang, "button.skip"), data=data(Verb.SKIP, rid, n))]
    common = [Button(label=t(lang, "button.taken_all"), data=data(Verb.TAKEN, rid, ALL)),
              Button(label=t(lang, "button.snooze"), data=data(Verb.SNOOZE, rid, PICK)),
              Button(label=t(lang, "button.skip"), data=data(Verb.SKIP, rid, PICK))]
    each = [Button(label=t(lang, "button.taken_one", name=items[n]["name"]),
                   data=data(Verb.TAKEN, rid, n)) for n in open_items]
    if len(each) + len(common) > MAX_BUTTONS:
        # More medicines at once than buttons fit: Taken asks which one.
        each = [Button(label=t(lang, "button.taken_which"), data=data(Verb.TAKEN, rid, PICK))]
    return [*each, *common]


def message(lang: str, rid: str, items: Sequence[Doc], now: datetime,
            answers: Answers = NONE) -> Text:
    return Text(text=text(lang, items, now, answers), buttons=buttons(lang, rid, items, answers))


def pick(lang: str, verb: Verb, rid: str, items: Sequence[Doc], answers: Answers) -> Text:
    """Which one? A button per item left (its name), and All."""
    open_items = left(items, answers)[: MAX_BUTTONS - 1]
    options = [Button(label=str(items[n]["name"]), data=data(verb, rid, n)) for n in open_items]
    every = Button(label=t(lang, "med.done.all"), data=data(verb, rid, ALL))
    return Text(text=t(lang, f"remind.pick.{verb.name.lower()}"), buttons=[*options, every])


def _unique(names: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(fold(name), name)
    return list(seen.values())
