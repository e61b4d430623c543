"""What the patient has on hand: refill counts, counted down by each Taken, one refill
reminder when it runs low."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from shared.domain.dialog import ANY, DialogPart, Intent, ScreenOf, Step
from shared.domain.reading import Mode, Question
from shared.features.supply.refills import KINDS, MEDICATION_MODE, RefillDialog
from shared.features.supply.repository import SUPPLIES
from shared.features.supply.states import SupplyIntent as I
from shared.features.supply.states import SupplyState as S
from shared.plumbing.collections import Collection, Erase
from shared.plumbing.features import Feature, Supplies
from shared.plumbing.turns import Handler

DIALOG: Final = DialogPart(
    # "How many now?" is asked inside medication mode: its rows apply there too.
    states={S.COUNT: MEDICATION_MODE},
    kinds=dict.fromkeys(KINDS, I.BUTTON),
    # A count typed in any mode (the medication layer of the intent reader).
    readings={"medication:refill": I.REFILL},
    screens={S.COUNT: ScreenOf(Mode.MEDICATION, Question.TEXT)},
    rows={
        (ANY, I.REFILL): Step("supply_refill", MEDICATION_MODE),
        (ANY, I.BUTTON): Step("supply_button"),
        (S.COUNT, Intent.TEXT): Step("supply_count"),
    },
)


def _handlers(supplies: Supplies) -> Mapping[str, Handler]:
    return RefillDialog(supplies.store, supplies.settings.refill_warn_days).actions()


FEATURE = Feature(
    name="supply",
    dialog=DIALOG,
    handlers=_handlers,
    # Counts on hand, per medication (erased with the user's other documents).
    collections=(Collection(SUPPLIES, Erase.BY_FIELD),),
)
