"""Medication schedules from chat commands (typed, tapped, or read by the model)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shared.domain.reading import Command
from shared.features.medication.repository import (
    DOSE_LOG,
    DOSES,
    MEDICATIONS,
    MedicationRepository,
)
from shared.features.medication.service import DIALOG, MedicationService
from shared.features.medication.views import CalendarLinks
from shared.medication.history_words import read_history_question
from shared.medication.parser import parse_command
from shared.medication.refill import parse_refill
from shared.plumbing.collections import Collection, Erase
from shared.plumbing.features import CommandReader, Feature, MenuEntry, Supplies
from shared.plumbing.files import CALENDAR_FILES
from shared.plumbing.turns import Handler, Preparer


def _service(supplies: Supplies) -> MedicationService:
    # The model, built on first use: the dialog worker imports no SDK it does not need.
    return MedicationService(supplies.store, model=supplies.later("llm"),
                             early_s=supplies.settings.remind_early_s, zones=supplies.zones,
                             links=CalendarLinks(supplies.later("link_bucket"),
                                                 supplies.settings.calendar_link_ttl_s))


@dataclass(frozen=True)
class _Commands:
    """Medication commands in any mode: the deterministic parser and the user's names."""

    repo: MedicationRepository

    def names(self, user: str) -> Sequence[str]:
        return [m.name for m in self.repo.medications(user)]

    def parse(self, text: str, names: Sequence[str]) -> Command | None:
        # A schedule command first; "what did I take yesterday?" (a question about the
        # dose log); else a count on hand (the supply feature's).
        return (parse_command(text, list(names)) or read_history_question(text)
                or parse_refill(text, names))


def _commands(supplies: Supplies) -> CommandReader:
    return _Commands(MedicationRepository(supplies.store))


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
    files=(CALENDAR_FILES,),  # the .ics files of "Add to calendar"
    menu=(MenuEntry("menu.medication", "mode:med"),),
    commands=_commands,
)
