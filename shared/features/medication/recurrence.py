"""A medication's schedule as a value object (pure): today "every day at these local
times" (DailyTimes, one DailyAt recurrence per dose). A later schedule (issue 14: RFC
5545 rules, every N hours, courses, as needed) replaces it with other recurrences behind
the same `next_after`; the dose's slot state (model.py) does not change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Protocol

from shared.domain.schedule import next_occurrence


class Recurrence(Protocol):
    """When a dose falls due."""

    def next_after(self, after: datetime, zone: tzinfo) -> datetime:
        """The first instant (UTC) strictly after `after`."""
        ...


@dataclass(frozen=True)
class DailyAt:
    """Every day at one local wall time."""

    time: str  # "HH:MM"

    def next_after(self, after: datetime, zone: tzinfo) -> datetime:
        return next_occurrence(self.time, zone, after)


@dataclass(frozen=True)
class DailyTimes:
    """A medication's schedule: every day at these local times (sorted, distinct)."""

    times: tuple[str, ...] = ()

    @classmethod
    def of(cls, times: Iterable[str]) -> DailyTimes:
        return cls(tuple(sorted(set(times))))

    def recurrences(self) -> dict[str, DailyAt]:
        return {hhmm: DailyAt(hhmm) for hhmm in self.times}

    def plus(self, times: Iterable[str]) -> DailyTimes:
        return DailyTimes.of([*self.times, *times])

    def minus(self, times: Iterable[str]) -> DailyTimes:
        gone = set(times)
        return DailyTimes(tuple(h for h in self.times if h not in gone))
