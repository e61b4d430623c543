"""The labelled offline engine (no GEMINI_API_KEY)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from shared.fakes.offline_llm import OFFLINE_LABEL, OfflineModel
from shared.ports import LanguageModel, LlmError


class WithExample(BaseModel):
    summary: str

    @classmethod
    def offline_example(cls, prompt: str) -> WithExample:
        return cls(summary=f"offline: {prompt[:10]}")


class WithoutExample(BaseModel):
    summary: str


class WrongExample(BaseModel):
    summary: str

    @classmethod
    def offline_example(cls, prompt: str) -> WithoutExample:
        return WithoutExample(summary="wrong type")


@pytest.fixture
def model() -> LanguageModel:
    return OfflineModel()


def test_is_marked_offline(model: LanguageModel) -> None:
    assert model.offline is True


def test_text_is_labelled_and_deterministic(model: LanguageModel) -> None:
    first = model.generate("system", "高血壓 leaflet please")
    again = model.generate("system", "高血壓 leaflet please")
    other = model.generate("system", "diabetes leaflet")

    assert first.text.startswith(OFFLINE_LABEL)
    assert "not medical advice" in first.text and "GEMINI_API_KEY" in first.text
    assert "高血壓 leaflet please" in first.text
    assert first == again
    assert other.text != first.text


def test_system_instructions_are_not_echoed(model: LanguageModel) -> None:
    answer = model.generate("SECRET SYSTEM PROMPT", "hello")
    assert "SECRET SYSTEM PROMPT" not in answer.text


def test_grounded_answers_invent_no_sources(model: LanguageModel) -> None:
    answer = model.generate("s", "p", grounded=True)
    assert answer.sources == ()
    assert answer.model


def test_json_uses_the_schemas_offline_example(model: LanguageModel) -> None:
    result = model.generate_json("s", "take aspirin at 8", WithExample)
    assert result == WithExample(summary="offline: take aspir")


@pytest.mark.parametrize("schema", [WithoutExample, WrongExample])
def test_json_without_a_usable_example_is_a_permanent_error(
    model: LanguageModel, schema: type[BaseModel]
) -> None:
    with pytest.raises(LlmError) as err:
        model.generate_json("s", "p", schema)
    assert err.value.retryable is False


def test_speech_and_transcription_are_unavailable(model: LanguageModel) -> None:
    with pytest.raises(LlmError, match="not available offline") as spoken:
        model.speak("hello", "en")
    assert spoken.value.retryable is False
    with pytest.raises(LlmError, match="not available offline") as heard:
        model.transcribe(b"audio", "audio/ogg")
    assert heard.value.retryable is False
