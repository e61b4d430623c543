"""Medical translation in the dialog: choosing the languages, the buttons under a
translation (continue, switch direction, new conversation) and handing text and voice
messages to the translate / stt jobs (the rows that reach these handlers are DIALOG).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from shared.domain.buttons import ButtonKind, one_of
from shared.domain.dialog import ANY, DialogPart, Intent, ScreenOf, Step
from shared.domain.emergency import PLACE_REGIONS
from shared.domain.i18n import COMMON_TARGETS, TARGET_LANGUAGES, language_from_name, t
from shared.domain.messages import Button, Text
from shared.domain.reading import Mode, Question, Showing
from shared.features.translation.conversation import (
    ASKED,
    PLACE_LANGUAGE,
    SESSION_FIELDS,
    default_source,
    direction,
)
from shared.features.translation.states import TranslationIntent as I
from shared.features.translation.states import TranslationState as S
from shared.jobs import Job
from shared.plumbing.turns import Handler, Reply, Turn

_CONVERSATION: Final = ScreenOf(Mode.TRANSLATION, shows=Showing.TRANSLATION,
                               shown_by="translation_id")

DIALOG: Final = DialogPart(
    states={S.LANGUAGE: None, S.SPEAKING: None, S.REPLY: None},
    kinds={ButtonKind("mode:tr"): I.MODE,
           ButtonKind("tr", (one_of(TARGET_LANGUAGES),)): I.TARGET_LANGUAGE,
           ButtonKind("tcont"): I.CONTINUE, ButtonKind("tswap"): I.SWITCH,
           ButtonKind("tnew"): I.NEW, ButtonKind("asktr"): I.TRANSLATE_ASKED},
    readings={"request:translation=": I.MODE, "request:translation": I.TARGET_LANGUAGE,
              "action:translation.switch": I.SWITCH, "action:translation.new": I.NEW,
              "action:translation.continue": I.CONTINUE,
              # A medication command or a reminder answer typed in a conversation.
              "medication:*?": I.ASK_FIRST, "action:*?": I.ASK_FIRST},
    screens={S.LANGUAGE: ScreenOf(Mode.TRANSLATION, Question.LANGUAGE),
             S.SPEAKING: _CONVERSATION, S.REPLY: _CONVERSATION},
    rows={
        (ANY, I.ASK_FIRST): Step("ask_first"),
        (ANY, I.TRANSLATE_ASKED): Step("translate_asked"),
        (ANY, I.MODE): Step("new_translation", S.LANGUAGE),
        (ANY, I.TARGET_LANGUAGE): Step("set_target_language", S.SPEAKING),
        (S.LANGUAGE, Intent.TEXT): Step("set_target_language", S.SPEAKING),
        (S.SPEAKING, Intent.TEXT): Step("request_translation"),
        (S.REPLY, Intent.TEXT): Step("request_translation"),
        (S.SPEAKING, Intent.AUDIO): Step("translate_voice"),
        (S.REPLY, Intent.AUDIO): Step("translate_voice"),
        # The buttons under a translation
        (ANY, I.CONTINUE): Step("continue_translation"),
        (ANY, I.SWITCH): Step("switch_direction", S.REPLY),
        (S.REPLY, I.SWITCH): Step("switch_direction", S.SPEAKING),
        (ANY, I.NEW): Step("new_translation", S.LANGUAGE),
    },
)


@dataclass(frozen=True)
class TranslationDialog:
    def actions(self) -> dict[str, Handler]:
        return {
            "new_translation": self.new_translation,
            "set_target_language": self.set_target_language,
            "request_translation": self.request_translation,
            "translate_voice": self.translate_voice,
            "continue_translation": self.continue_translation,
            "switch_direction": self.switch_direction,
            "ask_first": self.ask_first, "translate_asked": self.translate_asked,
        }

    # ------------------------------------------------------------------ handlers
    def new_translation(self, turn: Turn) -> Reply:
        """Menu "Medical translation" or "New conversation": pick the language again;
        the disclaimer will be shown again."""
        buttons = [Button(label=t(turn.lang, f"lang.{code}"), data=f"tr:{code}")
                   for code in COMMON_TARGETS]
        return Reply([Text(text=t(turn.lang, "translation.intro"),
                           buttons=[*buttons, _menu(turn.lang)])],
                     session=dict.fromkeys(SESSION_FIELDS),
                     next_state=S.LANGUAGE)

    def set_target_language(self, turn: Turn) -> Reply:
        code = turn.argument if turn.argument in TARGET_LANGUAGES else language_from_name(
            turn.argument)
        if code is None or code not in TARGET_LANGUAGES:
            reply = self.new_translation(turn)
            reply.messages.insert(0, Text(text=t(turn.lang, "translation.unknown_language")))
            return reply
        source = default_source(turn.lang, code)
        return Reply([Text(text=t(turn.lang, "translation.ready", target=_name(turn, code),
                                  source=_name(turn, source)),
                           buttons=[_switch(turn.lang), _menu(turn.lang)])],
                     session={"target_language": code, "source_language": source,
                              "translation_id": None, "disclaimer_shown": False,
                              PLACE_LANGUAGE: _place(code, source)},
                     next_state=S.SPEAKING)

    def request_translation(self, turn: Turn) -> Reply:
        return self._job(turn, Job.TRANSLATE, {"text": turn.argument})

    def translate_voice(self, turn: Turn) -> Reply:
        return self._job(turn, Job.STT, {"media_id": turn.event.media_id or "",
                                         "media_size": turn.event.media_size})

    def continue_translation(self, turn: Turn) -> Reply:
        languages = _languages(turn)
        if languages is None:
            return self.new_translation(turn)
        state = turn.state if turn.state in (S.SPEAKING, S.REPLY) \
            else S.SPEAKING
        spoken, into = direction(state, *languages)
        return Reply([Text(text=t(turn.lang, "translation.continue", spoken=_name(turn, spoken),
                                  target=_name(turn, into)),
                           buttons=[_switch(turn.lang), _new(turn.lang), _menu(turn.lang)])],
                     next_state=S(state))

    def switch_direction(self, turn: Turn) -> Reply:
        languages = _languages(turn)
        if languages is None:
            return self.new_translation(turn)
        # The table says where a switch leads; only the texts depend on it.
        state = (S.SPEAKING if turn.state == S.REPLY
                 else S.REPLY)
        spoken, into = direction(state, *languages)
        key = ("translation.switched_reply" if state is S.REPLY
               else "translation.switched_back")
        return Reply([Text(text=t(turn.lang, key, spoken=_name(turn, spoken),
                                  target=_name(turn, into)),
                           buttons=[_switch(turn.lang), _new(turn.lang), _menu(turn.lang)])],
                     next_state=state)

    def ask_first(self, turn: Turn) -> Reply:
        """A medication command typed in a conversation may be said to the clinician
        ("I take aspirin 100 mg at 9"): ask before changing the schedule or translating.
        The message waits in the session until a button answers."""
        return Reply([Text(text=t(turn.lang, "medication.ask_first"), buttons=[
            Button(label=t(turn.lang, "medication.ask_first.medicines"), data="askmed"),
            Button(label=t(turn.lang, "medication.ask_first.translate"), data="asktr"),
            _menu(turn.lang)])], session={ASKED: turn.event.text or turn.argument})

    def translate_asked(self, turn: Turn) -> Reply:
        asked = turn.session.get(ASKED)
        if not isinstance(asked, str) or not asked.strip():
            return self.continue_translation(turn)
        state = turn.state if turn.state in (S.SPEAKING, S.REPLY) else S.SPEAKING
        reply = self._job(turn, Job.TRANSLATE, {"text": asked}, state=state)
        reply.session[ASKED] = None
        reply.next_state = reply.next_state or state
        return reply

    # ------------------------------------------------------------------ plumbing
    def _job(self, turn: Turn, job: Job, args: dict[str, object],
             state: str | None = None) -> Reply:
        languages = _languages(turn)
        if languages is None:
            return self.new_translation(turn)
        spoken, into = direction(state or turn.state, *languages)
        request = {**args, "source": spoken, "target": into}
        return Reply(jobs=[(job, request)], loading=True,
                     session={"last_job": {"job": job.value, "args": request}})


def _place(target: str, source: str) -> str:
    """The conversation's language that says most about where the patient is: the
    clinician's (the target), unless it is spoken in too many countries to tell
    ("en"), then the patient's own."""
    return target if target in PLACE_REGIONS else source


def _languages(turn: Turn) -> tuple[str, str] | None:
    """(source, target) of the conversation; None before a target was chosen."""
    target = turn.session.get("target_language")
    if not target:
        return None
    source = turn.session.get("source_language") or default_source(turn.lang, str(target))
    return str(source), str(target)


def _name(turn: Turn, code: str) -> str:
    return t(turn.lang, f"lang.{code}")


def _menu(lang: str) -> Button:
    return Button(label=t(lang, "button.menu"), data="menu")


def _switch(lang: str) -> Button:
    return Button(label=t(lang, "translation.button.switch"), data="tswap")


def _new(lang: str) -> Button:
    return Button(label=t(lang, "translation.button.new"), data="tnew")

