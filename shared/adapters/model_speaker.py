"""The Speaker port on a LanguageModel's speech (GeminiModel.speak: Gemini TTS).

The model call itself (retries, errors) is the model adapter's; this wrapper adds the
Speaker contract: empty text is refused before any request, and the PCM always has
whole 16-bit samples."""

from __future__ import annotations

from shared.ports import LanguageModel, LlmError


class ModelSpeaker:
    def __init__(self, model: LanguageModel) -> None:
        self._model = model

    def speak(self, text: str, language: str) -> bytes:
        if not text.strip():
            raise ValueError("nothing to say: the text is empty")
        pcm = self._model.speak(text, language)
        pcm = pcm[: len(pcm) - len(pcm) % 2]
        if not pcm:
            raise LlmError("the speech model returned no audio", retryable=False)
        return pcm
