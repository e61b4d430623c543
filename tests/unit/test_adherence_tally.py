"""Adherence per medicine (issue 11 item 7): on time (up to an hour after, or early),
late (more than an hour), skipped and missed, and a bar always BAR characters long."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.features.medication.adherence import BAR, MARKS, Logged, Tally, tally

SLOT = datetime(2026, 1, 5, 8, tzinfo=UTC)


def entry(status: str, after: timedelta = timedelta(0), med: str = "m",
          slot: datetime = SLOT) -> Logged:
    return Logged(med, slot, status, slot + after)


def test_on_time_late_skipped_missed():
    totals = tally([entry("taken", timedelta(minutes=59)), entry("taken", -timedelta(hours=2)),
                    entry("taken", timedelta(hours=4, minutes=30)), entry("skipped"),
                    entry("missed"), entry("missed", med="other"),
                    entry("taken", slot=SLOT - timedelta(days=8))], SLOT - timedelta(days=7))
    assert totals["m"] == Tally(on_time=2, late=1, skipped=1, missed=1)
    assert totals["other"] == Tally(missed=1)


def test_the_bar_has_its_width_and_shows_every_kind_that_occurred():
    for counts in [(1, 0, 0, 1), (7, 0, 0, 0), (0, 0, 0, 0), (28, 1, 0, 1), (1, 1, 1, 1),
                   (3, 3, 3, 1)]:
        bar = Tally(*counts).bar()
        assert len(bar) == BAR
        for mark, count in zip(MARKS, counts, strict=True):
            assert (mark in bar) == bool(count) or sum(counts) == 0
    assert Tally(1, 0, 0, 1).bar() == "█████·····"
