"""The patient's side of every way a Gemini call can end, through the real entry points
(webhook -> dialog_worker -> job workers) on in-memory fakes, with the real GeminiModel
(google-genai) against the local Gemini-protocol server. The settings are a new
deployment's defaults plus an API key pointed at that server.

GIVEN the service answers as the real one does (a retry hint, a used-up daily quota, a
retired model, a refusal, a cut-off or empty answer) WHEN a patient asks for a leaflet,
a translation or a transcription THEN they get an answer in kind, the task retries only
when and as the service says, and no model call is made in vain."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from infra.local.gemini_server import GeminiServer
from shared.bootstrap import Container
from shared.domain.channels import Channel
from shared.domain.i18n import t
from shared.domain.messages import Cards, Leaflet, Text
from shared.fakes.memory_tasks import MemoryTaskQueue
from shared.fakes.recording_messenger import RecordingMessenger
from shared.settings import Settings
from tests.support import (
    LINE_USER,
    TELEGRAM_USER,
    fake_container,
    line_body,
    line_event,
    newest_button,
    post_line,
    post_telegram,
    pump,
    serving,
    telegram_update,
)
from tests.support import test_settings as settings_for

LEAFLET = "# Flu\n\nRest and drink water.\n\nNot medical advice."


class Patient:
    def __init__(self, c: Container, channel: str) -> None:
        self.c, self.channel = c, channel
        self.chat = LINE_USER if channel == "line" else str(TELEGRAM_USER)
        messenger = c.messengers[Channel(channel)]
        assert isinstance(messenger, RecordingMessenger)
        self.messenger = messenger
        self.lang = "zh-TW" if channel == "line" else "en"

    def say(self, text: str | None = None, data: str | None = None) -> None:
        if self.channel == "line":
            event = line_event("postback", data=data) if data else line_event(text=text or "")
            assert post_line(line_body(event)).status_code == 200
        else:
            assert post_telegram(telegram_update(text=text, data=data)).status_code == 200
        pump(self.c)

    def voice(self, audio: bytes) -> None:
        if self.channel == "line":
            self.messenger.add_audio("2", audio)
            assert post_line(line_body(line_event("audio"))).status_code == 200
        else:
            self.messenger.add_audio("voice-1", audio)
            update = telegram_update(text=None)
            update["message"].pop("text", None)
            update["message"]["voice"] = {"file_id": "voice-1", "file_size": len(audio),
                                          "duration": 2}
            assert post_telegram(update).status_code == 200
        pump(self.c)

    def texts(self) -> list[str]:
        return [m.text for m in self.messenger.messages_to(self.chat)
                if isinstance(m, Text | Leaflet)]

    def last(self) -> Any:
        return self.messenger.messages_to(self.chat)[-1]

    def leaflet(self, topic: str = "flu") -> None:
        self.say(data="mode:edu")
        self.say(data=f"topic:{topic}")


@pytest.fixture
def c(gemini_server: GeminiServer):
    container = fake_container(settings_for(gemini_api_key="local-test-key",
                                            gemini_base_url=gemini_server.url))
    # The server's clock is the stack's: a retry hint runs out when the stack's time says.
    gemini_server.clock = lambda: container.clock.now().timestamp()
    with serving(container):
        yield container


@pytest.fixture(params=["line", "telegram"])
def patient(request: pytest.FixtureRequest, c: Container) -> Patient:
    return Patient(c, request.param)


def test_the_stack_defaults_are_a_new_deployments(c: Container) -> None:
    defaults = Settings()
    s = c.settings
    assert (s.gemini_model, s.gemini_tts_model, s.gemini_attempts, s.gemini_max_wait_s) == (
        defaults.gemini_model, defaults.gemini_tts_model, defaults.gemini_attempts,
        defaults.gemini_max_wait_s)
    assert c.describe_model() == {"backend": "api-key", "model": defaults.gemini_model,
                                  "tts_model": defaults.gemini_tts_model}


# --------------------------------------------------------------------------- retry hints
def test_a_long_retry_hint_reschedules_the_task_for_when_it_runs_out(
        c: Container, patient: Patient, gemini_server: GeminiServer) -> None:
    gemini_server.throttle(45)  # longer than a worker waits (GEMINI_MAX_WAIT_S)
    gemini_server.script_text(LEAFLET)
    patient.leaflet()

    assert len(gemini_server.generate_requests()) == 1  # one attempt, then rescheduled
    assert not any("Rest and drink water." in x for x in patient.texts())
    queue = c.tasks
    assert isinstance(queue, MemoryTaskQueue)
    [waiting] = queue.tasks
    assert waiting.schedule_at is not None
    assert (waiting.schedule_at - c.clock.now()).total_seconds() == pytest.approx(45, abs=0.01)

    c.clock.advance(44)  # type: ignore[attr-defined]
    pump(c)
    assert len(gemini_server.generate_requests()) == 1  # nothing before the hint runs out

    c.clock.advance(2)  # type: ignore[attr-defined]
    pump(c)
    assert any("Rest and drink water." in x for x in patient.texts())
    assert len(gemini_server.generate_requests()) == 2
    assert gemini_server.early_attempts == 1  # only the first, throttled one
    assert sum("Rest and drink water." in x for x in patient.texts()) == 1


def test_an_exhausted_daily_quota_tells_the_patient_and_stops_calling(
        c: Container, patient: Patient, gemini_server: GeminiServer,
        caplog: pytest.LogCaptureFixture) -> None:
    gemini_server.throttle(per_day=True)
    with caplog.at_level(logging.ERROR, logger="shared.adapters.gemini"):
        patient.leaflet()
    assert t(patient.lang, "error.quota_daily") in patient.texts()
    assert len(gemini_server.generate_requests()) == 1  # not retried
    assert [r.outcome for r in caplog.records  # type: ignore[attr-defined]
            if hasattr(r, "outcome")] == ["quota_exhausted_daily"]

    patient.say(data="topic:asthma")  # the quota has not reset: no doomed request
    assert len(gemini_server.generate_requests()) == 1
    assert patient.texts().count(t(patient.lang, "error.quota_daily")) == 2


# --------------------------------------------------------------------------- models
def test_a_retired_model_tells_the_patient_the_service_is_unavailable(
        gemini_server: GeminiServer, caplog: pytest.LogCaptureFixture) -> None:
    c = fake_container(settings_for(gemini_api_key="k", gemini_base_url=gemini_server.url,
                                    gemini_model="gemini-2.5-flash"))
    with serving(c), caplog.at_level(logging.ERROR, logger="shared.adapters.gemini"):
        patient = Patient(c, "telegram")
        patient.leaflet()
    assert patient.texts()[-1] == t("en", "error.unavailable")
    assert [b.data for b in patient.last().buttons] == ["menu"]
    assert len(gemini_server.generate_requests()) == 1  # a 404 is not retried
    [line] = [r for r in caplog.records if getattr(r, "outcome", "") == "model_not_found"]
    assert line.__dict__["variable"] == "GEMINI_MODEL"
    assert "gemini-2.5-flash" in line.getMessage() and "GEMINI_MODEL" in line.getMessage()


# --------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(("outcome", "key"), [
    (("block", "SAFETY"), "error.refused"),
    (("block", "PROHIBITED_CONTENT"), "error.refused"),
    (("finish", "SAFETY"), "error.refused"),
    (("finish", "SPII"), "error.refused"),
    (("finish", "RECITATION"), "error.recitation"),
    (("finish", "MAX_TOKENS"), "error.truncated"),
])
def test_a_refused_or_unfinished_leaflet_gets_a_kind_message_and_no_retry(
        patient: Patient, gemini_server: GeminiServer, outcome: tuple[str, str],
        key: str) -> None:
    how, reason = outcome
    gemini_server.script_text(LEAFLET)
    if how == "block":
        gemini_server.block_next(reason)
    else:
        gemini_server.finish_next(reason, reason)
    patient.leaflet()
    assert patient.texts()[-1] == t(patient.lang, key)
    assert [b.data for b in patient.last().buttons] == ["menu"]  # nothing to retry
    # Only MAX_TOKENS is asked again (once, with more room).
    assert len(gemini_server.generate_requests()) == (2 if reason == "MAX_TOKENS" else 1)
    assert not any("Rest and drink water" in x for x in patient.texts())
    assert not [d for _, d in patient.c.store.query("leaflets")]


def test_a_grounded_leaflet_carries_its_search_suggestions(patient: Patient,
                                                           gemini_server: GeminiServer) -> None:
    gemini_server.search_queries = ("flu rest fluids", "流感 休息")
    gemini_server.script_text(LEAFLET)
    patient.leaflet()
    cards = patient.last()
    assert isinstance(cards, Cards)
    assert [(s.title, s.url.split("&")[0]) for s in cards.suggestions] == [
        ("flu rest fluids", "https://www.google.com/search?q=flu+rest+fluids"),
        ("流感 休息", "https://www.google.com/search?q=%E6%B5%81%E6%84%9F+%E4%BC%91%E6%81%AF")]
    [doc] = [d for _, d in patient.c.store.query("leaflets")]
    assert doc["search"]["html"].startswith("<style>")
    assert [s["query"] for s in doc["search"]["suggestions"]] == ["flu rest fluids", "流感 休息"]


# --------------------------------------------------------------------------- voice
def _translation_mode(patient: Patient) -> None:
    patient.say(data="mode:tr")
    patient.say(data="tr:ru")


def test_a_voice_message_with_no_words_is_not_translated(patient: Patient,
                                                         gemini_server: GeminiServer) -> None:
    _translation_mode(patient)
    gemini_server.script_transcript("")
    patient.voice(b"OggS silence")
    assert patient.texts()[-1] == t(patient.lang, "translation.voice_unclear")
    [transcription] = gemini_server.generate_requests()  # no translation call
    assert transcription.thinking_level == "MINIMAL"


def test_a_refused_transcription_gets_a_kind_message_not_a_translation(
        patient: Patient, gemini_server: GeminiServer) -> None:
    _translation_mode(patient)
    gemini_server.block_next("SAFETY")
    patient.voice(b"OggS audio")
    assert patient.texts()[-1] == t(patient.lang, "error.refused")
    assert len(gemini_server.generate_requests()) == 1


def test_translation_thinks_minimally_and_leaflets_as_the_model_does(
        patient: Patient, gemini_server: GeminiServer) -> None:
    gemini_server.script_text(LEAFLET)
    patient.leaflet()
    patient.say(data=newest_button(patient.messenger, patient.chat, "lftr"))
    patient.say(data=newest_button(patient.messenger, patient.chat, "lfto", "ru"))
    _translation_mode(patient)
    gemini_server.script_json({"plain": "I have a headache.", "translation": "Болит голова."})
    patient.say("I have a headache")
    leaflet, leaflet_translation, translation = gemini_server.generate_requests()
    assert leaflet.thinking_level is None and leaflet.grounded
    assert leaflet_translation.thinking_level == "MINIMAL"
    assert translation.thinking_level == "MINIMAL"
    assert "Болит голова." in patient.texts()[-1]
