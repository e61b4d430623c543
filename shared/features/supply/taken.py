"""The hook every Taken goes through: the medication feature's one take path (typed
"done", the "which dose?" buttons, an early take: MedicationService._finish) and the
buttons under a reminder (reminders/dialog.py) call `after_taken` with the doses they
recorded taken. Each counted dose is subtracted from its supply in the same transaction
as the dose log (Reply.writes), once per slot (model.Supply.take); with few days left,
or none, the patient is told once, with a "Refilled" button.

A caregiver hears it too: the care circle implements `LowSupplyListener` (below), and
`caregiver_listeners` is the one place that names it; the hook passes each alert to
them, and their writes and jobs go in the same turn (features/circle/refills.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

from shared.domain.channels import MAX_BUTTONS, Channel
from shared.domain.i18n import t
from shared.domain.messages import Button, Text
from shared.features.medication.model import Dose, DoseLog, SlotStatus
from shared.features.supply.model import Alert, Supply, daily_doses, days_left
from shared.features.supply.repository import SupplyRepository
from shared.medication.refill import dose_units
from shared.plumbing.turns import Reply, Turn
from shared.ports import DocumentStore

REFILLED_VERB = "rf:done"


@dataclass(frozen=True)
class LowSupply:
    """One alert, as a caregiver's message needs it (no other data of the patient)."""

    patient: str  # the patient's user key
    medication_id: str
    name: str
    alert: Alert
    count: str  # what is left, as shown ("12", "0")
    days: int | None  # days it lasts (None: not a count)


class LowSupplyListener(Protocol):
    """Whoever else should hear that a patient runs low (the care circle): returns the
    writes and jobs it needs in the same turn, as a Reply (merged into the patient's)."""

    def low_supply(self, turn: Turn, alert: LowSupply) -> Reply: ...


def caregiver_listeners(store: DocumentStore) -> tuple[LowSupplyListener, ...]:
    """Who else hears that a patient runs low: the care circle (its caregivers whose link
    shares refills). Imported here, not at the top: the circle imports this module for
    LowSupply."""
    from shared.features.circle.refills import CircleRefills

    return (CircleRefills(store),)


def refilled_button(lang: str, supply: Supply) -> Button:
    return Button(label=t(lang, "supply.button.refilled", name=supply.name),
                  data=f"{REFILLED_VERB}:{supply.medication_id}")


def after_taken(reply: Reply, store: DocumentStore, turn: Turn, doses: Iterable[Dose],
                logs: Sequence[DoseLog],
                listeners: Sequence[LowSupplyListener] | None = None) -> Reply:
    """`reply` with the supplies of the doses `logs` recorded taken counted down (its
    writes) and the alerts that follow (its messages)."""
    taken = [e for e in logs if e.status is SlotStatus.TAKEN and e.medication_id]
    if not taken:
        return reply
    by_dose = {d.id: d for d in doses}
    repo = SupplyRepository(store)
    supplies: dict[str, Supply] = {}
    rates: dict[str, tuple[Fraction | None, Fraction]] = {}
    for entry in taken:
        mid = str(entry.medication_id)
        dose = by_dose.get(entry.dose_id)
        units = dose_units(dose.dosage) if dose is not None else None
        if dose is None or units is None:
            continue  # not a count ("500 mg"): never counted down
        supply = supplies.get(mid) or repo.get(mid, entry.user_id)
        if supply is None or not supply.take(f"{entry.dose_id}@{entry.slot}", units):
            continue
        supplies[mid] = supply
        times = dose.sibling_times or (dose.time,)
        rates[mid] = (units, daily_doses(times, dose.recurrence.rule))
    alerts: list[Text] = []
    others = caregiver_listeners(store) if listeners is None else listeners
    for mid, supply in supplies.items():
        units, per_day = rates[mid]
        alert = supply.alert(units, per_day)
        reply.writes = [*reply.writes, repo.write(supply)]
        if alert is None:
            continue
        left = days_left(supply.count, units, per_day)
        alerts.append(_alert_text(turn.lang, supply, alert, left))
        event = LowSupply(supply.user_id, mid, supply.name, alert, supply.shown_count, left)
        for listener in others:
            _merge_side(reply, listener.low_supply(turn, event))
    return attach(reply, alerts, turn.event.channel)


def _alert_text(lang: str, supply: Supply, alert: Alert, days: int | None) -> Text:
    key = "supply.out" if alert is Alert.OUT else "supply.low"
    return Text(text=t(lang, key, name=supply.name, count=None, left=supply.shown_count,
                       days=days if days is not None else "?"),
                buttons=[refilled_button(lang, supply)])


def attach(reply: Reply, extra: list[Text], channel: Channel) -> Reply:
    """`extra` after the reply's messages. LINE shows only the last message's quick
    reply: the earlier buttons (what is left of a reminder) move onto the last message,
    ahead of its own, within the platform's 13."""
    if not extra:
        return reply
    if channel is not Channel.TELEGRAM:
        carried = [b for m in reply.messages for b in m.buttons]
        for message in reply.messages:
            message.buttons = []
        extra[-1].buttons = [*carried, *extra[-1].buttons][:MAX_BUTTONS]
    reply.messages = [*reply.messages, *extra]
    return reply


def _merge_side(reply: Reply, side: Reply) -> None:
    reply.writes = [*reply.writes, *side.writes]
    reply.jobs = [*reply.jobs, *side.jobs]
