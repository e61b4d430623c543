"""Health-education leaflets: grounded generation, modify, translate, handouts."""

from __future__ import annotations

from collections.abc import Mapping

from shared.features.education.dialog import DIALOG, EducationDialog
from shared.features.education.generate import EducationService
from shared.features.education.views import COLLECTION
from shared.jobs import Job
from shared.plumbing.collections import Collection, Erase
from shared.plumbing.features import Feature, MenuEntry, Supplies
from shared.plumbing.files import HANDOUTS
from shared.plumbing.jobkit import JobHandler
from shared.plumbing.turns import Handler


def _handlers(supplies: Supplies) -> Mapping[str, Handler]:
    return EducationDialog(supplies.store).actions()


def _generate(supplies: Supplies) -> JobHandler:
    # A job that calls the model re-enqueues itself when the model asks to come back
    # later than a worker waits (JobKit._reschedule): its own queue is wired too. A
    # leaflet translated into Taigi asks the taigi job for its TLPA and speech.
    # Handouts are signed links.
    return EducationService(supplies.kit(Job.GENERATE, Job.TAIGI),
                            supplies.bucket(signs_urls=True),
                            supplies.pdf, supplies.settings.signed_url_ttl_s).generate


FEATURE = Feature(
    name="education",
    dialog=DIALOG,
    handlers=_handlers,
    starts=(Job.GENERATE,),
    jobs={Job.GENERATE: _generate},
    # Kept 365 days and archived (clinical review).
    collections=(Collection(COLLECTION, Erase.BY_FIELD, archive=True),),
    files=(HANDOUTS,),
    menu=(MenuEntry("menu.education", "mode:edu"),),
)
