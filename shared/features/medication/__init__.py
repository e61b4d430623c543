"""Medication schedules from chat commands (typed, tapped, or read by the model)."""

from __future__ import annotations

from collections.abc import Mapping

from shared.features.medication.repository import DOSE_LOG, DOSES, MEDICATIONS
from shared.features.medication.service import DIALOG, MedicationService
from shared.plumbing.collections import Collection, Erase
from shared.plumbing.features import Feature, MenuEntry, Supplies
from shared.plumbing.turns import Handler, Preparer


def _service(supplies: Supplies) -> MedicationService:
    # The model, built on first use: the dialog worker imports no SDK it does not need.
    return MedicationService(supplies.store, model=supplies.later("llm"),
                             early_s=supplies.settings.remind_early_s)


def _handlers(supplies: Supplies) -> Mapping[str, Handler]:
    return _service(supplies).actions()


def _preparers(supplies: Supplies) -> Mapping[str, Preparer]:
    return _service(supplies).preparers()


FEATURE = Feature(
    name="medication",
    dialog=DIALOG,
    handlers=_handlers,
    preparers=_preparers,
    collections=(Collection(MEDICATIONS, Erase.BY_FIELD), Collection(DOSES, Erase.BY_FIELD),
                 Collection(DOSE_LOG, Erase.BY_FIELD)),
    menu=(MenuEntry("menu.medication", "mode:med"),),
)
