"""Gemini's transport: the google-genai client (Vertex AI or an API key), and every call
with its retries (exponential backoff with jitter; a retry hint waited out when short,
else the call ends so the task is rescheduled), a per-day quota that stops calls until
it resets, and a missing model reported once for the operator. GeminiModel (gemini.py)
reads the answers.

Logs under the logger "shared.adapters.gemini": the operator's metrics and alerts read
that name (infra/terraform/locals.tf, log_contract.gemini_logger). Never logs prompts,
outputs, audio or transcripts.
"""

from __future__ import annotations

import importlib
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from shared.adapters.gemini_answers import quota_reset, retry_hint
from shared.ports import LlmError

if TYPE_CHECKING:
    from google import genai
    from google.genai import types

log = logging.getLogger("shared.adapters.gemini")  # the metrics' logger name

BACKOFF_BASE_S: Final = 1.0
BACKOFF_MAX_S: Final = 30.0


def _transient_transport_errors() -> tuple[type[BaseException], ...]:
    """Timeouts and connection failures of whichever httpx flavour google-genai uses
    (3.x prefers httpx2 when installed and does not wrap these exceptions)."""
    found: list[type[BaseException]] = []
    for module_name in ("httpx", "httpx2"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name in ("TimeoutException", "ConnectError", "RemoteProtocolError"):
            cls = getattr(module, name, None)
            if isinstance(cls, type) and issubclass(cls, BaseException):
                found.append(cls)
    return (TimeoutError, ConnectionError, *found)


@dataclass(frozen=True)
class VertexTarget:
    """Vertex AI: the project and location that serve the model; credentials None means
    Application Default Credentials (on Cloud Functions: the function's service account)."""

    project: str
    location: str
    credentials: Any = None


@dataclass
class GeminiTransport:
    api_key: str
    vertex: VertexTarget | None
    tts_model: str
    base_url: str
    timeout_ms: int
    attempts: int
    max_wait_s: float
    sleep: Callable[[float], None]
    now: Callable[[], datetime]
    rng: random.Random
    # Sees (model, usage_metadata) of every answer: token counts, never text (bench).
    usage_observer: Callable[[str, Any], None] | None = None

    def __post_init__(self) -> None:
        self._client: genai.Client | None = None
        self._client_lock = threading.Lock()
        self._transient: tuple[type[BaseException], ...] = ()
        # Per-day quota exhausted: model -> when it resets. Only spares doomed requests
        # (and the quota) in this process; the truth stays with the service.
        self._quota_until: dict[str, datetime] = {}

    @property
    def backend(self) -> str:
        return "vertex" if self.vertex is not None else "api-key"

    def client(self) -> genai.Client:
        with self._client_lock:
            if self._client is None:
                from google import genai
                from google.genai import types

                options = types.HttpOptions(timeout=self.timeout_ms)
                if self.base_url:
                    options.base_url = self.base_url
                if self.vertex is not None:
                    self._client = genai.Client(
                        vertexai=True, project=self.vertex.project,
                        location=self.vertex.location, credentials=self.vertex.credentials,
                        http_options=options)
                else:
                    self._client = genai.Client(api_key=self.api_key, http_options=options)
                self._transient = _transient_transport_errors()
            return self._client

    def variable(self, model: str) -> str:
        return "GEMINI_TTS_MODEL" if model == self.tts_model else "GEMINI_MODEL"

    def call(
        self, model: str, contents: Any, config: types.GenerateContentConfig
    ) -> types.GenerateContentResponse:
        from google.genai import errors

        client = self.client()
        for attempt in range(1, self.attempts + 1):
            self._check_quota(model)
            delay: float | None = None
            try:
                response = client.models.generate_content(
                    model=model, contents=contents, config=config
                )
                if self.usage_observer is not None:
                    self.usage_observer(model, response.usage_metadata)
                return response
            except errors.ClientError as exc:
                if exc.code == 404:
                    raise self._model_missing(model, exc) from None
                if exc.code not in (408, 429):
                    log.warning("gemini %s rejected the request: HTTP %s", model, exc.code)
                    raise LlmError(f"Gemini rejected the request (HTTP {exc.code})",
                                   retryable=False) from None
                hint = retry_hint(exc.details)
                if hint.per_day:
                    raise self._daily_quota(model) from None
                delay, reason = hint.delay_s, f"HTTP {exc.code}"
            except errors.ServerError as exc:
                delay, reason = retry_hint(exc.details).delay_s, f"HTTP {exc.code}"
            except errors.APIError as exc:  # neither 4xx nor 5xx: unexpected, permanent
                raise LlmError(f"Gemini error (HTTP {exc.code})", retryable=False) from None
            except self._transient as exc:
                reason = type(exc).__name__
            if attempt == self.attempts:
                log.warning("gemini %s failed after %d attempts: %s", model, attempt, reason)
                raise LlmError(f"Gemini unavailable after {attempt} attempts ({reason})",
                               retryable=True,
                               kind="rate_limited" if delay is not None else "unavailable",
                               retry_after_s=delay)
            if delay is not None and delay > self.max_wait_s:
                # Longer than a worker should sit idle: the task is rescheduled instead.
                log.info("gemini %s asks to retry in %.1f s (%s): rescheduling",
                         model, delay, reason)
                raise LlmError(f"Gemini asks to retry in {delay:.1f} s", retryable=True,
                               kind="rate_limited", retry_after_s=delay)
            wait = self._backoff(attempt) if delay is None else self._hinted(delay)
            log.info("gemini %s attempt %d failed (%s); retrying in %.1f s",
                     model, attempt, reason, wait)
            self.sleep(wait)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _backoff(self, attempt: int) -> float:
        # Exponential with full jitter on top, so a burst of workers hitting a 429
        # together do not come back in lockstep.
        base = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2.0 ** (attempt - 1))
        return base + self.rng.uniform(0, base)

    def _hinted(self, delay: float) -> float:
        # Never before the hint runs out; a little jitter after it.
        return delay + self.rng.uniform(0, min(1.0, 0.1 * delay))

    def _model_missing(self, model: str, exc: Any) -> LlmError:
        variable = self.variable(model)
        log.error("gemini %s model not found (HTTP 404 %s): set %s to a current model "
                  "(python -m infra.ops models lists what this backend serves)",
                  model, exc.status or "NOT_FOUND", variable,
                  extra={"outcome": "model_not_found", "model": model, "variable": variable,
                         "backend": self.backend})
        return LlmError(f"model {model} not found ({variable})", retryable=False,
                        kind="model_missing")

    def _daily_quota(self, model: str) -> LlmError:
        now = self.now()
        until = quota_reset(now)
        self._quota_until[model] = until
        log.error("gemini %s daily quota exhausted: no calls until %s (raise the quota or "
                  "wait)", model, until.isoformat(),
                  extra={"outcome": "quota_exhausted_daily", "model": model,
                         "backend": self.backend})
        return LlmError("Gemini's daily quota is used up", retryable=False, kind="quota_daily",
                        retry_after_s=(until - now).total_seconds())

    def _check_quota(self, model: str) -> None:
        until = self._quota_until.get(model)
        if until is None:
            return
        now = self.now()
        if now >= until:
            del self._quota_until[model]
            return
        raise LlmError("Gemini's daily quota is used up", retryable=False, kind="quota_daily",
                       retry_after_s=(until - now).total_seconds())
