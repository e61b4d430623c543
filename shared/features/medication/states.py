"""The medication feature's states and intents (its part of the conversation)."""

from __future__ import annotations

from enum import StrEnum


class MedicationState(StrEnum):
    MEDICATION = "medication"


class MedicationIntent(StrEnum):
    MODE = "mode.medication"
    BUTTON = "medication.button"  # med:<action>:<argument>
