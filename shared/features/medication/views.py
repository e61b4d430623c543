"""The patient's schedule seen three ways (issue 14 items 3-5): in words in the list,
as a calendar file for the phone, and as the history of what was taken.

The views are pure functions over plain facts (shared/medication/facts.py: describe,
ics, history); this module is the glue from the medication model to those facts, and
the dialog's answers built on them.
"""

from __future__ import annotations

from datetime import date, datetime

from shared.domain.schedule import zone_of
from shared.features.medication.model import Medication
from shared.medication.facts import ScheduleFacts


def facts_of(med: Medication) -> ScheduleFacts:
    """A medication's schedule as plain facts. Today's model knows "every day at these
    times" only; a model with rules hands its rule, start and as-needed fields here."""
    return ScheduleFacts(name=med.name, dosage=med.dosage, rule=None,
                         times=tuple(med.times), start=None, as_needed=False,
                         max_per_day=None)


def local_today(now: datetime, zone: str | None) -> date:
    """The patient's local day (UTC when no time zone is known yet)."""
    return now.astimezone(zone_of(zone or "UTC")).date()
