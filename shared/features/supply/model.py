"""What a patient has on hand of each medicine (pure: no I/O, no clock).

A Supply is the count of one medication the patient told us ("I have 30 tablets of
metformin"), counted down by each dose recorded taken when the dose is a count
(refill.dose_units: "1 tablet" yes, "500 mg" no). Each taken slot is counted once: the
supply keeps the keys of the slots it counted (dose id + slot), so a retried task or a
button tapped twice never subtracts twice. It never goes below zero.

Days left = the count / (units per dose x doses per day), rounded down. With
`warn_days` or fewer left the patient is told ONCE (`warned`), and once more when it
runs out (`out_said`); a new count (a refill) starts both afresh.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from typing import Final

KEEP_COUNTED: Final = 120  # slot keys remembered (weeks of doses at 4 a day)
KEEP_REFILLS: Final = 24  # refills remembered (the doctor's report shows them)


class Alert(StrEnum):
    LOW = "low"  # warn_days or fewer left
    OUT = "out"  # none left


@dataclass(frozen=True)
class Refilled:
    at: datetime
    count: int


@dataclass
class Supply:
    medication_id: str
    user_id: str
    name: str
    count: Fraction
    set_at: datetime
    warn_days: int
    refills: list[Refilled] = field(default_factory=list)
    counted: list[str] = field(default_factory=list)
    warned: bool = False
    out_said: bool = False

    @classmethod
    def first(cls, medication_id: str, user_id: str, name: str, count: int, now: datetime,
              warn_days: int) -> Supply:
        supply = cls(medication_id, user_id, name, Fraction(0), now, warn_days)
        supply.refill(count, now, warn_days)
        return supply

    def refill(self, count: int, now: datetime, warn_days: int) -> None:
        """The patient has `count` now (it replaces the count, it is not added)."""
        self.count = Fraction(max(0, count))
        self.set_at = now
        self.warn_days = warn_days
        self.refills = [*self.refills, Refilled(now, max(0, count))][-KEEP_REFILLS:]
        self.warned = self.out_said = False

    def take(self, slot_key: str, units: Fraction) -> bool:
        """One dose of `units` taken for the slot `slot_key`; False if already counted."""
        if slot_key in self.counted:
            return False
        self.counted = [*self.counted, slot_key][-KEEP_COUNTED:]
        self.count = max(Fraction(0), self.count - units)
        return True

    def alert(self, units: Fraction | None, per_day: Fraction | int) -> Alert | None:
        """What to tell the patient now (each at most once per refill), and remember it."""
        if self.count <= 0:
            if self.out_said:
                return None
            self.out_said = self.warned = True
            return Alert.OUT
        left = days_left(self.count, units, per_day)
        if left is None or left > self.warn_days or self.warned:
            return None
        self.warned = True
        return Alert.LOW

    @property
    def shown_count(self) -> str:
        return count_text(self.count)


def daily_doses(times: Sequence[str], rule: str | None = None,
                as_needed: bool = False) -> Fraction:
    """Doses a day of a schedule, on average over its rule's period: every day at two
    times is 2; weekly on Monday and Thursday at 09:00 is 2/7; every other day at 08:00
    is 1/2; every 8 hours is 3. As needed is 0 (no count of days can be promised).
    A course's end does not change the rate while it runs."""
    if as_needed:
        return Fraction(0)
    if rule is None:
        return Fraction(len(times))
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    interval = int(parts.get("INTERVAL", "1"))
    freq = parts.get("FREQ")
    if freq == "HOURLY":
        return Fraction(24, interval)
    if freq == "WEEKLY":
        days = len(parts["BYDAY"].split(",")) if parts.get("BYDAY") else 1
        return Fraction(len(times) * days, 7 * interval)
    return Fraction(len(times), interval)


def days_left(count: Fraction, units: Fraction | None, per_day: Fraction | int) -> int | None:
    """Whole days the count lasts at `units` per dose, `per_day` doses a day; None when
    a dose is not a count or the schedule has no daily doses."""
    if units is None or units <= 0 or per_day <= 0:
        return None
    return math.floor(count / (units * per_day))


def count_text(count: Fraction) -> str:
    """29 -> "29", 29.5 -> "29.5" (a half tablet), never "59/2"."""
    if count.denominator == 1:
        return str(count.numerator)
    return f"{float(count):.2f}".rstrip("0").rstrip(".")
