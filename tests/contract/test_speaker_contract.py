"""Speaker contract: EspeakSpeaker (espeak-ng, offline) and ModelSpeaker on GeminiModel
against the local Gemini-protocol server. Both give whole 16-bit samples at the rate
they declare, of a plausible length, and refuse empty text before doing any work."""

from __future__ import annotations

import shutil
import struct
from collections.abc import Iterator

import pytest

from infra.local.gemini_server import GeminiServer
from shared.adapters.espeak_speaker import VOICES, EspeakSpeaker, voice_for
from shared.adapters.gemini import GeminiModel
from shared.adapters.model_speaker import ModelSpeaker
from shared.fakes.offline_llm import OfflineModel
from shared.ports import LlmError, Speaker, Speech
from shared.settings import Settings

SENTENCE = "Take one tablet twice a day, after meals."
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                  reason="espeak-ng is installed by scripts/install.sh")


def gemini(server: GeminiServer) -> GeminiModel:
    defaults = Settings()
    return GeminiModel("test-key", model=defaults.gemini_model,
                       tts_model=defaults.gemini_tts_model, base_url=server.url,
                       timeout_s=5, attempts=2, sleep=lambda _s: None)


@pytest.fixture(params=["espeak", "gemini-local", "gemini-local-16k"])
def speaker(request: pytest.FixtureRequest) -> Iterator[Speaker]:
    if request.param == "espeak":
        if shutil.which("espeak-ng") is None:
            pytest.skip("espeak-ng is installed by scripts/install.sh")
        yield EspeakSpeaker()
    else:
        server = request.getfixturevalue("gemini_server")
        if request.param.endswith("16k"):
            server.speech_format = ("l16", 16_000)
        yield ModelSpeaker(gemini(server))


def seconds(speech: Speech) -> float:
    return len(speech.pcm) / 2 / speech.rate


def test_speech_is_even_length_pcm_of_plausible_duration(speaker: Speaker) -> None:
    speech = speaker.speak(SENTENCE, "en")
    assert len(speech.pcm) % 2 == 0 and 8_000 <= speech.rate <= 48_000
    assert 0.2 <= seconds(speech) <= 30
    samples = struct.unpack(f"<{len(speech.pcm) // 2}h", speech.pcm)
    assert max(abs(s) for s in samples) > 1000  # a voice, not silence


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_is_refused_before_any_work(speaker: Speaker, text: str,
                                               request: pytest.FixtureRequest) -> None:
    with pytest.raises(ValueError, match="empty"):
        speaker.speak(text, "en")
    if "gemini_server" in request.fixturenames:
        assert request.getfixturevalue("gemini_server").requests == []


def test_gemini_speaker_sends_the_text_in_audio_mode(gemini_server: GeminiServer) -> None:
    ModelSpeaker(gemini(gemini_server)).speak(SENTENCE, "en")
    [req] = gemini_server.requests
    assert req.model == Settings().gemini_tts_model
    assert req.generation_config["responseModalities"] == ["AUDIO"]
    assert req.contents_text == SENTENCE


def test_gemini_failure_is_an_llm_error(gemini_server: GeminiServer) -> None:
    gemini_server.fail_next("400")
    with pytest.raises(LlmError) as caught:
        ModelSpeaker(gemini(gemini_server)).speak(SENTENCE, "en")
    assert caught.value.retryable is False


def test_the_offline_text_engine_has_no_voice() -> None:
    with pytest.raises(LlmError):
        ModelSpeaker(OfflineModel()).speak(SENTENCE, "en")


# --------------------------------------------------------------------------- espeak
@needs_espeak
@pytest.mark.parametrize(("language", "text"), [
    ("zh-TW", "請每天按時服藥，飯後吃一顆。"),
    ("ru", "Принимайте по одной таблетке два раза в день."),
    ("vi", "Uống một viên mỗi ngày."),
    ("th", "รับประทานยาวันละครั้ง"),
    ("ja", "いちにちにかい のんでください"),
    ("ko", "하루에 두 번 드세요."),
    ("id", "Minum satu tablet sehari."),
    ("nan", "食藥仔愛照時間。"),
])
def test_espeak_speaks_the_bots_languages(language: str, text: str) -> None:
    speech = EspeakSpeaker().speak(text, language)
    assert len(speech.pcm) % 2 == 0 and seconds(speech) > 0.5


@needs_espeak
@pytest.mark.parametrize("text", ["--help", "-v xx; rm -rf / $(id) `id` | cat", "<speak>x</speak>"])
def test_espeak_treats_every_text_as_text(text: str) -> None:
    # Passed on stdin without a shell: options, shell syntax and SSML are just words.
    assert seconds(EspeakSpeaker().speak(text, "en")) > 0.3


def test_missing_espeak_binary_is_a_clear_permanent_error() -> None:
    with pytest.raises(LlmError, match="not installed") as caught:
        EspeakSpeaker(binary="espeak-ng-does-not-exist").speak(SENTENCE, "en")
    assert caught.value.retryable is False


def test_every_voice_maps_to_a_real_espeak_voice_name() -> None:
    assert voice_for("zh-TW") == "cmn" and voice_for("en-GB") == "en-us"
    assert voice_for("xx") == "en-us"
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is installed by scripts/install.sh")
    import subprocess

    listing = subprocess.run(["espeak-ng", "--voices"], capture_output=True, text=True,
                             check=True).stdout
    names = {line.split()[1] for line in listing.splitlines()[1:] if line.split()}
    assert set(VOICES.values()) <= names
