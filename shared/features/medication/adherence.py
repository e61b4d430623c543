"""How a patient kept to their schedule (pure): per medicine, of the slots logged in a
period, how many were taken on time (up to an hour after the slot, or early), taken
late (more than an hour after), skipped, and missed; and a small text bar to read it
at a glance ("██████▒▒░·": on time, late, skipped, missed)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from shared.features.medication.model import SlotStatus

ON_TIME: Final = timedelta(hours=1)  # taken within an hour of the slot counts as on time
BAR: Final = 10  # characters
MARKS: Final = ("█", "▒", "░", "·")  # on time, late, skipped, missed


@dataclass(frozen=True)
class Logged:
    medication_id: str
    slot_at: datetime
    status: str
    at: datetime


@dataclass
class Tally:
    on_time: int = 0
    late: int = 0
    skipped: int = 0
    missed: int = 0

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.skipped + self.missed

    def add(self, entry: Logged) -> None:
        if entry.status == SlotStatus.TAKEN:
            if entry.at - entry.slot_at <= ON_TIME:
                self.on_time += 1
            else:
                self.late += 1
        elif entry.status == SlotStatus.SKIPPED:
            self.skipped += 1
        else:
            self.missed += 1

    def bar(self, width: int = BAR) -> str:
        """Each kind gets its share of the width (largest remainders), so the bar is
        always `width` long and a kind that occurred shows at least once."""
        counts = (self.on_time, self.late, self.skipped, self.missed)
        if not self.total:
            return MARKS[3] * width
        exact = [c * width / self.total for c in counts]
        cells = [max(int(x), 1 if c else 0) for x, c in zip(exact, counts, strict=True)]
        while sum(cells) > width:
            biggest = max(range(4), key=lambda i: cells[i])
            cells[biggest] -= 1
        order = sorted(range(4), key=lambda i: exact[i] - int(exact[i]), reverse=True)
        for i in order:
            if sum(cells) >= width:
                break
            if counts[i]:
                cells[i] += 1
        while sum(cells) < width:  # only when every share was a whole number
            cells[max(range(4), key=lambda i: counts[i])] += 1
        return "".join(mark * n for mark, n in zip(MARKS, cells, strict=True))


def tally(entries: Iterable[Logged], since: datetime) -> dict[str, Tally]:
    """Per medication id, the slots since `since` (by slot time)."""
    totals: dict[str, Tally] = {}
    for entry in entries:
        if entry.slot_at >= since:
            totals.setdefault(entry.medication_id, Tally()).add(entry)
    return totals
