"""Counts on hand (features/supply/model.py): days left, counting each slot once, one
warning per refill, running out."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import pytest

from shared.features.supply.model import Alert, Supply, count_text, daily_doses, days_left
from shared.features.supply.repository import supply_doc, supply_from_doc

NOW = datetime(2026, 1, 5, tzinfo=UTC)


@pytest.mark.parametrize(("count", "units", "per_day", "days"), [
    (30, Fraction(1), 2, 15), (31, Fraction(1), 2, 15), (14, Fraction(2), 1, 7),
    (7, Fraction(1, 2), 2, 7), (0, Fraction(1), 1, 0), (1, Fraction(1), 3, 0),
])
def test_days_left_are_whole_days_rounded_down(count, units, per_day, days):
    assert days_left(Fraction(count), units, per_day) == days


@pytest.mark.parametrize(("units", "per_day"), [(None, 2), (Fraction(1), 0)])
def test_no_days_without_a_counted_dose_or_daily_doses(units, per_day):
    assert days_left(Fraction(30), units, per_day) is None


def test_a_slot_is_counted_once_and_the_count_never_goes_below_zero():
    supply = Supply.first("m", "u", "metformin", 3, NOW, 7)
    assert supply.take("d@1", Fraction(2)) and not supply.take("d@1", Fraction(2))
    assert supply.count == 1
    assert supply.take("d@2", Fraction(2)) and supply.count == 0


def test_warned_once_per_refill_then_told_when_out():
    supply = Supply.first("m", "u", "metformin", 16, NOW, 7)
    assert supply.alert(Fraction(1), 2) is None  # 8 days
    supply.take("a", Fraction(1))
    assert supply.alert(Fraction(1), 2) is Alert.LOW  # 7 days
    supply.take("b", Fraction(1))
    assert supply.alert(Fraction(1), 2) is None  # still low: not again
    supply.count = Fraction(0)
    assert supply.alert(Fraction(1), 2) is Alert.OUT
    assert supply.alert(Fraction(1), 2) is None
    supply.refill(60, NOW, 7)
    assert (supply.warned, supply.out_said, supply.count) == (False, False, Fraction(60))
    assert [r.count for r in supply.refills] == [16, 60]


def test_a_dose_by_weight_never_warns_until_it_is_out():
    supply = Supply.first("m", "u", "metformin", 2, NOW, 7)
    assert supply.alert(None, 2) is None


def test_half_tablets_survive_the_store():
    supply = Supply.first("m", "u", "metformin", 3, NOW, 7)
    supply.take("a", Fraction(1, 2))
    back = supply_from_doc("m", supply_doc(supply))
    assert back.count == Fraction(5, 2) and count_text(back.count) == "2.5"
    assert back.counted == ["a"] and back.refills == supply.refills


@pytest.mark.parametrize(("times", "rule", "as_needed", "per_day"), [
    (("08:00", "20:00"), None, False, Fraction(2)),
    (("09:00",), "FREQ=WEEKLY;BYDAY=MO,TH", False, Fraction(2, 7)),
    (("09:00",), "FREQ=WEEKLY", False, Fraction(1, 7)),  # day not given yet: once a week
    (("09:00",), "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", False, Fraction(1, 14)),
    (("08:00",), "FREQ=DAILY;INTERVAL=2", False, Fraction(1, 2)),
    (("06:00",), "FREQ=HOURLY;INTERVAL=8", False, Fraction(3)),
    (("08:00", "20:00"), "FREQ=DAILY;COUNT=5", False, Fraction(2)),
    ((), None, True, Fraction(0)),
])
def test_doses_a_day_follow_the_schedules_rule(times, rule, as_needed, per_day):
    assert daily_doses(times, rule, as_needed) == per_day
