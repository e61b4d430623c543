"""Taiwanese (Taigi) speech through the NYCU iVoice service, over plain HTTP.

The service's two endpoints, as the NYCU iVoice demo page (and Mededbot) call them
(base http://tts001.ivoice.tw:8804):

    GET {base}/html_taigi_zh_tw_py?text0=<Chinese text>        -> 200 text/plain TLPA
    GET {base}/synthesize_TLPA?text1=<TLPA>&gender=女聲&accent=強勢腔（高雄腔）
                                                               -> 200 audio/wav

infra/local/ivoice_server.py serves the same endpoints for the tests and the local
stack. The service asks that NYCU iVoice be credited wherever its speech is used: the
bot adds the credit line to every Taigi reply.

Privacy: the service is plain HTTP (no TLS), so the request carries nothing but the
text to speak: no user id, no chat id, no session, no headers beyond the defaults.
Nothing here logs text, romanisation, audio or URLs.

Resilience, so a slow or dead iVoice never holds the patient's chat hostage:
* a timeout per request (connect and read), `attempts` tries with exponential backoff
  on connection errors, timeouts, 5xx and 429 (4xx other than 429 fail at once);
* a circuit breaker per adapter instance (per warm function instance): `threshold`
  failed calls within `window_s` open it; while open every call fails at once
  (TaigiUnavailable) for `cooldown_s`; then one probe call is let through (half-open):
  success closes the breaker, failure opens it again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from enum import StrEnum

import requests

from shared.ports import TaigiUnavailable

log = logging.getLogger(__name__)

ROMANIZE_PATH = "/html_taigi_zh_tw_py"
SYNTHESIZE_PATH = "/synthesize_TLPA"
VOICE = {"gender": "女聲", "accent": "強勢腔（高雄腔）"}  # female, Kaohsiung accent
MAX_TEXT_CHARS = 500  # a spoken chat message; longer text is cut at this length
MAX_WAV_BYTES = 20 * 1024 * 1024  # ~7 minutes of 24 kHz 16-bit mono: more is not speech


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Failures within a sliding window open the circuit; a half-open probe closes it."""

    def __init__(self, threshold: int = 3, window_s: float = 60.0, cooldown_s: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold, self.window_s, self.cooldown_s = threshold, window_s, cooldown_s
        self._clock = clock
        self._failures: deque[float] = deque()
        self._opened_at: float | None = None
        self._probing = False
        self._lock = threading.Lock()

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._state()

    def _state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at >= self.cooldown_s:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self) -> bool:
        """May a call go out now? In half-open, only one probe at a time."""
        with self._lock:
            state = self._state()
            if state is BreakerState.CLOSED:
                return True
            if state is BreakerState.HALF_OPEN and not self._probing:
                self._probing = True
                return True
            return False

    def success(self) -> None:
        with self._lock:
            self._failures.clear()
            self._opened_at, self._probing = None, False

    def failure(self) -> None:
        with self._lock:
            now = self._clock()
            if self._probing or self._opened_at is not None:
                self._opened_at, self._probing = now, False  # the probe failed: reopen
                return
            self._failures.append(now)
            while self._failures and now - self._failures[0] > self.window_s:
                self._failures.popleft()
            if len(self._failures) >= self.threshold:
                self._opened_at = now
                self._failures.clear()
                log.warning("ivoice circuit opened", extra={"outcome": "breaker_open"})


class _Retryable(Exception):
    pass


class IVoiceTaigi:
    """TaigiSpeech on NYCU iVoice (see the module docstring for the contract)."""

    def __init__(self, base_url: str, *, timeout_s: float = 8.0, attempts: int = 2,
                 backoff_s: float = 0.5, breaker: CircuitBreaker | None = None,
                 session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if not base_url:
            raise ValueError("iVoice base URL is empty")
        self._base = base_url.rstrip("/")
        self._timeout_s = timeout_s
        self._attempts = max(1, attempts)
        self._backoff_s = backoff_s
        self.breaker = breaker or CircuitBreaker()
        self._session = session or requests.Session()
        self._sleep = sleep

    # ------------------------------------------------------------------ port
    def romanize(self, text: str) -> str:
        text = _clean(text)
        response = self._call(ROMANIZE_PATH, {"text0": text[:MAX_TEXT_CHARS]})
        tlpa = response.text.strip()
        if not tlpa or tlpa.startswith("<"):  # empty, or an HTML error page
            raise TaigiUnavailable("iVoice romanize answered without TLPA")
        return tlpa

    def synthesize(self, tlpa: str) -> bytes:
        tlpa = _clean(tlpa)
        response = self._call(SYNTHESIZE_PATH, {"text1": tlpa[:MAX_TEXT_CHARS * 4], **VOICE})
        audio = response.content
        if not audio.startswith(b"RIFF") or audio[8:12] != b"WAVE":
            raise TaigiUnavailable("iVoice synthesize answered no WAV")
        if len(audio) > MAX_WAV_BYTES:
            raise TaigiUnavailable("iVoice synthesize answered too much audio")
        return audio

    # ------------------------------------------------------------------ plumbing
    def _call(self, path: str, payload: dict[str, str]) -> requests.Response:
        if not self.breaker.allow():
            raise TaigiUnavailable("iVoice circuit is open")
        started = time.perf_counter()
        for attempt in range(1, self._attempts + 1):
            try:
                response = self._once(path, payload)
            except _Retryable as problem:
                log.warning("ivoice call failed", extra={
                    "endpoint": path, "attempt": attempt, "error": str(problem)})
                if attempt < self._attempts:
                    self._sleep(self._backoff_s * 2 ** (attempt - 1))
                    continue
                self.breaker.failure()
                raise TaigiUnavailable("iVoice did not answer") from None
            except TaigiUnavailable:
                self.breaker.failure()
                raise
            self.breaker.success()
            log.info("ivoice call", extra={"endpoint": path, "attempt": attempt,
                                           "latency_ms": round((time.perf_counter() - started)
                                                               * 1000, 1)})
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, path: str, payload: dict[str, str]) -> requests.Response:
        try:
            response = self._session.get(self._base + path, params=payload,
                                         timeout=(self._timeout_s, self._timeout_s))
        except requests.Timeout:
            raise _Retryable("timeout") from None
        except requests.ConnectionError:
            raise _Retryable("connection") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise _Retryable(f"http {response.status_code}")
        if response.status_code != 200:
            raise TaigiUnavailable(f"iVoice refused the request ({response.status_code})")
        return response


def _clean(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise ValueError("nothing to speak")
    return text
