"""The education dialog: the topics, a typed topic, and the buttons under a leaflet.

mode:edu      -> the topic buttons (state education); a tapped or typed topic queues
                 Job.GENERATE {topic}
lfmod         -> ask what to change (state education.modify); the typed change
                 queues Job.GENERATE {kind: modify}
lftr          -> language buttons (state education.translate); lfto:<code> or a typed
                 name ("英文", "English", "английский") queues {kind: translate}
lforig        -> the original leaflet again (after a translation)
lfpdf         -> queues {kind: handout}
(lfmail, e-mailing the leaflet, is the email feature's; tts:leaflet the speech one's.)

Every action works on the session's leaflet (session.leaflet_id).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from shared.domain.channels import user_key
from shared.domain.dialog import ANY, DialogPart, Intent, Step
from shared.domain.i18n import COMMON_TARGETS, TARGET_LANGUAGES, language_from_name, t
from shared.domain.messages import Button, Text
from shared.features.core.dialog import menu_button
from shared.features.education.states import EducationIntent as I
from shared.features.education.states import EducationState as S
from shared.features.education.views import (
    leaflet_buttons,
    leaflet_message,
    own_leaflet,
    reference_cards,
)
from shared.jobs import Job
from shared.plumbing.jobkit import buttons_last
from shared.plumbing.turns import Handler, Reply, Turn
from shared.ports import Doc, DocumentStore

EDUCATION_TOPICS: Final = ("diabetes", "hypertension", "flu", "asthma", "heart", "stroke",
                           "kidney", "nutrition", "sleep", "dengue")

DIALOG: Final = DialogPart(
    states={S.EDUCATION: None, S.MODIFY: None, S.TRANSLATE: None},
    buttons={"mode:edu": I.MODE},
    verbs={"topic": I.TOPIC, "lfmod": I.LEAFLET_MODIFY, "lftr": I.LEAFLET_TRANSLATE_ASK,
           "lfto": I.LEAFLET_TRANSLATE,  # lfto:<target language code>
           "lforig": I.LEAFLET_ORIGINAL, "lfpdf": I.LEAFLET_HANDOUT},
    rows={
        (ANY, I.MODE): Step("enter_education", S.EDUCATION),
        (ANY, I.TOPIC): Step("request_leaflet", S.EDUCATION),
        (S.EDUCATION, Intent.TEXT): Step("request_leaflet"),
        # The buttons under a leaflet
        (ANY, I.LEAFLET_MODIFY): Step("ask_leaflet_change", S.MODIFY),
        (ANY, I.LEAFLET_TRANSLATE_ASK): Step("ask_leaflet_language", S.TRANSLATE),
        (ANY, I.LEAFLET_TRANSLATE): Step("translate_leaflet", S.EDUCATION),
        (ANY, I.LEAFLET_ORIGINAL): Step("show_leaflet_original", S.EDUCATION),
        (ANY, I.LEAFLET_HANDOUT): Step("request_handout", S.EDUCATION),
        (S.MODIFY, Intent.TEXT): Step("modify_leaflet", S.EDUCATION),
        (S.TRANSLATE, Intent.TEXT): Step("translate_leaflet", S.EDUCATION),
    },
)


@dataclass
class EducationDialog:
    store: DocumentStore

    def actions(self) -> dict[str, Handler]:
        return {
            "enter_education": self.enter, "request_leaflet": self.request_leaflet,
            "ask_leaflet_change": self.ask_change, "modify_leaflet": self.modify,
            "ask_leaflet_language": self.ask_language, "translate_leaflet": self.translate,
            "show_leaflet_original": self.show_original, "request_handout": self.handout,
        }

    # ------------------------------------------------------------------ handlers
    def enter(self, turn: Turn) -> Reply:
        buttons = [Button(label=t(turn.lang, f"topic.{topic}"), data=f"topic:{topic}")
                   for topic in EDUCATION_TOPICS]
        return Reply([Text(text=t(turn.lang, "education.intro"),
                           buttons=[*buttons, menu_button(turn.lang)])])

    def request_leaflet(self, turn: Turn) -> Reply:
        if turn.event.kind == "postback":
            if turn.argument not in EDUCATION_TOPICS:
                return self.enter(turn)
            topic = t(turn.lang, f"topic.{turn.argument}")
        else:
            topic = turn.argument
        return _job(Job.GENERATE, {"topic": topic})

    def ask_change(self, turn: Turn) -> Reply:
        if self._leaflet(turn) is None:
            return no_leaflet(turn)
        return Reply([Text(text=t(turn.lang, "education.modify_ask"),
                           buttons=[menu_button(turn.lang)])])

    def modify(self, turn: Turn) -> Reply:
        leaflet_id = self._leaflet_id(turn)
        if leaflet_id is None:
            return no_leaflet(turn)
        request = {"kind": "modify", "leaflet_id": leaflet_id, "request": turn.argument}
        return _job(Job.GENERATE, request)

    def ask_language(self, turn: Turn) -> Reply:
        leaflet = self._leaflet(turn)
        if leaflet is None:
            return no_leaflet(turn)
        return Reply([self._languages(turn, leaflet, t(turn.lang, "education.translate_ask"))])

    def translate(self, turn: Turn) -> Reply:
        leaflet = self._leaflet(turn)
        if leaflet is None:
            return no_leaflet(turn)
        code = (turn.argument if turn.event.kind == "postback"
                else language_from_name(turn.argument))
        if code is None or code not in TARGET_LANGUAGES:
            return Reply([self._languages(turn, leaflet,
                                          t(turn.lang, "education.unknown_language"))],
                         next_state=S.TRANSLATE)
        if code == leaflet.get("language"):  # an old button, or the language typed
            text = t(turn.lang, "education.same_language", target=t(turn.lang, f"lang.{code}"))
            return Reply([self._languages(turn, leaflet, text)], next_state=S.TRANSLATE)
        return _job(Job.GENERATE, {"kind": "translate",
                                   "leaflet_id": str(turn.session["leaflet_id"]),
                                   "target": code})

    def show_original(self, turn: Turn) -> Reply:
        leaflet = self._leaflet(turn)
        if leaflet is None:
            return no_leaflet(turn)
        # Shown again with its sources and its search suggestions.
        return Reply(buttons_last([
            leaflet_message(turn.lang, str(leaflet["text"]),
                            lead=t(turn.lang, "education.original_heading"),
                            buttons=leaflet_buttons(turn.lang)),
            *reference_cards(turn.lang, list(leaflet.get("sources") or []),
                             leaflet.get("search"))]))

    def handout(self, turn: Turn) -> Reply:
        leaflet_id = self._leaflet_id(turn)
        if leaflet_id is None:
            return no_leaflet(turn)
        return _job(Job.GENERATE, {"kind": "handout", "leaflet_id": leaflet_id})

    # ------------------------------------------------------------------ helpers
    def _leaflet(self, turn: Turn) -> Doc | None:
        return session_leaflet(self.store, turn)

    def _leaflet_id(self, turn: Turn) -> str | None:
        return str(turn.session["leaflet_id"]) if self._leaflet(turn) is not None else None

    @staticmethod
    def _languages(turn: Turn, leaflet: Doc, text: str) -> Text:
        """The languages to translate the leaflet into: never its own."""
        buttons = [Button(label=t(turn.lang, f"lang.{code}"), data=f"lfto:{code}")
                   for code in translation_targets(str(leaflet.get("language") or ""))]
        return Text(text=text, buttons=[*buttons, menu_button(turn.lang)])


def translation_targets(leaflet_language: str) -> list[str]:
    """The translation buttons under a leaflet in `leaflet_language`."""
    return [code for code in COMMON_TARGETS if code != leaflet_language]


def session_leaflet(store: DocumentStore, turn: Turn) -> Doc | None:
    """The user's own leaflet the session points at (session.leaflet_id), if any."""
    return own_leaflet(store.get, {"user": user_key(turn.event.channel, turn.event.user_id)},
                       turn.session.get("leaflet_id"))


def no_leaflet(turn: Turn) -> Reply:
    return Reply([Text(text=t(turn.lang, "education.no_leaflet"), buttons=[
        Button(label=t(turn.lang, "menu.education"), data="mode:edu"),
        menu_button(turn.lang)])], next_state=S.EDUCATION)


def _job(job: Job, request: dict[str, str]) -> Reply:
    return Reply(jobs=[(job, request)], loading=True,
                 session={"last_job": {"job": job.value, "args": request}})
