"""Medical translation chat in the dialog: choosing the languages, the buttons under a
translation (continue, switch direction, new conversation) and handing text and voice
messages to the translate / stt jobs. The rows that reach these handlers are declared
in shared/domain/dialog.py (TRANSITIONS); bootstrap plugs them in as feature handlers.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.domain.dialog import State
from shared.domain.i18n import COMMON_TARGETS, TARGET_LANGUAGES, language_from_name, t
from shared.domain.medchat import SESSION_FIELDS, default_source, direction
from shared.domain.messages import Button, Text
from shared.jobs import Job
from shared.services.dialog import Handler, Reply, Turn


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
                     next_state=State.TRANSLATION_LANGUAGE)

    def set_target_language(self, turn: Turn) -> Reply:
        code = turn.argument if turn.event.kind == "postback" else language_from_name(
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
                              "translation_id": None, "disclaimer_shown": False},
                     next_state=State.TRANSLATION)

    def request_translation(self, turn: Turn) -> Reply:
        return self._job(turn, Job.TRANSLATE, {"text": turn.argument})

    def translate_voice(self, turn: Turn) -> Reply:
        return self._job(turn, Job.STT, {"media_id": turn.event.media_id or "",
                                         "media_size": turn.event.media_size})

    def continue_translation(self, turn: Turn) -> Reply:
        languages = _languages(turn)
        if languages is None:
            return self.new_translation(turn)
        state = turn.state if turn.state in (State.TRANSLATION, State.TRANSLATION_REPLY) \
            else State.TRANSLATION
        spoken, into = direction(state, *languages)
        return Reply([Text(text=t(turn.lang, "translation.continue", spoken=_name(turn, spoken),
                                  target=_name(turn, into)),
                           buttons=[_switch(turn.lang), _new(turn.lang), _menu(turn.lang)])],
                     next_state=State(state))

    def switch_direction(self, turn: Turn) -> Reply:
        languages = _languages(turn)
        if languages is None:
            return self.new_translation(turn)
        # The table says where a switch leads; only the texts depend on it.
        state = (State.TRANSLATION if turn.state == State.TRANSLATION_REPLY
                 else State.TRANSLATION_REPLY)
        spoken, into = direction(state, *languages)
        key = ("translation.switched_reply" if state is State.TRANSLATION_REPLY
               else "translation.switched_back")
        return Reply([Text(text=t(turn.lang, key, spoken=_name(turn, spoken),
                                  target=_name(turn, into)),
                           buttons=[_switch(turn.lang), _new(turn.lang), _menu(turn.lang)])],
                     next_state=state)

    # ------------------------------------------------------------------ plumbing
    def _job(self, turn: Turn, job: Job, args: dict[str, object]) -> Reply:
        languages = _languages(turn)
        if languages is None:
            return self.new_translation(turn)
        spoken, into = direction(turn.state, *languages)
        request = {**args, "source": spoken, "target": into}
        return Reply(jobs=[(job, request)], loading=True,
                     session={"last_job": {"job": job.value, "args": request}})


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

