"""The buttons under a reminder: Taken, Snooze, Skip (rt|rz|rk:<reminder id>).

Taken and Skip answer the reminder's doses whose slot is still pending through the
medication feature's one path (taking.settle), as a typed "done" does. The doses are
read outside the dialog transaction (handlers see no transaction) and written in it;
a tick racing with the tap can at worst repeat one reminder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Final

from shared.domain.channels import user_key
from shared.domain.dialog import ANY, DialogPart, Step
from shared.domain.i18n import t
from shared.domain.messages import Text
from shared.domain.schedule import local_label, zone_of
from shared.features.medication.model import Dose, DoseLog, SlotStatus
from shared.features.medication.repository import MedicationRepository
from shared.features.medication.taking import settle
from shared.features.reminders.records import reminder_path
from shared.plumbing.turns import Handler, Reply, Turn
from shared.ports import DocumentStore


class ReminderIntent(StrEnum):
    TAKEN = "reminder.taken"
    SNOOZE = "reminder.snooze"
    SKIP = "reminder.skip"


DIALOG: Final = DialogPart(
    verbs={"rt": ReminderIntent.TAKEN, "rz": ReminderIntent.SNOOZE, "rk": ReminderIntent.SKIP},
    rows={(ANY, ReminderIntent.TAKEN): Step("reminder_taken"),
          (ANY, ReminderIntent.SNOOZE): Step("reminder_snooze"),
          (ANY, ReminderIntent.SKIP): Step("reminder_skip")},
)


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

    def resolve(self, turn: Turn, status: SlotStatus) -> Reply:
        pending = self._pending(turn)
        logs: list[DoseLog] = []
        reply = settle(turn.lang, pending, status, turn.now, logs)
        reply.writes = MedicationRepository.dose_writes(pending, logs)
        return reply

    def snooze(self, turn: Turn) -> Reply:
        later = turn.now + timedelta(seconds=self.snooze_s)
        label = ""
        pending = self._pending(turn)
        for dose in pending:
            due = dose.snooze(later)  # the next slot still starts on time
            if due is not None:
                label = local_label(due, zone_of(dose.timezone))[-5:]
        if not pending:
            return Reply([Text(text=t(turn.lang, "remind.handled"))])
        return Reply([Text(text=t(turn.lang, "remind.snoozed", time=label))],
                     writes=MedicationRepository.dose_writes(pending))

    def _pending(self, turn: Turn) -> list[Dose]:
        """The tapped reminder's doses whose slot (the one it reminded of) is pending."""
        reminder = self.store.get(reminder_path(turn.argument)) if turn.argument else None
        owner = user_key(turn.event.channel, turn.event.user_id)
        if reminder is None or reminder.get("user_id") != owner:
            return []
        slots = {str(i["dose_id"]): i["slot"] for i in reminder.get("items") or []}
        return [d for d in MedicationRepository(self.store).doses(slots)
                if d.pending is not None and d.pending.slot == slots[d.id]]
