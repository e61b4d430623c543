"""TaigiSpeech contract: the fake and the real NYCU iVoice adapter (on the local
iVoice-contract server) behave alike; the real adapter's timeouts, retries and circuit
breaker are checked against a slow and a failing server."""

from __future__ import annotations

import io
import re
import time
import wave
from collections.abc import Callable
from typing import Any

import pytest

from infra.local.ivoice_server import IVoiceServer
from shared.adapters.taigi_ivoice import BreakerState, CircuitBreaker, IVoiceTaigi
from shared.fakes.taigi_fake import FakeTaigi
from shared.ports import TaigiSpeech, TaigiUnavailable

TLPA = re.compile(r"^[a-z]+[1-9]( [a-z]+[1-9])*$")


class Harness:
    def __init__(self, speech: TaigiSpeech, fail: Callable[[], None]) -> None:
        self.speech, self.fail = speech, fail


@pytest.fixture(params=["fake", "ivoice"])
def harness(request: Any) -> Harness:
    if request.param == "fake":
        fake = FakeTaigi()
        return Harness(fake, lambda: fake.fail_next(10))
    server: IVoiceServer = request.getfixturevalue("ivoice_server")
    adapter = IVoiceTaigi(server.url, timeout_s=2, attempts=2, backoff_s=0.01)
    return Harness(adapter, lambda: server.set_mode("fail"))


def state(breaker: CircuitBreaker) -> BreakerState:
    return breaker.state  # a call, so mypy does not narrow it between two checks


def _wav(data: bytes) -> tuple[int, int, int]:
    with wave.open(io.BytesIO(data)) as w:
        return w.getnchannels(), w.getsampwidth(), w.getnframes()


def test_romanize_gives_tlpa_syllables_with_tone_numbers(harness: Harness) -> None:
    tlpa = harness.speech.romanize("我頭痛三天了")
    assert TLPA.match(tlpa), tlpa
    assert tlpa.split()[:2] == ["gua2", "thau5"]


def test_synthesize_gives_a_mono_16_bit_wav_that_grows_with_the_text(harness: Harness) -> None:
    short = harness.speech.synthesize("gua2")
    long = harness.speech.synthesize("gua2 thau5 thiann3 sann1 thinn1")
    assert short[:4] == b"RIFF"
    channels, width, frames = _wav(short)
    assert (channels, width) == (1, 2) and frames > 0
    assert _wav(long)[2] > frames


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_nothing_to_speak_is_refused(harness: Harness, text: str) -> None:
    with pytest.raises(ValueError):
        harness.speech.romanize(text)
    with pytest.raises(ValueError):
        harness.speech.synthesize(text)


def test_a_failing_service_raises_taigi_unavailable(harness: Harness) -> None:
    harness.fail()
    with pytest.raises(TaigiUnavailable):
        harness.speech.romanize("我頭痛")


# ---------------------------------------------------------------- real adapter only
def test_only_the_text_to_speak_is_sent(ivoice_server: IVoiceServer) -> None:
    adapter = IVoiceTaigi(ivoice_server.url)
    adapter.synthesize(adapter.romanize("我  頭痛"))
    romanize, synthesize = ivoice_server.requests
    assert (romanize.path, romanize.body) == ("/html_taigi_zh_tw_py", {"text0": "我 頭痛"})
    assert synthesize.path == "/synthesize_TLPA"
    assert sorted(synthesize.body) == ["accent", "gender", "text1"]
    assert (synthesize.body["gender"], synthesize.body["accent"]) == ("女聲", "強勢腔（高雄腔）")
    sent_headers = {name.lower() for name in romanize.headers}
    assert sent_headers <= {"host", "user-agent", "accept-encoding", "accept", "connection",
                            "content-length", "content-type"}


def test_a_transient_5xx_is_retried_with_backoff(ivoice_server: IVoiceServer) -> None:
    sleeps: list[float] = []
    adapter = IVoiceTaigi(ivoice_server.url, attempts=3, backoff_s=0.5, sleep=sleeps.append)
    ivoice_server.fail_next(2)
    assert adapter.romanize("我")
    assert len(ivoice_server.requests) == 3
    assert sleeps == [0.5, 1.0]
    assert state(adapter.breaker) is BreakerState.CLOSED


def test_a_slow_service_times_out_within_the_budget(ivoice_server: IVoiceServer) -> None:
    ivoice_server.set_mode("slow", slow_s=3)
    adapter = IVoiceTaigi(ivoice_server.url, timeout_s=0.3, attempts=2, backoff_s=0.05)
    started = time.monotonic()
    with pytest.raises(TaigiUnavailable):
        adapter.romanize("我頭痛")
    assert time.monotonic() - started < 1.5  # 2 x 0.3 s + backoff, not 2 x 3 s
    assert len(ivoice_server.requests) == 2


def test_a_refused_request_is_not_retried(ivoice_server: IVoiceServer) -> None:
    adapter = IVoiceTaigi(ivoice_server.url + "/wrong", attempts=3, backoff_s=0.01)
    with pytest.raises(TaigiUnavailable):
        adapter.romanize("我")
    assert len(ivoice_server.requests) == 1


def test_the_breaker_opens_fails_fast_and_a_half_open_probe_closes_it(
        ivoice_server: IVoiceServer) -> None:
    now = [100.0]
    breaker = CircuitBreaker(threshold=2, window_s=60, cooldown_s=30, clock=lambda: now[0])
    adapter = IVoiceTaigi(ivoice_server.url, attempts=1, breaker=breaker)
    ivoice_server.set_mode("fail")
    for _ in range(2):
        with pytest.raises(TaigiUnavailable):
            adapter.romanize("我")
    assert state(breaker) is BreakerState.OPEN
    sent = len(ivoice_server.requests)
    started = time.monotonic()
    with pytest.raises(TaigiUnavailable):
        adapter.romanize("我")  # fails at once, nothing sent
    assert len(ivoice_server.requests) == sent
    assert time.monotonic() - started < 0.1

    now[0] += 31  # cooldown over: one probe may go out; it fails -> open again
    assert state(breaker) is BreakerState.HALF_OPEN
    with pytest.raises(TaigiUnavailable):
        adapter.romanize("我")
    assert len(ivoice_server.requests) == sent + 1
    assert state(breaker) is BreakerState.OPEN

    now[0] += 31
    ivoice_server.set_mode("ok")
    assert adapter.romanize("我") == "gua2"  # the probe succeeds -> closed
    assert state(breaker) is BreakerState.CLOSED


def test_failures_outside_the_window_do_not_open_the_breaker() -> None:
    now = [0.0]
    breaker = CircuitBreaker(threshold=3, window_s=10, cooldown_s=30, clock=lambda: now[0])
    for _ in range(5):
        breaker.failure()
        now[0] += 6  # never 3 failures within 10 s
    assert state(breaker) is BreakerState.CLOSED
    breaker.failure()
    now[0] += 1
    breaker.failure()
    assert state(breaker) is BreakerState.OPEN


def test_only_one_probe_at_a_time_while_half_open() -> None:
    now = [0.0]
    breaker = CircuitBreaker(threshold=1, window_s=10, cooldown_s=5, clock=lambda: now[0])
    breaker.failure()
    now[0] += 6
    assert breaker.allow() is True
    assert breaker.allow() is False  # a second caller waits for the probe's result
    breaker.success()
    assert breaker.allow() is True
