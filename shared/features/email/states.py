"""The email feature's state and intent (its part of the conversation)."""

from __future__ import annotations

from enum import StrEnum


class EmailState(StrEnum):
    ADDRESS = "education.email"  # after "E-mail this leaflet": waiting for the address


class EmailIntent(StrEnum):
    LEAFLET_EMAIL = "leaflet.email"  # ask for the address
    LEAFLET_EMAIL_TO = "leaflet.email.to"  # typed with the address ("email it to a@b.c")
