"""Result types of the medication-command parser."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.medication.recurrence import RuleError, canonical_rule, rule_freq

CommandKind = Literal[
    "add",
    "delete",
    "list",
    "time_change",
    "dose_change",
    "timezone_change",
    "done",
    "last_taken",
    "help",
    "unknown",
]

_HHMM = re.compile(r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$")


class CommandItem(BaseModel):
    """One medication named in a command.

    The schedule of an item is `rrule` applied from each of its `times` on its `start` day
    (see shared/medication/recurrence.py for the rule conventions):

    * rrule None: every day at `times` (as before rules existed);
    * rrule "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=DAILY;INTERVAL=2", "FREQ=HOURLY;INTERVAL=8"
      (one time: the first dose), a course "FREQ=DAILY;COUNT=5" or "...;UNTIL=<last day>";
    * "FREQ=WEEKLY" without BYDAY: the weekday is missing and the dialog asks for it;
    * times []: the times (or the first dose of an hourly rule) are missing and the dialog
      asks; `doses_per_day` then says how many a day ("three times a day");
    * as_needed: no reminders at all (no rule, no times), optionally with `max_per_day`.
    * start: the first day when the message names one ("starting tomorrow"); None means
      the day the command is carried out.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    times: list[str] = Field(default_factory=list)  # "HH:MM", 24 h, zero-padded
    dosage: str | None = None
    rrule: str | None = None  # RFC 5545 RRULE value, no DTSTART, no "RRULE:"; None = daily
    as_needed: bool = False
    max_per_day: int | None = Field(default=None, ge=1, le=24)  # as needed: the daily limit
    doses_per_day: int | None = Field(default=None, ge=1, le=24)  # stated, times not given
    start: date | None = None

    @field_validator("rrule")
    @classmethod
    def _valid_rule(cls, value: str | None) -> str | None:
        # Every rule, the parser's or the model's, must be one dateutil reads and we follow.
        if value is None:
            return None
        try:
            return canonical_rule(value)
        except RuleError as error:
            raise ValueError(f"unsupported recurrence rule: {error}") from error

    @model_validator(mode="after")
    def _consistent_schedule(self) -> CommandItem:
        if self.as_needed and (self.rrule or self.times or self.doses_per_day):
            raise ValueError("an as-needed medication has no schedule")
        if self.max_per_day is not None and not self.as_needed:
            raise ValueError("a daily maximum belongs to an as-needed medication")
        if self.doses_per_day is not None and self.times:
            raise ValueError("doses_per_day stands for times that are not given")
        if self.rrule and rule_freq(self.rrule) == "HOURLY" and len(self.times) > 1:
            raise ValueError("an hourly rule starts from one time")
        return self

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
