"""E-mailing a leaflet from the chat: "lfmail:<leaflet id>" under a leaflet (or a typed
"e-mail it") asks for the address (state education.email, the leaflet's id in its
data: the leaflet the button was under, never a newer one); a valid address queues
Job.EMAIL, an invalid one is asked again, and "cancel" or any global command leaves.
The daily limit is checked here for a quick answer and enforced again by the
e-mail worker. The address is validated strictly and never logged, nor kept in the
session (not even in session.last_job: it lives only in the task).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from shared.domain.channels import user_key
from shared.domain.dialog import ANY, DialogPart, Intent, ScreenOf, Step
from shared.domain.i18n import t
from shared.domain.messages import Text
from shared.domain.reading import Mode, Question, Showing
from shared.features.core.dialog import menu_button
from shared.features.education.dialog import target_leaflet
from shared.features.education.leaflets import normalize_email
from shared.features.education.states import EducationState
from shared.features.education.views import EMAIL, leaflet_buttons
from shared.features.email.service import quota_path, sent_today
from shared.features.email.states import EmailIntent, EmailState
from shared.jobs import Job
from shared.plumbing.turns import Handler, Reply, Turn
from shared.ports import DocumentStore

DIALOG: Final = DialogPart(
    states={EmailState.ADDRESS: EducationState.EDUCATION},
    kinds={EMAIL: EmailIntent.LEAFLET_EMAIL},
    readings={"action:leaflet.email=": EmailIntent.LEAFLET_EMAIL,
              "action:leaflet.email": EmailIntent.LEAFLET_EMAIL_TO},
    screens={EmailState.ADDRESS: ScreenOf(Mode.EDUCATION, Question.EMAIL, Showing.LEAFLET,
                                          "leaflet_id")},
    rows={
        (ANY, EmailIntent.LEAFLET_EMAIL): Step("ask_email_address", EmailState.ADDRESS),
        (ANY, EmailIntent.LEAFLET_EMAIL_TO): Step("email_leaflet", EducationState.EDUCATION),
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
        leaflet_id = target_leaflet(self.store, turn)
        if not isinstance(leaflet_id, str):
            return leaflet_id
        if self._over_limit(turn):
            return self._limit(turn, leaflet_id)
        return Reply([Text(text=t(turn.lang, "education.email_ask"),
                           buttons=[menu_button(turn.lang)])], data={"leaflet_id": leaflet_id})

    def email(self, turn: Turn) -> Reply:
        leaflet_id = target_leaflet(self.store, turn)
        if not isinstance(leaflet_id, str):
            return leaflet_id
        address = normalize_email(turn.argument)
        if address is None:
            return Reply([Text(text=t(turn.lang, "education.email_invalid"),
                               buttons=[menu_button(turn.lang)])],
                         next_state=EmailState.ADDRESS, data={"leaflet_id": leaflet_id})
        if self._over_limit(turn):
            return self._limit(turn, leaflet_id)
        return Reply(jobs=[(Job.EMAIL, {"leaflet_id": leaflet_id, "to": address})],
                     loading=True)

    def _over_limit(self, turn: Turn) -> bool:
        key = user_key(turn.event.channel, turn.event.user_id)
        doc = self.store.get(quota_path(key, turn.now))
        return sent_today(doc, turn.now) >= self.max_emails_per_day

    def _limit(self, turn: Turn, leaflet_id: str) -> Reply:
        return Reply([Text(text=t(turn.lang, "education.email_limit",
                                  count=self.max_emails_per_day),
                           buttons=leaflet_buttons(turn.lang, leaflet_id))],
                     next_state=EducationState.EDUCATION)
