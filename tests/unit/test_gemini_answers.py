"""Reading Gemini's answers (shared/adapters/gemini_answers.py): finish reasons, search
suggestions from renderedContent, retry hints, the per-day reset and speech formats.
Inputs follow published answers (chips with a bare '&' in their href, retryDelay
"20.04466179s", audio/L16 mime types with spaces and a channels parameter)."""

from __future__ import annotations

import io
import struct
import wave
from datetime import UTC, datetime

import pytest

from infra.local.gemini_wire import quota_exceeded, rendered_content, wav_file
from infra.local.gemini_wire import search_url as chip
from shared.adapters.gemini_answers import (
    finish_failure,
    quota_reset,
    retry_hint,
    search_url,
    speech_from,
    suggestions,
)
from shared.ports import LlmError, SearchSuggestion


# --------------------------------------------------------------------------- finish
@pytest.mark.parametrize(("reason", "failure"), [
    ("STOP", None), ("MAX_TOKENS", "truncated"), ("RECITATION", "recitation"),
    ("SAFETY", "refused"), ("PROHIBITED_CONTENT", "refused"), ("SPII", "refused"),
    ("BLOCKLIST", "refused"), ("OTHER", "refused"), ("MALFORMED_RESPONSE", "refused"),
    (None, "refused"), ("FINISH_REASON_UNSPECIFIED", "refused"),
])
def test_only_stop_is_a_complete_answer(reason: str | None, failure: str | None) -> None:
    assert finish_failure(reason) == failure


# --------------------------------------------------------------------------- suggestions
def test_each_query_gets_its_chips_link_exactly_as_given() -> None:
    queries = ["高血壓 飲食", "hypertension & salt"]
    found = suggestions(queries, rendered_content(queries))
    assert found == (SearchSuggestion("高血壓 飲食", chip("高血壓 飲食")),
                     SearchSuggestion("hypertension & salt", chip("hypertension & salt")))
    assert all("&client=app-vertex-grounding" in s.url for s in found)


def test_a_query_without_a_chip_links_to_its_results_page() -> None:
    found = suggestions(["flu shot"], None)
    assert found == (SearchSuggestion("flu shot", "https://www.google.com/search?q=flu+shot"),)
    assert search_url("тёплый чай") == "https://www.google.com/search?q=%D1%82%D1%91%D0%BF%D0%BB%D1%8B%D0%B9+%D1%87%D0%B0%D0%B9"


def test_a_chip_that_does_not_open_the_results_page_directly_is_not_used() -> None:
    html = ('<a class="chip" href="https://example.org/interstitial?q=flu">flu</a>'
            '<a class="chip" href="http://www.google.com/search?q=cold">cold</a>')
    found = suggestions(["flu", "cold"], html)
    assert [s.url for s in found] == [search_url("flu"), search_url("cold")]


def test_chips_without_a_query_are_shown_too_and_duplicates_once() -> None:
    html = rendered_content(["asthma inhaler", "asthma triggers"])
    found = suggestions(["asthma inhaler", "asthma inhaler"], html)
    assert [s.query for s in found] == ["asthma inhaler", "asthma triggers"]


def test_no_grounding_no_suggestions() -> None:
    assert suggestions(None, None) == () and suggestions([], "") == ()


# --------------------------------------------------------------------------- retry hints
def test_retry_info_and_per_minute_quota() -> None:
    hint = retry_hint(quota_exceeded("gemini-3.8-flash", 37, per_day=False))
    assert hint.delay_s == 37 and hint.per_day is False


def test_per_day_quota_is_recognised_among_other_violations() -> None:
    body = {"error": {"code": 429, "details": [
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [
            {"quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"},
            {"quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "20.04466179s"}]}}
    hint = retry_hint(body)
    assert hint.per_day and hint.delay_s == pytest.approx(20.04466179)


@pytest.mark.parametrize("details", [None, {}, {"error": {}}, {"error": {"details": "x"}},
                                     {"message": "Resource exhausted", "status": "429"}])
def test_answers_without_details_give_no_hint(details: object) -> None:
    hint = retry_hint(details)
    assert hint.delay_s is None and not hint.per_day


def test_retry_delay_as_seconds_and_nanos() -> None:
    body = {"error": {"details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo",
                                   "retryDelay": {"seconds": 3, "nanos": 500_000_000}}]}}
    assert retry_hint(body).delay_s == 3.5


@pytest.mark.parametrize(("now", "reset"), [
    (datetime(2026, 12, 10, 20, 0, tzinfo=UTC), datetime(2026, 12, 11, 8, 0, tzinfo=UTC)),
    (datetime(2026, 12, 11, 7, 59, tzinfo=UTC), datetime(2026, 12, 11, 8, 0, tzinfo=UTC)),
    # Summer time in California: midnight is 07:00 UTC.
    (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), datetime(2026, 7, 2, 7, 0, tzinfo=UTC)),
])
def test_a_daily_quota_resets_at_midnight_pacific(now: datetime, reset: datetime) -> None:
    assert quota_reset(now) == reset


# --------------------------------------------------------------------------- speech
def _pcm(samples: list[int]) -> bytes:
    return struct.pack(f"<{len(samples)}h", *samples)


@pytest.mark.parametrize("mime", ["audio/L16;codec=pcm;rate=16000",
                                  "audio/l16; rate=16000; channels=1",
                                  "AUDIO/L16;rate=16000"])
def test_l16_is_read_at_its_declared_rate(mime: str) -> None:
    speech = speech_from(_pcm([1, 2, 3]) + b"\x00", mime)  # a torn last sample is dropped
    assert speech.rate == 16_000 and speech.pcm == _pcm([1, 2, 3])


def test_stereo_l16_is_mixed_down() -> None:
    speech = speech_from(_pcm([100, 300, -50, -150]), "audio/L16;rate=8000;channels=2")
    assert speech.pcm == _pcm([200, -100])


def test_wav_is_read_from_its_header() -> None:
    speech = speech_from(wav_file(_pcm([5] * 480), 48_000), "audio/wav")
    assert speech.rate == 48_000 and speech.duration_ms == 10


def test_stereo_wav_is_mixed_down() -> None:
    speech = speech_from(wav_file(_pcm([10, 30] * 10), 24_000, channels=2), "audio/x-wav")
    assert speech.pcm == _pcm([20] * 10)


@pytest.mark.parametrize(("data", "mime", "message"), [
    (b"\xff\xfb", "audio/mpeg", "unsupported speech format"),
    (b"\x00\x00", "audio/L16;codec=pcm", "no usable rate"),
    (b"\x00\x00", "audio/L16;rate=fast", "no usable rate"),
    (b"\x00\x00", "audio/L16;rate=5", "impossible rate"),
    (b"\x00\x00", "audio/L16;codec=opus;rate=24000", "unsupported speech format"),
    (b"RIFF....WAVE", "audio/wav", "not a readable WAV"),
])
def test_unreadable_speech_is_a_clear_permanent_error(data: bytes, mime: str,
                                                      message: str) -> None:
    with pytest.raises(LlmError, match=message) as err:
        speech_from(data, mime)
    assert err.value.retryable is False


def test_8_bit_wav_is_refused_clearly() -> None:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(8000)
        out.writeframes(b"\x80" * 80)
    with pytest.raises(LlmError, match="8-bit"):
        speech_from(buffer.getvalue(), "audio/wav")
