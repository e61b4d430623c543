"""Count every model call a task makes, at the LanguageModel port.

JobKit wraps its model in MeteredModel; a task's prepare step runs inside
`metering()`, which collects each call (model, tokens, failure) of that task only:
the collector lives in a ContextVar, so concurrent requests of one instance
(Cloud Functions concurrency > 1) never mix their counts. Text is never recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

from pydantic import BaseModel

from shared.ports import LanguageModel, LlmError, LlmText, Speech, Thinking

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")


@dataclass
class Meter:
    calls: int = 0
    failures: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    models: set[str] = field(default_factory=set)


_current: ContextVar[Meter | None] = ContextVar("medbot_llm_meter", default=None)


@contextmanager
def metering() -> Iterator[Meter]:
    meter = Meter()
    token = _current.set(meter)
    try:
        yield meter
    finally:
        _current.reset(token)


def current_meter() -> Meter | None:
    """The meter of the task step running now (None outside `metering()`)."""
    return _current.get()


class MeteredModel:
    """A LanguageModel that records each call (never its text) in the current Meter."""

    def __init__(self, inner: LanguageModel) -> None:
        self.inner = inner
        self.offline = inner.offline

    def generate(self, system: str, prompt: str, *, grounded: bool = False,
                 thinking: Thinking = "default") -> LlmText:
        result = self._call("generate", lambda: self.inner.generate(
            system, prompt, grounded=grounded, thinking=thinking))
        self._tokens(result.model, result.input_tokens, result.output_tokens)
        return result

    def generate_json(self, system: str, prompt: str, schema: type[M], *,
                      thinking: Thinking = "default") -> M:
        return self._call("generate_json", lambda: self.inner.generate_json(
            system, prompt, schema, thinking=thinking))

    def speak(self, text: str, language: str) -> Speech:
        return self._call("speak", lambda: self.inner.speak(text, language))

    def transcribe(self, audio: bytes, mime: str) -> str:
        return self._call("transcribe", lambda: self.inner.transcribe(audio, mime))

    def _call(self, method: str, call: Callable[[], R]) -> R:
        meter = _current.get()
        try:
            return call()
        except LlmError:
            if meter is not None:
                meter.failures += 1
            raise
        finally:
            if meter is not None:
                meter.calls += 1

    def _tokens(self, model: str, input_tokens: int, output_tokens: int) -> None:
        meter = _current.get()
        if meter is not None:
            meter.input_tokens += input_tokens
            meter.output_tokens += output_tokens
            if model:
                meter.models.add(model)
