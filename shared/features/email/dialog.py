"""E-mailing a leaflet from the chat: "lfmail" under a leaflet asks for the address
(state education.email); a valid address queues Job.EMAIL, an invalid one is asked
again. The daily limit is checked here for a quick answer and enforced again by the
e-mail worker. The address is validated strictly and never logged, nor kept in the
session (not even in session.last_job: it lives only in the task).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from shared.domain.channels import user_key
from shared.domain.dialog import ANY, DialogPart, Intent, Step
from shared.domain.i18n import t
from shared.domain.messages import Text
from shared.features.core.dialog import menu_button
from shared.features.education.dialog import no_leaflet, session_leaflet
from shared.features.education.leaflets import normalize_email
from shared.features.education.states import EducationState
from shared.features.education.views import leaflet_buttons
from shared.features.email.service import quota_path, sent_today
from shared.features.email.states import EmailIntent, EmailState
from shared.jobs import Job
from shared.plumbing.turns import Handler, Reply, Turn
from shared.ports import DocumentStore

DIALOG: Final = DialogPart(
    states={EmailState.ADDRESS: None},
    verbs={"lfmail": EmailIntent.LEAFLET_EMAIL},
    rows={
        (ANY, EmailIntent.LEAFLET_EMAIL): Step("ask_email_address", EmailState.ADDRESS),
        (EmailState.ADDRESS, Intent.TEXT): Step("email_leaflet", EducationState.EDUCATION),
    },
)


@dataclass
class EmailDialog:
    store: DocumentStore
    max_emails_per_day: int = 5

    def actions(self) -> dict[str, Handler]:
        return {"ask_email_address": self.ask_address, "email_leaflet": self.email}

    def ask_address(self, turn: Turn) -> Reply:
        if session_leaflet(self.store, turn) is None:
            return no_leaflet(turn)
        if self._over_limit(turn):
            return self._limit(turn)
        return Reply([Text(text=t(turn.lang, "education.email_ask"),
                           buttons=[menu_button(turn.lang)])])

    def email(self, turn: Turn) -> Reply:
        if session_leaflet(self.store, turn) is None:
            return no_leaflet(turn)
        leaflet_id = str(turn.session["leaflet_id"])
        address = normalize_email(turn.argument)
        if address is None:
            return Reply([Text(text=t(turn.lang, "education.email_invalid"),
                               buttons=[menu_button(turn.lang)])],
                         next_state=EmailState.ADDRESS)
        if self._over_limit(turn):
            return self._limit(turn)
        return Reply(jobs=[(Job.EMAIL, {"leaflet_id": leaflet_id, "to": address})],
                     loading=True)

    def _over_limit(self, turn: Turn) -> bool:
        key = user_key(turn.event.channel, turn.event.user_id)
        doc = self.store.get(quota_path(key, turn.now))
        return sent_today(doc, turn.now) >= self.max_emails_per_day

    def _limit(self, turn: Turn) -> Reply:
        return Reply([Text(text=t(turn.lang, "education.email_limit",
                                  count=self.max_emails_per_day),
                           buttons=leaflet_buttons(turn.lang))],
                     next_state=EducationState.EDUCATION)
