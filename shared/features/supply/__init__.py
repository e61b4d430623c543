"""What the patient has on hand (refill counts, counted down by each Taken, one refill
reminder when it runs low) and the report for the doctor (a PDF of the last 30 days)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from shared.domain.dialog import ANY, DialogPart, Intent, ScreenOf, State, Step
from shared.domain.reading import Mode, Question
from shared.features.supply.refills import KINDS, MEDICATION_MODE, RefillDialog
from shared.features.supply.report import ReportService
from shared.features.supply.reports import EMAIL_KIND, MENU_VERB, REPORT_KIND, ReportDialog
from shared.features.supply.repository import SUPPLIES
from shared.features.supply.states import SupplyIntent as I
from shared.features.supply.states import SupplyState as S
from shared.jobs import Job
from shared.plumbing.collections import Collection, Erase
from shared.plumbing.features import Feature, MenuEntry, Supplies
from shared.plumbing.files import REPORTS
from shared.plumbing.jobkit import JobHandler
from shared.plumbing.turns import Handler

DIALOG: Final = DialogPart(
    # "How many now?" is asked inside medication mode: its rows apply there too.
    states={S.COUNT: MEDICATION_MODE, S.EMAIL: None},
    kinds={**dict.fromkeys(KINDS, I.BUTTON), REPORT_KIND: I.REPORT,
           EMAIL_KIND: I.REPORT_EMAIL},
    # A count typed in any mode (the medication layer of the intent reader); the report
    # asked for in words in any mode but a translation conversation.
    readings={"medication:refill": I.REFILL, "request:report": I.REPORT},
    screens={S.COUNT: ScreenOf(Mode.MEDICATION, Question.TEXT),
             S.EMAIL: ScreenOf(Mode.MENU, Question.EMAIL)},
    rows={
        (ANY, I.REFILL): Step("supply_refill", MEDICATION_MODE),
        (ANY, I.BUTTON): Step("supply_button"),
        (S.COUNT, Intent.TEXT): Step("supply_count"),
        (ANY, I.REPORT): Step("report_request"),
        (ANY, I.REPORT_EMAIL): Step("report_email_ask", S.EMAIL),
        (S.EMAIL, Intent.TEXT): Step("report_email", State.MENU),
    },
)


def _handlers(supplies: Supplies) -> Mapping[str, Handler]:
    return {**RefillDialog(supplies.store, supplies.settings.refill_warn_days).actions(),
            **ReportDialog(supplies.store).actions()}


def _report(supplies: Supplies) -> JobHandler:
    # No model; signed links to the report; the e-mail through the Mailer port.
    settings = supplies.settings
    return ReportService(supplies.kit(model=False), supplies.bucket(signs_urls=True),
                         supplies.pdf, supplies.mailer, settings.signed_url_ttl_s,
                         max_emails_per_day=settings.max_emails_per_day).run


FEATURE = Feature(
    name="supply",
    dialog=DIALOG,
    handlers=_handlers,
    starts=(Job.REPORT,),
    jobs={Job.REPORT: _report},
    # Counts on hand, per medication (erased with the user's other documents); the
    # report's e-mail uses the e-mail feature's records (mail_quota, mail_outbox).
    collections=(Collection(SUPPLIES, Erase.BY_FIELD),),
    files=(REPORTS,),
    menu=(MenuEntry("menu.report", MENU_VERB),),
)
