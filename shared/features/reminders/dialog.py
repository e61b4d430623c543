"""The buttons under a reminder (data: answers.py): Taken for one medicine or all,
Snooze and Skip for one (asked which) or all.

Taken and Skip answer the chosen doses whose slot is still pending through the
medication feature's one path (taking.settle), as a typed "done" does. The doses are
read outside the dialog transaction (handlers see no transaction) and written in it;
a tick racing with the tap can at worst repeat one reminder. The reminder records what
was answered (reminders/{rid}.answers); on Telegram its message is edited (the text
marks what is done, the keyboard keeps what is left), on LINE, which cannot edit, the
answer is a short confirmation naming exactly what was recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Final

from shared.domain.channels import Channel, user_key
from shared.domain.dialog import ANY, DialogPart, Step
from shared.domain.i18n import t
from shared.domain.messages import Edit, OutMessage, Text
from shared.domain.schedule import local_label, zone_of
from shared.features.medication.model import Dose, DoseLog, SlotStatus
from shared.features.medication.repository import MedicationRepository
from shared.features.medication.taking import settle
from shared.features.reminders import content
from shared.features.reminders.answers import KINDS, Answer, Verb, read
from shared.features.reminders.records import reminder_path
from shared.features.supply.taken import after_taken
from shared.plumbing.turns import Handler, Reply, Turn
from shared.ports import Doc, DocumentStore


class ReminderIntent(StrEnum):
    TAKEN = "reminder.taken"
    SNOOZE = "reminder.snooze"
    SKIP = "reminder.skip"


DIALOG: Final = DialogPart(
    # Each button names its reminder: it answers that reminder, never a later one
    # (the grammar of its data: answers.py).
    kinds={KINDS[Verb.TAKEN]: ReminderIntent.TAKEN, KINDS[Verb.SNOOZE]: ReminderIntent.SNOOZE,
           KINDS[Verb.SKIP]: ReminderIntent.SKIP},
    rows={(ANY, ReminderIntent.TAKEN): Step("reminder_taken"),
          (ANY, ReminderIntent.SNOOZE): Step("reminder_snooze"),
          (ANY, ReminderIntent.SKIP): Step("reminder_skip")},
)


@dataclass
class Tapped:
    """The reminder a button was under, and the doses the tap chose."""

    answer: Answer
    rid: str
    doc: Doc
    items: list[Doc]
    chosen: list[int]  # item indices
    doses: dict[int, Dose]  # those of them whose slot is still pending

    @property
    def answers(self) -> dict[str, Doc]:
        return dict(self.doc.get("answers") or {})


@dataclass
class ReminderButtons:
    store: DocumentStore
    snooze_s: int = 900

    def actions(self) -> dict[str, Handler]:
        return {
            "reminder_taken": lambda turn: self.resolve(turn, SlotStatus.TAKEN),
            "reminder_skip": lambda turn: self.resolve(turn, SlotStatus.SKIPPED),
            "reminder_snooze": self.snooze,
        }

    # ------------------------------------------------------------------ answers
    def resolve(self, turn: Turn, status: SlotStatus) -> Reply:
        verb = Verb.TAKEN if status is SlotStatus.TAKEN else Verb.SKIP
        tapped = self._tapped(turn)
        if tapped is None or not tapped.doses:
            return self._handled(turn, tapped)
        if tapped.answer.pick:
            return Reply([content.pick(turn.lang, verb, tapped.rid, tapped.items,
                                       tapped.answers)])
        logs: list[DoseLog] = []
        doses = list(tapped.doses.values())
        reply = settle(turn.lang, doses, status, turn.now, logs)
        settled = {e.dose_id for e in logs}
        marks = {n: {"status": status.value} for n, d in tapped.doses.items() if d.id in settled}
        reply.writes = MedicationRepository.dose_writes(doses, logs)
        # Each dose taken counts down its supply (features/supply), once per slot.
        return after_taken(self._shown(turn, tapped, marks, reply), self.store, turn, doses,
                           logs)

    def snooze(self, turn: Turn) -> Reply:
        tapped = self._tapped(turn)
        if tapped is None or not tapped.doses:
            return self._handled(turn, tapped)
        if tapped.answer.pick:
            return Reply([content.pick(turn.lang, Verb.SNOOZE, tapped.rid, tapped.items,
                                       tapped.answers)])
        later = turn.now + timedelta(seconds=self.snooze_s)
        marks: dict[int, Doc] = {}
        label = ""
        for n, dose in tapped.doses.items():
            due = dose.snooze(later)  # the medication's next slot still starts on time
            if due is not None:
                label = local_label(due, zone_of(dose.timezone))[-5:]
                marks[n] = {"status": content.SNOOZED, "time": label}
        reply = Reply([Text(text=t(turn.lang, "remind.snoozed", time=label))],
                      writes=MedicationRepository.dose_writes(tapped.doses.values()))
        return self._shown(turn, tapped, marks, reply)

    # ------------------------------------------------------------------ the message
    def _shown(self, turn: Turn, tapped: Tapped, marks: dict[int, Doc], reply: Reply) -> Reply:
        """The reminder records the answers; Telegram shows them in its message (the
        confirmation is said only if it cannot be edited), LINE in the confirmation."""
        answers = {**tapped.answers, **{str(n): mark for n, mark in marks.items()}}
        # Items answered meanwhile another way (typed "done", a later reminder) go too.
        for n in range(len(tapped.items)):
            if n in tapped.chosen and n not in tapped.doses and str(n) not in answers:
                answers[str(n)] = {"status": content.HANDLED}
        reply.writes = [*reply.writes, (reminder_path(tapped.rid), {**tapped.doc,
                                                                    "answers": answers})]
        ids = [str(i) for i in tapped.doc.get("message_ids") or []]
        if turn.event.channel is not Channel.TELEGRAM or not ids:
            # LINE's quick reply goes with the next message: what is left rides on the
            # confirmation, so the other medicines can still be answered.
            left = content.buttons(turn.lang, tapped.rid, tapped.items, answers)
            first = reply.messages[0] if reply.messages else None
            if left and isinstance(first, Text) and not first.buttons:
                reply.messages[0] = first.model_copy(update={"buttons": left})
            return reply
        shown = content.message(turn.lang, tapped.rid, tapped.items, turn.now, answers)
        confirmation: OutMessage | None = reply.messages[0] if reply.messages else None
        fallback = confirmation if isinstance(confirmation, Text) else None
        reply.edits = [Edit(message_id=ids[-1], message=shown, fallback=fallback)]
        tapped_on = str(turn.event.message_id or "")
        if tapped_on and tapped_on not in ids and fallback is not None:
            # Tapped under a "which one?" question: it now says what was recorded.
            reply.edits.append(Edit(message_id=tapped_on, message=fallback))
        reply.messages = []
        return reply

    def _handled(self, turn: Turn, tapped: Tapped | None) -> Reply:
        """Nothing left to answer: say so (Telegram: the reminder loses its buttons)."""
        reply = Reply([Text(text=t(turn.lang, "remind.handled"))])
        if tapped is not None and tapped.answer.item is None and not tapped.answer.pick:
            marks = {n: {"status": content.HANDLED} for n in tapped.chosen}
            return self._shown(turn, tapped, marks, reply)
        return reply

    # ------------------------------------------------------------------ reading
    def _tapped(self, turn: Turn) -> Tapped | None:
        """The tapped reminder's chosen doses whose slot (the one it reminded of) is
        still pending; None if the button is not one of this user's reminders."""
        answer = read(turn.argument)
        if answer is None:
            # Reminders sent before issue 11 carry the bare id: Taken/Skip/Snooze all.
            answer = read(f"{turn.argument}:a") if ":" not in turn.argument else None
        if answer is None:
            return None
        doc = self.store.get(reminder_path(answer.rid))
        owner = user_key(turn.event.channel, turn.event.user_id)
        if doc is None or doc.get("user_id") != owner:
            return None
        items = [i for i in doc.get("items") or [] if isinstance(i, dict)]
        answers = dict(doc.get("answers") or {})
        if answer.item is not None:
            chosen = [answer.item] if answer.item < len(items) else []
        else:
            chosen = content.left(items, answers)
        reading = MedicationRepository(self.store).doses(str(items[n]["dose_id"]) for n in chosen)
        by_id = {d.id: d for d in reading}
        doses = {n: by_id[str(items[n]["dose_id"])] for n in chosen
                 if (d := by_id.get(str(items[n]["dose_id"]))) is not None
                 and d.pending is not None and d.pending.slot == items[n]["slot"]}
        return Tapped(answer, answer.rid, doc, items, chosen, doses)
