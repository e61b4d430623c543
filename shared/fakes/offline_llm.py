"""The labelled offline engine: answers when there is no GEMINI_API_KEY so every flow
runs end to end on a fresh clone, without pretending to be a doctor.

Every text starts with OFFLINE_LABEL. It cites no sources (it never invents a
citation), and it has no voice or ears: speak()/transcribe() fail permanently (the
espeak-ng engine covers offline speech).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

from shared.ports import OFFLINE_MODEL, LlmError, LlmText, Speech, Thinking

M = TypeVar("M", bound=BaseModel)

OFFLINE_LABEL = (
    "[Offline demo — not medical advice; set GEMINI_API_KEY for real answers"
    " / 離線示範，非醫療建議 / Офлайн-демо, не медицинский совет]"
)
__all__ = ["OFFLINE_MODEL", "OfflineModel"]
_EXCERPT_CHARS = 300


class OfflineModel:
    offline = True

    def generate(self, system: str, prompt: str, *, grounded: bool = False,
                 thinking: Thinking = "default") -> LlmText:
        # Deterministic: the same prompt always gives the same text, so tests and the
        # simulator are reproducible. Only the prompt is echoed (never the system text).
        excerpt = " ".join(prompt.split())[:_EXCERPT_CHARS]
        digest = hashlib.sha256(prompt.encode()).hexdigest()[:8]
        text = f"{OFFLINE_LABEL}\n\n{excerpt}\n\n(offline #{digest})"
        return LlmText(text=text, sources=(), model=OFFLINE_MODEL)

    def generate_json(self, system: str, prompt: str, schema: type[M], *,
                      thinking: Thinking = "default") -> M:
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
