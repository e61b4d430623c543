"""Dialog handlers for the buttons under a leaflet (TRANSITIONS rows in domain/dialog.py):

lfmod         -> ask what to change (state education.modify); the typed change
                 queues Job.GENERATE {kind: modify}
lftr          -> language buttons (state education.translate); lfto:<code> or a typed
                 name ("英文", "English", "английский") queues {kind: translate}
lforig        -> the original leaflet again (after a translation)
lfmail        -> ask for the address (state education.email); a valid address queues
                 Job.EMAIL, an invalid one is asked again; the daily limit is checked
                 here for a quick answer and enforced again by the e-mail worker
lfpdf         -> queues {kind: handout}

Every action works on the session's leaflet (session.leaflet_id). The e-mail address
is validated strictly and never logged, nor kept in the session.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.domain.channels import user_key
from shared.domain.dialog import State
from shared.domain.i18n import COMMON_TARGETS, TARGET_LANGUAGES, language_from_name, t
from shared.domain.leaflets import normalize_email
from shared.domain.messages import Button, Text
from shared.jobs import Job
from shared.plumbing.jobkit import buttons_last
from shared.ports import Doc, DocumentStore
from shared.services.dialog import Handler, Reply, Turn
from shared.services.education import leaflet_buttons, own_leaflet, reference_cards
from shared.services.email import quota_path, sent_today


@dataclass
class EducationDialog:
    store: DocumentStore
    max_emails_per_day: int = 5

    def actions(self) -> dict[str, Handler]:
        return {
            "ask_leaflet_change": self.ask_change, "modify_leaflet": self.modify,
            "ask_leaflet_language": self.ask_language, "translate_leaflet": self.translate,
            "show_leaflet_original": self.show_original,
            "ask_email_address": self.ask_address, "email_leaflet": self.email,
            "request_handout": self.handout,
        }

    # ------------------------------------------------------------------ handlers
    def ask_change(self, turn: Turn) -> Reply:
        if self._leaflet(turn) is None:
            return self._no_leaflet(turn)
        return Reply([Text(text=t(turn.lang, "education.modify_ask"),
                           buttons=[self._menu(turn)])])

    def modify(self, turn: Turn) -> Reply:
        leaflet_id = self._leaflet_id(turn)
        if leaflet_id is None:
            return self._no_leaflet(turn)
        request = {"kind": "modify", "leaflet_id": leaflet_id, "request": turn.argument}
        return self._job(Job.GENERATE, request)

    def ask_language(self, turn: Turn) -> Reply:
        if self._leaflet(turn) is None:
            return self._no_leaflet(turn)
        return Reply([self._languages(turn, "education.translate_ask")])

    def translate(self, turn: Turn) -> Reply:
        leaflet_id = self._leaflet_id(turn)
        if leaflet_id is None:
            return self._no_leaflet(turn)
        code = (turn.argument if turn.event.kind == "postback"
                else language_from_name(turn.argument))
        if code is None or code not in TARGET_LANGUAGES:
            return Reply([self._languages(turn, "education.unknown_language")],
                         next_state=State.EDUCATION_TRANSLATE)
        return self._job(Job.GENERATE, {"kind": "translate", "leaflet_id": leaflet_id,
                                        "target": code})

    def show_original(self, turn: Turn) -> Reply:
        leaflet = self._leaflet(turn)
        if leaflet is None:
            return self._no_leaflet(turn)
        text = t(turn.lang, "education.original_heading") + "\n\n" + str(leaflet["text"])
        # Shown again with its sources and its search suggestions.
        return Reply(buttons_last([Text(text=text, buttons=leaflet_buttons(turn.lang)),
                                   *reference_cards(turn.lang, list(leaflet.get("sources") or []),
                                                    leaflet.get("search"))]))

    def ask_address(self, turn: Turn) -> Reply:
        if self._leaflet(turn) is None:
            return self._no_leaflet(turn)
        if self._over_limit(turn):
            return self._limit(turn)
        return Reply([Text(text=t(turn.lang, "education.email_ask"),
                           buttons=[self._menu(turn)])])

    def email(self, turn: Turn) -> Reply:
        leaflet_id = self._leaflet_id(turn)
        if leaflet_id is None:
            return self._no_leaflet(turn)
        address = normalize_email(turn.argument)
        if address is None:
            return Reply([Text(text=t(turn.lang, "education.email_invalid"),
                               buttons=[self._menu(turn)])],
                         next_state=State.EDUCATION_EMAIL)
        if self._over_limit(turn):
            return self._limit(turn)
        # Not kept in session.last_job: the address lives only in the task.
        return Reply(jobs=[(Job.EMAIL, {"leaflet_id": leaflet_id, "to": address})],
                     loading=True)

    def handout(self, turn: Turn) -> Reply:
        leaflet_id = self._leaflet_id(turn)
        if leaflet_id is None:
            return self._no_leaflet(turn)
        return self._job(Job.GENERATE, {"kind": "handout", "leaflet_id": leaflet_id})

    # ------------------------------------------------------------------ helpers
    def _key(self, turn: Turn) -> str:
        return user_key(turn.event.channel, turn.event.user_id)

    def _leaflet(self, turn: Turn) -> Doc | None:
        return own_leaflet(self.store.get, {"user": self._key(turn)},
                           turn.session.get("leaflet_id"))

    def _leaflet_id(self, turn: Turn) -> str | None:
        return str(turn.session["leaflet_id"]) if self._leaflet(turn) is not None else None

    def _job(self, job: Job, request: dict[str, str]) -> Reply:
        return Reply(jobs=[(job, request)], loading=True,
                     session={"last_job": {"job": job.value, "args": request}})

    def _languages(self, turn: Turn, key: str) -> Text:
        buttons = [Button(label=t(turn.lang, f"lang.{code}"), data=f"lfto:{code}")
                   for code in COMMON_TARGETS]
        return Text(text=t(turn.lang, key), buttons=[*buttons, self._menu(turn)])

    def _over_limit(self, turn: Turn) -> bool:
        doc = self.store.get(quota_path(self._key(turn), turn.now))
        return sent_today(doc, turn.now) >= self.max_emails_per_day

    def _limit(self, turn: Turn) -> Reply:
        return Reply([Text(text=t(turn.lang, "education.email_limit",
                                  count=self.max_emails_per_day),
                           buttons=leaflet_buttons(turn.lang))], next_state=State.EDUCATION)

    def _no_leaflet(self, turn: Turn) -> Reply:
        return Reply([Text(text=t(turn.lang, "education.no_leaflet"), buttons=[
            Button(label=t(turn.lang, "menu.education"), data="mode:edu"),
            self._menu(turn)])], next_state=State.EDUCATION)

    def _menu(self, turn: Turn) -> Button:
        return Button(label=t(turn.lang, "button.menu"), data="menu")
