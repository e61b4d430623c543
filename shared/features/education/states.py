"""The education feature's states and intents (its part of the conversation)."""

from __future__ import annotations

from enum import StrEnum


class EducationState(StrEnum):
    EDUCATION = "education"
    # After a leaflet, waiting for what to change / the target language.
    MODIFY = "education.modify"
    TRANSLATE = "education.translate"


class EducationIntent(StrEnum):
    MODE = "mode.education"
    TOPIC = "topic"
    LEAFLET_MODIFY = "leaflet.modify"  # ask what to change
    LEAFLET_MODIFY_NOW = "leaflet.modify.now"  # typed with the change ("make it shorter")
    LEAFLET_TRANSLATE_ASK = "leaflet.translate.ask"
    LEAFLET_TRANSLATE = "leaflet.translate"
    LEAFLET_ORIGINAL = "leaflet.original"
    LEAFLET_HANDOUT = "leaflet.handout"
