"""LanguageModel on Gemini through google-genai.

The SDK is imported lazily (0.7 s) so importing this module stays cheap; the client is
built on first use. google-genai does not retry unless asked (no retry_options), so
this adapter owns the retry policy: 429, 5xx and timeouts are retried with exponential
backoff and jitter, then surface as LlmError(retryable=True) so the task queue can try
again later; other 4xx are permanent (retryable=False).

Never log prompts, outputs, audio or transcripts: they are personal medical data.
"""

from __future__ import annotations

import importlib
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from shared.ports import LlmError, LlmText, Source

if TYPE_CHECKING:
    from google import genai
    from google.genai import types

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")

MAX_SOURCES = 10
MAX_INLINE_AUDIO = 20 * 1024 * 1024  # Gemini: inline request data up to 20 MB
DEFAULT_VOICE = "Kore"  # prebuilt voices are multilingual; the model detects the language
BACKOFF_BASE_S = 1.0
BACKOFF_MAX_S = 30.0
TRANSCRIBE_SYSTEM = (
    "You are a transcription engine. Transcribe the user's audio verbatim in the language "
    "spoken. Output only the transcript, without comments, translation or timestamps."
)


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


class GeminiModel:
    offline = False

    def __init__(
        self,
        api_key: str,
        *,
        model: str,
        tts_model: str,
        base_url: str = "",
        timeout_s: float = 60,
        attempts: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        voice: str = DEFAULT_VOICE,
        rng: random.Random | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("GeminiModel needs an API key (use the offline engine without)")
        self._api_key = api_key
        self._model = model
        self._tts_model = tts_model
        self._base_url = base_url
        self._timeout_ms = int(timeout_s * 1000)
        self._attempts = max(1, attempts)
        self._sleep = sleep
        self._voice = voice
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not security)
        self._client: genai.Client | None = None
        self._client_lock = threading.Lock()
        self._transient: tuple[type[BaseException], ...] = ()

    # ------------------------------------------------------------------ port
    def generate(self, system: str, prompt: str, *, grounded: bool = False) -> LlmText:
        from google.genai import types

        config = types.GenerateContentConfig(
            system_instruction=system,
            tools=[types.Tool(google_search=types.GoogleSearch())] if grounded else None,
        )
        # The user's text goes in contents only: it is data, never instructions.
        response = self._call(self._model, prompt, config)
        text = response.text
        if not text:
            raise LlmError(f"empty answer ({self._finish_reason(response)})", retryable=False)
        usage = response.usage_metadata
        return LlmText(
            text=text,
            sources=_sources(response) if grounded else (),
            model=response.model_version or self._model,
            input_tokens=(usage.prompt_token_count or 0) if usage else 0,
            # Thinking tokens are billed as output, so they count here.
            output_tokens=(
                (usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)
                if usage else 0
            ),
        )

    def generate_json(self, system: str, prompt: str, schema: type[M]) -> M:
        from google.genai import types

        config = types.GenerateContentConfig(
            system_instruction=system,
            response_mime_type="application/json",
            response_schema=schema,
        )
        response = self._call(self._model, prompt, config)
        try:
            return schema.model_validate_json(response.text or "")
        except ValidationError as exc:
            # Same prompt, same model: retrying rarely helps; the caller decides.
            raise LlmError(
                f"answer does not match {schema.__name__} ({exc.error_count()} errors)",
                retryable=False,
            ) from None

    def speak(self, text: str, language: str) -> bytes:
        # `language` is not sent: Gemini TTS detects it from the text, and its
        # language_code field only takes ISO 639-1 codes (no "zh-TW").
        from google.genai import types

        config = types.GenerateContentConfig(
            response_modalities=["AUDIO"],
            speech_config=types.SpeechConfig(
                voice_config=types.VoiceConfig(
                    prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name=self._voice)
                )
            ),
        )
        response = self._call(self._tts_model, text, config)
        for candidate in response.candidates or []:
            for part in (candidate.content.parts if candidate.content else None) or []:
                blob = part.inline_data
                if blob is not None and blob.data:
                    pcm = blob.data
                    # 16-bit samples: an odd trailing byte is a truncated sample.
                    return pcm[: len(pcm) - len(pcm) % 2]
        raise LlmError(f"no audio in answer ({self._finish_reason(response)})", retryable=False)

    def transcribe(self, audio: bytes, mime: str) -> str:
        if len(audio) > MAX_INLINE_AUDIO:
            raise LlmError("audio too large for inline transcription", retryable=False)
        from google.genai import types

        config = types.GenerateContentConfig(system_instruction=TRANSCRIBE_SYSTEM)
        contents = [
            types.Part.from_bytes(data=audio, mime_type=mime),
            types.Part.from_text(text="Transcribe this audio verbatim."),
        ]
        response = self._call(self._model, contents, config)
        return (response.text or "").strip()

    # ------------------------------------------------------------------ plumbing
    def _client_once(self) -> genai.Client:
        with self._client_lock:
            if self._client is None:
                from google import genai
                from google.genai import types

                options = types.HttpOptions(timeout=self._timeout_ms)
                if self._base_url:
                    options.base_url = self._base_url
                self._client = genai.Client(api_key=self._api_key, http_options=options)
                self._transient = _transient_transport_errors()
            return self._client

    def _call(
        self, model: str, contents: Any, config: types.GenerateContentConfig
    ) -> types.GenerateContentResponse:
        from google.genai import errors

        client = self._client_once()
        for attempt in range(1, self._attempts + 1):
            try:
                return client.models.generate_content(
                    model=model, contents=contents, config=config
                )
            except errors.ClientError as exc:
                if exc.code not in (408, 429):
                    log.warning("gemini %s rejected the request: HTTP %s", model, exc.code)
                    raise LlmError(f"Gemini rejected the request (HTTP {exc.code})",
                                   retryable=False) from None
                reason = f"HTTP {exc.code}"
            except errors.ServerError as exc:
                reason = f"HTTP {exc.code}"
            except errors.APIError as exc:  # neither 4xx nor 5xx: unexpected, permanent
                raise LlmError(f"Gemini error (HTTP {exc.code})", retryable=False) from None
            except self._transient as exc:
                reason = type(exc).__name__
            if attempt == self._attempts:
                log.warning("gemini %s failed after %d attempts: %s", model, attempt, reason)
                raise LlmError(f"Gemini unavailable after {attempt} attempts ({reason})",
                               retryable=True)
            delay = self._backoff(attempt)
            log.info("gemini %s attempt %d failed (%s); retrying in %.1f s",
                     model, attempt, reason, delay)
            self._sleep(delay)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _backoff(self, attempt: int) -> float:
        # Exponential with full jitter on top, so a burst of workers hitting a 429
        # together do not come back in lockstep.
        base = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2.0 ** (attempt - 1))
        return base + self._rng.uniform(0, base)

    @staticmethod
    def _finish_reason(response: types.GenerateContentResponse) -> str:
        candidates = response.candidates or []
        reason = candidates[0].finish_reason if candidates else None
        return str(reason) if reason is not None else "no candidates"


def _sources(response: types.GenerateContentResponse) -> tuple[Source, ...]:
    """Grounding chunks' web links, deduplicated by URL, at most MAX_SOURCES.
    The searchEntryPoint (search suggestion chips) is deliberately ignored."""
    candidates = response.candidates or []
    metadata = candidates[0].grounding_metadata if candidates else None
    seen: set[str] = set()
    sources: list[Source] = []
    for chunk in (metadata.grounding_chunks if metadata else None) or []:
        web = chunk.web
        if web is None or not web.uri or web.uri in seen:
            continue
        seen.add(web.uri)
        sources.append(Source(title=web.title or web.domain or web.uri, url=web.uri))
        if len(sources) == MAX_SOURCES:
            break
    return tuple(sources)
