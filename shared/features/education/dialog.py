"""The education dialog: the topics, a typed topic, and the buttons under a leaflet.

mode:edu          -> the topic buttons (state education); a tapped or typed topic
                     queues Job.GENERATE {topic}
lfmod:<id>        -> ask what to change (state education.modify); the typed change
                     queues Job.GENERATE {kind: modify}
lftr:<id>         -> language buttons lfto:<id>:<code> (state education.translate); a
                     tapped or typed language queues {kind: translate}
lforig:<id>       -> the original leaflet again (after a translation)
lfpdf:<id>        -> queues {kind: handout}
(lfmail:<id>, e-mailing the leaflet, is the email feature's; tts:leaflet:<id> the
speech one's.)

A button acts on the leaflet whose id it carries (or says it is no longer available);
the question it opens keeps that id in the state's data. A typed action ("翻譯",
"e-mail it", "сделай короче") acts on the leaflet on screen (session.leaflet_id).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from shared.domain.buttons import WORD, ButtonKind
from shared.domain.channels import user_key
from shared.domain.dialog import ANY, DialogPart, Intent, ScreenOf, Step
from shared.domain.i18n import COMMON_TARGETS, TARGET_LANGUAGES, language_from_name, t
from shared.domain.messages import Button, Text
from shared.domain.reading import Mode, Question, Showing
from shared.features.core.dialog import menu_button
from shared.features.education.states import EducationIntent as I
from shared.features.education.states import EducationState as S
from shared.features.education.views import (
    HANDOUT,
    MODIFY,
    ORIGINAL,
    TRANSLATE_ASK,
    TRANSLATE_TO,
    is_leaflet_id,
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
_ON_LEAFLET: Final = ScreenOf(Mode.EDUCATION, shows=Showing.LEAFLET, shown_by="leaflet_id")

DIALOG: Final = DialogPart(
    # The questions after a leaflet are inside education mode ("cancel" goes back there).
    states={S.EDUCATION: None, S.MODIFY: S.EDUCATION, S.TRANSLATE: S.EDUCATION},
    kinds={ButtonKind("mode:edu"): I.MODE, ButtonKind("topic", (WORD,)): I.TOPIC,
           MODIFY: I.LEAFLET_MODIFY, TRANSLATE_ASK: I.LEAFLET_TRANSLATE_ASK,
           TRANSLATE_TO: I.LEAFLET_TRANSLATE, ORIGINAL: I.LEAFLET_ORIGINAL,
           HANDOUT: I.LEAFLET_HANDOUT},
    readings={
        "request:education=": I.MODE, "request:education": I.TOPIC,
        "action:leaflet.translate=": I.LEAFLET_TRANSLATE_ASK,
        "action:leaflet.translate": I.LEAFLET_TRANSLATE,
        "action:leaflet.modify=": I.LEAFLET_MODIFY,
        "action:leaflet.modify": I.LEAFLET_MODIFY_NOW,
        "action:leaflet.original": I.LEAFLET_ORIGINAL,
        "action:leaflet.handout": I.LEAFLET_HANDOUT,
    },
    screens={S.EDUCATION: _ON_LEAFLET,
             S.MODIFY: ScreenOf(Mode.EDUCATION, Question.TEXT, Showing.LEAFLET, "leaflet_id"),
             S.TRANSLATE: ScreenOf(Mode.EDUCATION, Question.LANGUAGE, Showing.LEAFLET,
                                   "leaflet_id")},
    rows={
        (ANY, I.MODE): Step("enter_education", S.EDUCATION),
        (ANY, I.TOPIC): Step("request_leaflet", S.EDUCATION),
        (S.EDUCATION, Intent.TEXT): Step("request_leaflet"),
        # The buttons under a leaflet
        (ANY, I.LEAFLET_MODIFY): Step("ask_leaflet_change", S.MODIFY),
        (ANY, I.LEAFLET_MODIFY_NOW): Step("modify_leaflet", S.EDUCATION),
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
        leaflet_id = self._target(turn)
        if not isinstance(leaflet_id, str):
            return leaflet_id
        return Reply([Text(text=t(turn.lang, "education.modify_ask"),
                           buttons=[menu_button(turn.lang)])], data={"leaflet_id": leaflet_id})

    def modify(self, turn: Turn) -> Reply:
        leaflet_id = self._target(turn)
        if not isinstance(leaflet_id, str):
            return leaflet_id
        request = {"kind": "modify", "leaflet_id": leaflet_id, "request": turn.argument}
        return _job(Job.GENERATE, request)

    def ask_language(self, turn: Turn) -> Reply:
        leaflet_id = self._target(turn)
        if not isinstance(leaflet_id, str):
            return leaflet_id
        leaflet = self._own(turn, leaflet_id)
        assert leaflet is not None  # _target checked it
        return Reply([self._languages(turn, leaflet_id, leaflet,
                                      t(turn.lang, "education.translate_ask"))],
                     data={"leaflet_id": leaflet_id})

    def translate(self, turn: Turn) -> Reply:
        leaflet_id = self._target(turn)
        if not isinstance(leaflet_id, str):
            return leaflet_id
        leaflet = self._own(turn, leaflet_id)
        assert leaflet is not None  # _target checked it
        named = turn.argument.rpartition(":")[2] if turn.event.kind == "postback" \
            else turn.argument
        code = named if named in TARGET_LANGUAGES else language_from_name(named)
        if code is None or code not in TARGET_LANGUAGES:
            return Reply([self._languages(turn, leaflet_id, leaflet,
                                          t(turn.lang, "education.unknown_language"))],
                         next_state=S.TRANSLATE, data={"leaflet_id": leaflet_id})
        if code == leaflet.get("language"):  # an old button, or the language typed
            text = t(turn.lang, "education.same_language", target=t(turn.lang, f"lang.{code}"))
            return Reply([self._languages(turn, leaflet_id, leaflet, text)],
                         next_state=S.TRANSLATE, data={"leaflet_id": leaflet_id})
        return _job(Job.GENERATE, {"kind": "translate", "leaflet_id": leaflet_id,
                                   "target": code})

    def show_original(self, turn: Turn) -> Reply:
        leaflet_id = self._target(turn)
        if not isinstance(leaflet_id, str):
            return leaflet_id
        leaflet = self._own(turn, leaflet_id)
        assert leaflet is not None  # _target checked it
        # Shown again with its sources and its search suggestions; typed actions now
        # act on it.
        return Reply(buttons_last([
            leaflet_message(turn.lang, str(leaflet["text"]),
                            lead=t(turn.lang, "education.original_heading"),
                            buttons=leaflet_buttons(turn.lang, leaflet_id)),
            *reference_cards(turn.lang, list(leaflet.get("sources") or []),
                             leaflet.get("search"))]),
                     session={"leaflet_id": leaflet_id})

    def handout(self, turn: Turn) -> Reply:
        leaflet_id = self._target(turn)
        if not isinstance(leaflet_id, str):
            return leaflet_id
        return _job(Job.GENERATE, {"kind": "handout", "leaflet_id": leaflet_id})

    # ------------------------------------------------------------------ helpers
    def _own(self, turn: Turn, leaflet_id: object) -> Doc | None:
        return own_leaflet(self.store.get,
                           {"user": user_key(turn.event.channel, turn.event.user_id)},
                           leaflet_id)

    def _target(self, turn: Turn) -> str | Reply:
        """The leaflet the action is for (target_leaflet), or the answer that it is gone."""
        return target_leaflet(self.store, turn)

    @staticmethod
    def _languages(turn: Turn, leaflet_id: str, leaflet: Doc, text: str) -> Text:
        """The languages to translate the leaflet into: never its own."""
        buttons = [Button(label=t(turn.lang, f"lang.{code}"),
                          data=TRANSLATE_TO.data(leaflet_id, code))
                   for code in translation_targets(str(leaflet.get("language") or ""))]
        return Text(text=text, buttons=[*buttons, menu_button(turn.lang)])


def translation_targets(leaflet_language: str) -> list[str]:
    """The translation buttons under a leaflet in `leaflet_language`."""
    return [code for code in COMMON_TARGETS if code != leaflet_language]


def target_leaflet(store: DocumentStore, turn: Turn) -> str | Reply:
    """The id of the leaflet an action is for: the one its button carries, else the one
    the open question is about (state data), else the one on screen (session) - if it
    is still the user's; otherwise the answer to give instead (gone / none yet)."""
    if turn.event.kind == "postback":
        wanted: object = turn.argument.partition(":")[0]
    else:
        wanted = turn.data.get("leaflet_id") or turn.session.get("leaflet_id")
        if not wanted:
            return no_leaflet(turn)
    key = user_key(turn.event.channel, turn.event.user_id)
    if not is_leaflet_id(wanted) or own_leaflet(store.get, {"user": key}, wanted) is None:
        return gone_leaflet(turn)
    assert isinstance(wanted, str)
    return wanted


def no_leaflet(turn: Turn) -> Reply:
    return Reply([Text(text=t(turn.lang, "education.no_leaflet"), buttons=[
        Button(label=t(turn.lang, "menu.education"), data="mode:edu"),
        menu_button(turn.lang)])], next_state=S.EDUCATION)


def gone_leaflet(turn: Turn) -> Reply:
    return Reply([Text(text=t(turn.lang, "leaflet.gone"), buttons=[
        Button(label=t(turn.lang, "menu.education"), data="mode:edu"),
        menu_button(turn.lang)])], next_state=S.EDUCATION, data={})


def _job(job: Job, request: dict[str, str]) -> Reply:
    return Reply(jobs=[(job, request)], loading=True,
                 session={"last_job": {"job": job.value, "args": request}})
