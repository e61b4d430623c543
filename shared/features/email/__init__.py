"""E-mailing a leaflet: the address in the chat, the e-mail worker (at most N a day)."""

from __future__ import annotations

from collections.abc import Mapping

from shared.features.email.dialog import DIALOG, EmailDialog
from shared.features.email.service import OUTBOX, QUOTA, EmailService
from shared.jobs import Job
from shared.plumbing.collections import Collection, Erase
from shared.plumbing.features import Feature, Supplies
from shared.plumbing.jobkit import JobHandler
from shared.plumbing.turns import Handler


def _handlers(supplies: Supplies) -> Mapping[str, Handler]:
    return EmailDialog(supplies.store, supplies.settings.max_emails_per_day).actions()


def _send(supplies: Supplies) -> JobHandler:
    # No model (the label follows the model recorded with the leaflet), no signed links.
    return EmailService(supplies.kit(model=False), supplies.mailer, supplies.bucket(),
                        supplies.settings.max_emails_per_day).send


FEATURE = Feature(
    name="email",
    dialog=DIALOG,
    handlers=_handlers,
    starts=(Job.EMAIL,),
    jobs={Job.EMAIL: _send},
    collections=(Collection(QUOTA, Erase.BY_FIELD), Collection(OUTBOX, Erase.BY_FIELD)),
)
