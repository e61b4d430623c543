"""Medication reminders: the per-minute tick and its shard sweeps, the send worker, the
reminder buttons."""

from __future__ import annotations

from collections.abc import Mapping

from shared.features.reminders.dialog import DIALOG
from shared.features.reminders.records import CLAIMS, OUTBOX, REMINDERS
from shared.features.reminders.service import ReminderService
from shared.jobs import Job
from shared.plumbing.collections import Collection, Erase
from shared.plumbing.delivery import Delivery
from shared.plumbing.features import Feature, Supplies
from shared.plumbing.jobkit import JobHandler
from shared.plumbing.turns import Handler


def _sender(supplies: Supplies) -> ReminderService:
    """remind_worker and the reminder buttons: they send, and enqueue only the care
    circle's missed-dose checks."""
    return ReminderService(supplies.store, supplies.queue_for(Job.CARE), supplies.clock,
                           supplies.delivery, work=supplies.work,
                           care_after_s=supplies.settings.care_alert_after_s)


def ticker(supplies: Supplies) -> ReminderService:
    """reminder_tick and sweep_worker: claim due doses, enqueue reminders (and sweeps of
    the shards with too many to claim at once); send nothing."""
    settings = supplies.settings
    return ReminderService(supplies.store, supplies.queue_for(Job.REMIND, Job.SWEEP),
                           supplies.clock, Delivery(supplies.store, supplies.clock, {}),
                           work=supplies.work,
                           repeat_every_s=settings.remind_repeat_every_s,
                           repeats=settings.remind_repeats)


def _handlers(supplies: Supplies) -> Mapping[str, Handler]:
    return _sender(supplies).actions()


def _send(supplies: Supplies) -> JobHandler:
    return _sender(supplies).send


def _sweep(supplies: Supplies) -> JobHandler:
    return ticker(supplies).sweep


FEATURE = Feature(
    name="reminders",
    dialog=DIALOG,
    handlers=_handlers,
    jobs={Job.REMIND: _send, Job.SWEEP: _sweep},
    collections=(Collection(REMINDERS, Erase.BY_FIELD), Collection(OUTBOX, Erase.BY_FIELD),
                 Collection(CLAIMS, Erase.BY_FIELD)),
)
