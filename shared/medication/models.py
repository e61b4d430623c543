"""Result types of the medication-command parser."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CommandKind = Literal[
    "add",
    "delete",
    "list",
    "time_change",
    "dose_change",
    "timezone_change",
    "done",
    "help",
    "unknown",
]

_HHMM = re.compile(r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$")


class CommandItem(BaseModel):
    """One medication named in a command."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    times: list[str] = Field(default_factory=list)  # "HH:MM", 24 h, zero-padded
    dosage: str | None = None

    @field_validator("times")
    @classmethod
    def _valid_times(cls, times: list[str]) -> list[str]:
        # Defence in depth: the parser never builds a bad time, but a caller might.
        for value in times:
            if not _HHMM.match(value):
                raise ValueError(f"not an HH:MM time: {value!r}")
        return times


class ParsedCommand(BaseModel):
    """A medication command the parser is sure about."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: CommandKind
    items: list[CommandItem] = Field(default_factory=list)
    timezone: str | None = None  # IANA name ("Europe/Berlin") or offset ("+03:00")
