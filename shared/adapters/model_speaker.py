"""The Speaker port on a LanguageModel's speech (GeminiModel.speak: Gemini TTS).

The model call itself (retries, errors, reading the answer's format) is the model
adapter's; this wrapper adds the Speaker contract: empty text is refused before any
request, and the PCM always has whole 16-bit samples."""

from __future__ import annotations

from shared.ports import LanguageModel, LlmError, Speech


class ModelSpeaker:
    def __init__(self, model: LanguageModel) -> None:
        self._model = model

    def speak(self, text: str, language: str) -> Speech:
        if not text.strip():
            raise ValueError("nothing to say: the text is empty")
        speech = self._model.speak(text, language)
        pcm = speech.pcm[: len(speech.pcm) - len(speech.pcm) % 2]
        if not pcm:
            raise LlmError("the speech model returned no audio", retryable=False)
        return Speech(pcm, speech.rate)
