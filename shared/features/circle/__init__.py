"""The care circle (issue 15): caregivers invited by the patient with a one-time code,
on either app, hear about missed doses and medicines running low (refills.py); the
patient chooses what is shared."""

from __future__ import annotations

from collections.abc import Mapping

from shared.features.circle.alerts import CareWorker
from shared.features.circle.dialog import DIALOG, CircleDialog, preparer_for
from shared.features.circle.repository import (
    ALERTS,
    CAREGIVER_FIELD,
    CIRCLES,
    INVITES,
    LINKS,
    TRIES,
)
from shared.jobs import Job
from shared.plumbing.collections import Collection, Erase
from shared.plumbing.features import Feature, Supplies
from shared.plumbing.jobkit import JobHandler
from shared.plumbing.turns import Handler, Preparer


def _handlers(supplies: Supplies) -> Mapping[str, Handler]:
    settings = supplies.settings
    return CircleDialog(supplies.store, settings.care_code_tries_per_hour,
                        settings.care_alert_after_s).actions()


def _preparers(supplies: Supplies) -> Mapping[str, Preparer]:
    messengers = supplies.delivery.messengers
    prepare = preparer_for({channel: m.chat_link for channel, m in messengers.items()})
    return {"circle_named": prepare, "circle_noname": prepare}


def _worker(supplies: Supplies) -> JobHandler:
    return CareWorker(supplies.work, supplies.delivery, supplies.queue_for(Job.CARE),
                      supplies.settings.care_alert_after_s).run


FEATURE = Feature(
    name="circle",
    dialog=DIALOG,
    handlers=_handlers,
    preparers=_preparers,
    starts=(Job.CARE,),
    jobs={Job.CARE: _worker},
    collections=(
        Collection(CIRCLES, Erase.BY_KEY),  # the patient's link ids and alert delay
        # Links, claimed invites and alerts name the caregiver too: either one's
        # "delete my data" removes them.
        Collection(LINKS, Erase.BY_FIELD, also=(CAREGIVER_FIELD,)),
        Collection(INVITES, Erase.BY_FIELD, also=(CAREGIVER_FIELD,)),
        Collection(ALERTS, Erase.BY_FIELD, also=(CAREGIVER_FIELD,)),
        Collection(TRIES, Erase.BY_KEY),
    ),
)
