"""ScriptedModel: an in-memory LanguageModel for tests.

Each method has its own queue of canned answers (LlmText / JSON / PCM / transcripts)
or exceptions to raise; every call is recorded so a test can count LLM calls per
action. With an empty queue it answers a deterministic default, or raises
ScriptExhausted when built with strict=True.

generate_json() treats scripted answers like the Gemini adapter treats the model's:
a dict or JSON string is validated against the schema, and invalid data raises
LlmError(retryable=False).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from shared.ports import LlmError, LlmText, SearchSuggestion, Source, Speech, Thinking

M = TypeVar("M", bound=BaseModel)
Method = Literal["generate", "generate_json", "speak", "transcribe"]

SILENCE_PCM = b"\x00\x00" * 2400  # 0.1 s of 24 kHz 16-bit mono silence
SILENCE = Speech(SILENCE_PCM, 24_000)
SCRIPTED_MODEL = "scripted"


class ScriptExhausted(AssertionError):
    """strict=True and the test did not script an answer for this call."""


@dataclass(frozen=True)
class LlmCall:
    method: Method
    system: str
    prompt: str  # generate*: the prompt; speak: the text; transcribe: the mime type
    grounded: bool = False
    language: str = ""
    audio_bytes: int = 0
    thinking: Thinking = "default"


class ScriptedModel:
    def __init__(self, *, strict: bool = False, offline: bool = False) -> None:
        self.offline = offline
        self.strict = strict
        self.calls: list[LlmCall] = []
        self._queues: dict[Method, deque[Any]] = {
            m: deque() for m in ("generate", "generate_json", "speak", "transcribe")
        }
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ scripting
    def add_text(
        self, text: str | LlmText, *, sources: tuple[Source, ...] = (),
        suggestions: tuple[SearchSuggestion, ...] = (), search_html: str = "",
    ) -> ScriptedModel:
        item = text if isinstance(text, LlmText) else LlmText(
            text=text, sources=sources, model=SCRIPTED_MODEL,
            input_tokens=1, output_tokens=max(1, len(text.split())),
            suggestions=suggestions, search_html=search_html,
        )
        return self._add("generate", item)

    def add_json(self, obj: BaseModel | dict[str, Any] | str) -> ScriptedModel:
        return self._add("generate_json", obj)

    def add_speech(self, speech: Speech | bytes) -> ScriptedModel:
        """Speech to answer; bytes are 24 kHz PCM."""
        return self._add("speak", speech if isinstance(speech, Speech)
                         else Speech(bytes(speech), 24_000))

    def add_transcript(self, text: str) -> ScriptedModel:
        return self._add("transcribe", text)

    def add_error(self, method: Method, error: BaseException) -> ScriptedModel:
        return self._add(method, error)

    def _add(self, method: Method, item: Any) -> ScriptedModel:
        with self._lock:
            self._queues[method].append(item)
        return self

    def count(self, method: Method | None = None) -> int:
        return sum(1 for c in self.calls if method is None or c.method == method)

    # ------------------------------------------------------------------ port
    def generate(self, system: str, prompt: str, *, grounded: bool = False,
                 thinking: Thinking = "default") -> LlmText:
        item = self._next(LlmCall("generate", system, prompt, grounded=grounded,
                                  thinking=thinking))
        if item is None:
            return LlmText(text=f"[scripted] {prompt[:80]}", model=SCRIPTED_MODEL,
                           input_tokens=1, output_tokens=1)
        assert isinstance(item, LlmText)
        return item

    def generate_json(self, system: str, prompt: str, schema: type[M], *,
                      thinking: Thinking = "default") -> M:
        item = self._next(LlmCall("generate_json", system, prompt, thinking=thinking))
        if item is None:
            example = getattr(schema, "offline_example", None)
            if example is None:
                raise LlmError(f"nothing scripted for {schema.__name__}", retryable=False)
            item = example(prompt)
        try:
            if isinstance(item, schema):
                return item
            if isinstance(item, BaseModel):
                return schema.model_validate(item.model_dump())
            if isinstance(item, str):
                return schema.model_validate_json(item)
            return schema.model_validate(item)
        except ValidationError as exc:
            raise LlmError(f"answer does not match {schema.__name__}",
                           retryable=False, kind="invalid") from exc

    def speak(self, text: str, language: str) -> Speech:
        item = self._next(LlmCall("speak", "", text, language=language))
        assert item is None or isinstance(item, Speech)
        return SILENCE if item is None else item

    def transcribe(self, audio: bytes, mime: str) -> str:
        item = self._next(LlmCall("transcribe", "", mime, audio_bytes=len(audio),
                                  thinking="minimal"))
        return "scripted transcript" if item is None else str(item)

    # ------------------------------------------------------------------ plumbing
    def _next(self, call: LlmCall) -> Any:
        with self._lock:
            self.calls.append(call)
            queue = self._queues[call.method]
            item = queue.popleft() if queue else None
        if item is None and self.strict:
            raise ScriptExhausted(f"no scripted answer for {call.method}()")
        if isinstance(item, BaseException):
            raise item
        return item
