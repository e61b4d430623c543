"""The offline demo engine: answers when there is no GEMINI_API_KEY, so every flow runs
end to end on a fresh clone (`make dev`), without pretending to be a doctor.

It is the first thing a newcomer sees, so it answers like the real thing, in form only:

* a leaflet: a demo leaflet for any topic, in the leaflet's language (zh-TW, en or
  ru; English for the others): the topic as its title, the sections a real leaflet has
  (leaflet_format.py), placeholder text that says what a model would write there;
* a change to a leaflet: the demo leaflet again, with a line saying which change a
  model would make;
* a leaflet translation: the demo leaflet in the target language where MedBot speaks
  it (Taigi: in Han characters, as zh-TW), else in English, saying so;
* a chat translation: the message as typed (the plain rewrite) and a demo line in the
  target language saying what a model would translate there.

It never shows the prompt, the system text or the words the prompts use between
MedBot and the model (NOT_HEALTH, <data>): it knows the leaflet prompts by rebuilding
them (prompts.read_request) and answers anything else with one neutral sentence. It
labels nothing itself: the services put the offline label in the user's language once
above what it wrote (JobKit.label). It cites no sources (it never invents a citation),
and it has no voice or ears: speak()/transcribe() fail permanently (the espeak-ng
engine covers offline speech).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeVar, cast

from pydantic import BaseModel

from shared.domain import leaflet_format as fmt
from shared.domain.i18n import TARGET_LANGUAGES, UI_LANGUAGES, t
from shared.domain.prompts import (
    LeafletRequest,
    MedicalTranslation,
    data_values,
    read_request,
    translation_target,
)
from shared.ports import OFFLINE_MODEL, LlmError, LlmText, Speech, Thinking

M = TypeVar("M", bound=BaseModel)

__all__ = ["OFFLINE_MODEL", "OfflineModel", "demo_leaflet", "demo_translation"]

OTHER_ANSWER: Final = ("This is the offline demo engine: with a Gemini key, a model "
                       "answers here.")
# The catalog a demo in this language is written from (Taigi is written in Han
# characters; languages MedBot does not speak get English).
_DEMO_LANGUAGE: Final = {"nan": "zh-TW"}
_TOPIC_CHARS: Final = 80


def _demo_language(language: str) -> str:
    code = _DEMO_LANGUAGE.get(language, language)
    return code if code in UI_LANGUAGES else "en"


def _title(topic: str) -> str:
    clean = " ".join(fmt.clean_inline(topic).split()).rstrip(".。!！:：") or "…"
    clean = clean if len(clean) <= _TOPIC_CHARS else clean[: _TOPIC_CHARS - 1] + "…"
    return clean[:1].upper() + clean[1:]


def demo_leaflet(language: str, topic: str, note: str = "") -> str:
    """The demo leaflet about `topic` in `language`, in the plain leaflet form, with an
    optional note under the title."""
    lang = _demo_language(language)
    title = _title(topic)
    sections = fmt.parse(t(lang, "education.demo.leaflet", topic=title)).sections
    if note:
        sections = (fmt.Section("", (fmt.Block(note),)), *sections)
    return fmt.plain(fmt.LeafletText(title, sections))


def demo_translation(target: str, message: str) -> str:
    """A chat message "translated" offline: says what a model would do with it, in the
    target language where MedBot speaks it (else English)."""
    lang = _demo_language(target)
    name = t(lang, f"lang.{target}") if target in TARGET_LANGUAGES else target
    return t(lang, "translation.demo", target=name, message=" ".join(message.split()))


def _answer(request: LeafletRequest) -> str:
    values = request.values
    if request.kind == "leaflet":
        return demo_leaflet(request.language, values.get("topic", ""))
    base = fmt.parse(values.get("leaflet", ""))
    topic = values.get("topic") or base.title or "…"
    if request.kind == "modify":
        lang = _demo_language(request.language)
        change = " ".join(values.get("request", "").split())[:200]
        return demo_leaflet(lang, topic, t(lang, "education.demo.change", request=change))
    lang = _demo_language(request.language)
    target = t(lang, f"lang.{request.language}") if request.language in TARGET_LANGUAGES \
        else request.language
    return demo_leaflet(lang, topic, t(lang, "education.demo.translation", target=target))


class OfflineModel:
    offline = True

    def generate(self, system: str, prompt: str, *, grounded: bool = False,
                 thinking: Thinking = "default") -> LlmText:
        # Deterministic: the same request always gives the same text, so tests and the
        # simulator are reproducible.
        request = read_request(system, prompt)
        text = _answer(request) if request is not None else OTHER_ANSWER
        return LlmText(text=text, sources=(), model=OFFLINE_MODEL)

    def generate_json(self, system: str, prompt: str, schema: type[M], *,
                      thinking: Thinking = "default") -> M:
        target = translation_target(system)
        if schema is MedicalTranslation and target is not None:
            message = data_values(prompt).get("message", "")
            return cast(M, MedicalTranslation(plain=message,
                                              translation=demo_translation(target, message)))
        example: Callable[[str], object] | None = getattr(schema, "offline_example", None)
        if example is None:
            raise LlmError(
                f"{schema.__name__} has no offline_example(); it needs GEMINI_API_KEY",
                retryable=False,
            )
        result = example(prompt)
        if not isinstance(result, schema):
            raise LlmError(
                f"{schema.__name__}.offline_example() returned {type(result).__name__}",
                retryable=False,
            )
        return result

    def speak(self, text: str, language: str) -> Speech:
        raise LlmError("speech is not available offline (set GEMINI_API_KEY)", retryable=False)

    def transcribe(self, audio: bytes, mime: str) -> str:
        raise LlmError(
            "transcription is not available offline (set GEMINI_API_KEY)", retryable=False
        )
