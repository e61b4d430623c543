"""Counts on hand in the chat: a typed count ("I have 30 tablets of metformin", read by
shared/medication/refill.py through the intent reader's medication layer, in any mode),
the "Refilled" button under a refill reminder (asks how many now: state supply.count),
and the answer to that question. A count for a medicine not on the list changes
nothing and says so; a count without a medicine asks which, with a button per medicine
(rf:set:<id>:<count>); nothing is ever guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from shared.domain.buttons import ID, ButtonKind
from shared.domain.channels import MAX_BUTTONS, user_key
from shared.domain.i18n import t
from shared.domain.messages import Button, Text
from shared.features.core.dialog import menu_button
from shared.features.medication.model import Medication
from shared.features.medication.repository import MedicationRepository
from shared.features.supply.model import Alert, Supply, daily_doses, days_left
from shared.features.supply.repository import SupplyRepository
from shared.features.supply.states import SupplyState
from shared.features.supply.taken import REFILLED_VERB, attach, refilled_button
from shared.medication.refill import MAX_COUNT, RefillCommand, dose_units, parse_refill
from shared.medication.text import clean, fold
from shared.plumbing.turns import Handler, Reply, Turn
from shared.ports import DocumentStore

COUNT: Final = r"[0-9]{1,4}"
KINDS: Final = (ButtonKind(REFILLED_VERB, (ID,)), ButtonKind("rf:set", (ID, COUNT)))
MEDICATION_MODE: Final = "medication"  # the medication feature's mode (its state)
# The answer to "how many now?": a number, maybe with its unit ("60", "60 tablets", "60顆").
_BARE: Final = re.compile(r"(?:i have |у меня |我有|還有|还有)?(?P<n>\d{1,4})\s*[^\d]{0,12}")


@dataclass
class RefillDialog:
    store: DocumentStore
    warn_days: int = 7

    def actions(self) -> dict[str, Handler]:
        return {"supply_refill": self.typed, "supply_button": self.button,
                "supply_count": self.answer}

    # ------------------------------------------------------------------ handlers
    def typed(self, turn: Turn) -> Reply:
        meds = self._medications(turn)
        command = parse_refill(turn.argument, [m.name for m in meds])
        if command is None:
            return Reply([Text(text=t(turn.lang, "supply.count_invalid"))])
        return self._command(turn, meds, command)

    def button(self, turn: Turn) -> Reply:
        verb, _, rest = turn.argument.partition(":")
        med_id, _, count = rest.partition(":")
        med = {m.id: m for m in self._medications(turn)}.get(med_id)
        if med is None:
            return Reply([Text(text=t(turn.lang, "supply.gone"),
                               buttons=[menu_button(turn.lang)])])
        if verb == "set" and count.isdigit():
            return self._set(turn, med, int(count))
        return self._ask_count(turn, med)

    def answer(self, turn: Turn) -> Reply:
        """The answer to "how many do you have now?" (a number, or a whole sentence)."""
        meds = self._medications(turn)
        med = {m.id: m for m in meds}.get(str(turn.data.get("medication_id") or ""))
        if med is None:
            return Reply([Text(text=t(turn.lang, "supply.gone"))],
                         next_state=MEDICATION_MODE)
        command = parse_refill(turn.argument, [m.name for m in meds])
        if command is not None and command.name not in (None, med.name):
            return self._command(turn, meds, command)
        if command is not None and command.count is not None:
            return self._set(turn, med, command.count)
        bare = _BARE.fullmatch(fold(clean(turn.argument)))
        if bare is None or int(bare["n"]) > MAX_COUNT:
            return Reply([Text(text=t(turn.lang, "supply.count_invalid"),
                               buttons=[menu_button(turn.lang)])],
                         next_state=SupplyState.COUNT, data={"medication_id": med.id})
        return self._set(turn, med, int(bare["n"]))

    # ------------------------------------------------------------------ steps
    def _command(self, turn: Turn, meds: list[Medication], command: RefillCommand) -> Reply:
        if not meds:
            return Reply([Text(text=t(turn.lang, "supply.no_medicines"))])
        if command.name is None:
            return self._which(turn, meds, command.count)
        if not command.known:
            return Reply([Text(text=t(turn.lang, "supply.unknown_medicine",
                                      name=command.name))])
        med = next(m for m in meds if m.name == command.name)
        if command.count is None:
            return self._ask_count(turn, med)
        return self._set(turn, med, command.count)

    def _which(self, turn: Turn, meds: list[Medication], count: int | None) -> Reply:
        if count is None:
            return Reply([Text(text=t(turn.lang, "supply.count_invalid"))])
        buttons = [Button(label=m.name, data=f"rf:set:{m.id}:{count}")
                   for m in sorted(meds, key=lambda m: m.name.casefold())][:MAX_BUTTONS]
        return Reply([Text(text=t(turn.lang, "supply.which", left=count), buttons=buttons)])

    def _ask_count(self, turn: Turn, med: Medication) -> Reply:
        return Reply([Text(text=t(turn.lang, "supply.ask_count", name=med.name),
                           buttons=[menu_button(turn.lang)])],
                     next_state=SupplyState.COUNT, data={"medication_id": med.id})

    def _set(self, turn: Turn, med: Medication, count: int) -> Reply:
        repo = SupplyRepository(self.store)
        supply = repo.get(med.id, med.user_id)
        if supply is None:
            supply = Supply.first(med.id, med.user_id, med.name, count, turn.now,
                                  self.warn_days)
        else:
            supply.name = med.name
            supply.refill(count, turn.now, self.warn_days)
        units = dose_units(med.dosage)
        per_day = daily_doses(med.times, med.schedule.rule, med.schedule.as_needed)
        left = days_left(supply.count, units, per_day)
        lines = [t(turn.lang, "supply.set", name=med.name, left=supply.shown_count)]
        if left is not None:
            lines.append(t(turn.lang, "supply.lasts", days=left))
        elif units is None:
            lines.append(t(turn.lang, "supply.not_counted", name=med.name,
                           dosage=med.dosage or "?"))
        alert = supply.alert(units, per_day)  # set low already: said now, once
        reply = Reply([Text(text="\n".join(lines))], next_state=MEDICATION_MODE,
                      writes=[repo.write(supply)])
        if alert is not None:
            key = "supply.out" if alert is Alert.OUT else "supply.low"
            text = Text(text=t(turn.lang, key, name=med.name, left=supply.shown_count,
                               days=left if left is not None else "?"),
                        buttons=[refilled_button(turn.lang, supply)])
            return attach(reply, [text], turn.event.channel)
        return reply

    def _medications(self, turn: Turn) -> list[Medication]:
        key = user_key(turn.event.channel, turn.event.user_id)
        return MedicationRepository(self.store).medications(key)

