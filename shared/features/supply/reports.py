"""Asking for the doctor's report in the chat: typed ("report for my doctor", "給醫生的
報告", "отчёт для врача": the intent reader's request:report), the main-menu entry
("rp"), and e-mailing a report ("rp:mail:<report id>" under its link: the address is
asked, state supply.email, and lives only in the task, as a leaflet's e-mail does).
The work is the report worker's (report.py): a webhook and a dialog turn never render.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from shared.domain.buttons import ID, ButtonKind
from shared.domain.channels import user_key
from shared.domain.dialog import State
from shared.domain.i18n import t
from shared.domain.messages import Text
from shared.features.core.dialog import menu_button
from shared.features.education.leaflets import normalize_email
from shared.features.medication.repository import MedicationRepository
from shared.features.supply.report import EMAIL_VERB
from shared.features.supply.states import SupplyState
from shared.jobs import Job
from shared.plumbing.turns import Handler, Reply, Turn
from shared.ports import DocumentStore

MENU_VERB: Final = "rp"
REPORT_KIND: Final = ButtonKind(MENU_VERB)
EMAIL_KIND: Final = ButtonKind(EMAIL_VERB, (ID,))


@dataclass
class ReportDialog:
    store: DocumentStore

    def actions(self) -> dict[str, Handler]:
        return {"report_request": self.request, "report_email_ask": self.ask_address,
                "report_email": self.email}

    def request(self, turn: Turn) -> Reply:
        key = user_key(turn.event.channel, turn.event.user_id)
        if not MedicationRepository(self.store).medications(key):
            return Reply([Text(text=t(turn.lang, "report.no_medicines"),
                               buttons=[menu_button(turn.lang)])])
        # The worker answers (with the reply token while it is fresh).
        return Reply(jobs=[(Job.REPORT, {"kind": "report"})], loading=True)

    def ask_address(self, turn: Turn) -> Reply:
        report_id = turn.argument.rpartition(":")[2]
        return Reply([Text(text=t(turn.lang, "report.email_ask"),
                           buttons=[menu_button(turn.lang)])],
                     next_state=SupplyState.EMAIL, data={"report_id": report_id})

    def email(self, turn: Turn) -> Reply:
        report_id = str(turn.data.get("report_id") or "")
        address = normalize_email(turn.argument)
        if address is None:
            return Reply([Text(text=t(turn.lang, "education.email_invalid"),
                               buttons=[menu_button(turn.lang)])],
                         next_state=SupplyState.EMAIL, data={"report_id": report_id})
        return Reply(jobs=[(Job.REPORT, {"kind": "email", "report_id": report_id,
                                         "to": address})], loading=True,
                     next_state=State.MENU)
