"""When a pending dose is reminded again (pure: no I/O, no clock).

A slot is reminded at its time, even inside quiet hours (the patient chose that time).
Its repeats are bounded: at most `repeats` of them, `every` apart, none inside the
patient's quiet hours and none once the medication's next slot has started. After the
last reminder, one interval on (or at that next slot, if sooner), the slot is recorded
missed; it can still be answered (taken late, or skipped) until the next slot starts.

A repeat that would fall in quiet hours is dropped, not moved to the morning: carried
over the night it would arrive with the morning's doses, and a patient might take
yesterday's evening dose on top of today's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Final

from shared.domain.schedule import normalize_hhmm

_SPAN = re.compile(r"^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$")


@dataclass(frozen=True)
class QuietHours:
    """A nightly span of local wall time without repeats: [start, end), which may run
    over midnight. start == end: no quiet hours at all."""

    start: str = "22:00"
    end: str = "07:00"

    @classmethod
    def parse(cls, text: object) -> QuietHours | None:
        """From its stored form "22:00-07:00" (None if it is not one)."""
        match = _SPAN.match(str(text or "").strip())
        if not match:
            return None
        start, end = normalize_hhmm(match.group(1)), normalize_hhmm(match.group(2))
        return cls(start, end) if start and end else None

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"

    @property
    def empty(self) -> bool:
        return self.start == self.end

    def contains(self, instant: datetime, zone: tzinfo) -> bool:
        """Whether this instant falls in quiet hours, in the patient's local time."""
        if self.empty:
            return False
        local = instant.astimezone(zone).strftime("%H:%M")
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


DEFAULT_QUIET: Final = QuietHours()
NO_QUIET: Final = QuietHours("00:00", "00:00")


@dataclass(frozen=True)
class RepeatPolicy:
    """How often an unanswered slot is reminded again (settings: remind_repeats,
    remind_repeat_every_s; the quiet hours are the patient's)."""

    repeats: int = 3
    every: timedelta = timedelta(hours=1)
    quiet: QuietHours = field(default=DEFAULT_QUIET)

    def with_quiet(self, quiet: QuietHours | None) -> RepeatPolicy:
        return self if quiet is None else RepeatPolicy(self.repeats, self.every, quiet)

    def next_repeat(self, sent: int, now: datetime, until: datetime,
                    zone: tzinfo) -> datetime | None:
        """When the slot is reminded again after its `sent`-th reminder went at `now`;
        None when that was the last one (no repeats left, the next one would fall in
        quiet hours or after the medication's next slot has started)."""
        if sent > self.repeats:
            return None
        at = now + self.every
        if at >= until or self.quiet.contains(at, zone):
            return None
        return at

    def missed_at(self, now: datetime, until: datetime) -> datetime:
        """When a slot whose last reminder went at `now` is recorded missed."""
        return min(now + self.every, until)


def unbounded(every: timedelta) -> RepeatPolicy:
    """The policy before issue 11: repeated every interval until the next slot, night
    and day (kept for tests of the slot mechanics)."""
    return RepeatPolicy(repeats=10**6, every=every, quiet=NO_QUIET)
