"""The states of a dose's slots and what a step of a dose returns (pure; see model.py
for the slots' state machine, which these are part of)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple


class SlotStatus(StrEnum):
    TAKEN = "taken"
    SKIPPED = "skipped"
    MISSED = "missed"


class Phase(StrEnum):
    """Where a pending slot is in its reminders."""

    OPEN = "open"  # reminded; another reminder is planned (a repeat, a snooze)
    LAST = "last"  # its last reminder went; recorded missed when next due
    MISSED = "missed"  # recorded missed; a late answer still replaces that record


@dataclass(frozen=True)
class PendingSlot:
    """A slot being reminded about until it is answered."""

    slot: str  # its instant, ISO UTC (slot_key)
    sent: int  # reminders sent for it
    until: datetime | None = None  # when the medication's next slot starts (UTC)
    phase: Phase = Phase.OPEN

    @property
    def open(self) -> bool:
        """Still being reminded (not yet recorded missed)."""
        return self.phase is not Phase.MISSED


@dataclass(frozen=True)
class Reminded:
    """The reminder message that stands for a slot (reminders/{rid})."""

    slot: str
    rid: str


@dataclass(frozen=True)
class DoseLog:
    """How a slot ended."""

    dose_id: str
    user_id: str
    medication_id: str | None
    slot: str
    status: SlotStatus
    at: datetime


class Tick(NamedTuple):
    remind: bool  # send a reminder for the pending slot
    missed: DoseLog | None  # a slot recorded missed by this step
    last: bool = False  # the reminder is the slot's last one
    closed: str | None = None  # a slot that stopped being answerable (its reminder goes)
    # A slot that started and ended before this (late) step: its medicine's next slot
    # had begun already, so it is recorded missed and never reminded.
    stale: DoseLog | None = None


class Early(NamedTuple):
    taken: DoseLog  # the upcoming slot, recorded taken before its time
    missed: DoseLog | None  # a slot still pending then, recorded missed
