"""LanguageModel on Gemini through google-genai: Vertex AI in production, the Gemini
Developer API (an API key) for local runs and tests.

* Backend: `vertex` (genai.Client(vertexai=True, project, location), authenticated as
  the function's own service account through Application Default Credentials) or an
  API key. Model ids and request shapes are the same on both.
* Finish reasons: only STOP is a complete answer. MAX_TOKENS is asked again once with
  more room, then reported as `truncated`; SAFETY, RECITATION, a blocked prompt and
  the rest are reported in kind (LlmError.kind), never retried.
* Retries: 429, 5xx and timeouts are retried with exponential backoff and jitter. A
  retry hint (google.rpc.RetryInfo) replaces the backoff: a short one is waited out
  here, a longer one ends the call (kind `rate_limited`, retry_after_s) so the task is
  rescheduled. A per-day quota (google.rpc.QuotaFailure) is not retried: calls stop
  until it resets (midnight Pacific), with an operator log line. A 404 for a model is
  an operator's fix (a retired id): no retries, one clear log line.
* Speech: the answer's mime type gives the format (L16 at its rate, or WAV); the style
  goes in speech_metadata, never into the spoken text; no sampling parameters.

The client and the calls with their retries are gemini_transport.py's; this module
reads the answers. The SDK is imported lazily (0.7 s) so importing this module stays
cheap; the client is built on first use. Never log prompts, outputs, audio or
transcripts: they are personal medical data.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, TypeVar

from pydantic import BaseModel, ValidationError

from shared.adapters.gemini_answers import finish_failure, speech_from, suggestions
from shared.adapters.gemini_transport import GeminiTransport, VertexTarget
from shared.ports import LlmError, LlmText, Source, Speech, Thinking

if TYPE_CHECKING:
    from google.genai import types

log = logging.getLogger(__name__)

__all__ = ["GeminiModel", "VertexTarget"]

M = TypeVar("M", bound=BaseModel)

MAX_SOURCES: Final = 10
MAX_INLINE_AUDIO: Final = 20 * 1024 * 1024  # Gemini: inline request data up to 20 MB
DEFAULT_VOICE: Final = "Kore"  # prebuilt voices are multilingual; the model detects the language
# Read-aloud direction for the speech model: speech_metadata.style, never in the text
# (Gemini 3.8 TTS reads the text verbatim).
SPEECH_STYLE: Final = ("Calm, warm and clear, at an unhurried pace, like a nurse explaining "
                       "something to a patient")
# Output budget per call (thinking tokens count against it): first try, then "ask
# again with more room" after a MAX_TOKENS answer. A leaflet is ~1-3k tokens; the
# second budget is the Gemini 3 models' output limit.
OUTPUT_TOKENS: Final = (16_384, 65_536)
TRANSCRIBE_SYSTEM: Final = (
    "You are a transcription engine. Transcribe the user's audio verbatim in the language "
    "spoken. Output only the transcript, without comments, translation or timestamps. If "
    "nothing is said, output nothing."
)


class GeminiModel:
    offline = False

    def __init__(
        self,
        api_key: str = "",
        *,
        model: str,
        tts_model: str,
        vertex: VertexTarget | None = None,
        base_url: str = "",
        timeout_s: float = 60,
        attempts: int = 4,
        max_wait_s: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        voice: str = DEFAULT_VOICE,
        output_tokens: tuple[int, int] = OUTPUT_TOKENS,
        rng: random.Random | None = None,
        usage_observer: Callable[[str, Any], None] | None = None,
    ) -> None:
        if bool(api_key) == (vertex is not None):
            raise ValueError("GeminiModel needs either an API key or a Vertex AI target "
                             "(use the offline engine without)")
        self._model = model
        self._tts_model = tts_model
        self._voice = voice
        self._output_tokens = output_tokens
        self._transport = GeminiTransport(
            api_key, vertex, tts_model, base_url, int(timeout_s * 1000), max(1, attempts),
            max_wait_s, sleep, now,
            rng or random.Random(),  # noqa: S311 (jitter, not security)
            usage_observer)

    @property
    def backend(self) -> str:
        return self._transport.backend

    def observe_usage(self, observer: Callable[[str, Any], None] | None) -> None:
        """Let `observer` see (model, usage_metadata) of every answer: token counts,
        never text (bench/gemini_tasks.py)."""
        self._transport.usage_observer = observer

    def _call(self, model: str, contents: Any,
              config: types.GenerateContentConfig) -> types.GenerateContentResponse:
        return self._transport.call(model, contents, config)

    # ------------------------------------------------------------------ port
    def generate(self, system: str, prompt: str, *, grounded: bool = False,
                 thinking: Thinking = "default") -> LlmText:
        from google.genai import types

        config = types.GenerateContentConfig(
            system_instruction=system,
            tools=[types.Tool(google_search=types.GoogleSearch())] if grounded else None,
            thinking_config=self._thinking(thinking),
        )
        # The user's text goes in contents only: it is data, never instructions.
        response = self._complete(self._model, prompt, config)
        text = response.text or ""
        if not text.strip():
            raise self._refused(self._model, "empty answer", kind="invalid")
        usage = response.usage_metadata
        metadata = self._grounding(response) if grounded else None
        return LlmText(
            text=text,
            sources=_sources(metadata),
            model=response.model_version or self._model,
            input_tokens=(usage.prompt_token_count or 0) if usage else 0,
            # Thinking tokens are billed as output, so they count here.
            output_tokens=(
                (usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)
                if usage else 0
            ),
            suggestions=suggestions(
                metadata.web_search_queries if metadata else None,
                metadata.search_entry_point.rendered_content
                if metadata and metadata.search_entry_point else None),
            search_html=(metadata.search_entry_point.rendered_content or ""
                         if metadata and metadata.search_entry_point else ""),
        )

    def generate_json(self, system: str, prompt: str, schema: type[M], *,
                      thinking: Thinking = "default") -> M:
        from google.genai import types

        config = types.GenerateContentConfig(
            system_instruction=system,
            response_mime_type="application/json",
            response_schema=schema,
            thinking_config=self._thinking(thinking),
        )
        response = self._complete(self._model, prompt, config)
        try:
            return schema.model_validate_json(response.text or "")
        except ValidationError as exc:
            # Same prompt, same model: retrying rarely helps; the caller decides.
            raise LlmError(
                f"answer does not match {schema.__name__} ({exc.error_count()} errors)",
                retryable=False, kind="invalid",
            ) from None

    def speak(self, text: str, language: str) -> Speech:
        # `language` is not sent: Gemini TTS detects it from the text, and its
        # language_code field only takes ISO 639-1 codes (no "zh-TW"). No temperature,
        # topP or topK: Gemini 3.8 TTS rejects them.
        from google.genai import types

        config = types.GenerateContentConfig(
            response_modalities=["AUDIO"],
            speech_config=types.SpeechConfig(
                voice_config=types.VoiceConfig(
                    prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name=self._voice)
                )
            ),
        )
        contents = [types.Content(role="user", parts=[types.Part(
            text=text, speech_metadata=types.SpeechMetadata(style=SPEECH_STYLE))])]
        response = self._call(self._tts_model, contents, config)
        self._check_finish(self._tts_model, response)
        for candidate in response.candidates or []:
            for part in (candidate.content.parts if candidate.content else None) or []:
                blob = part.inline_data
                if blob is not None and blob.data:
                    return speech_from(blob.data, blob.mime_type or "")
        raise self._refused(self._tts_model, "no audio in the answer", kind="invalid")

    def transcribe(self, audio: bytes, mime: str) -> str:
        if len(audio) > MAX_INLINE_AUDIO:
            raise LlmError("audio too large for inline transcription", retryable=False)
        from google.genai import types

        config = types.GenerateContentConfig(system_instruction=TRANSCRIBE_SYSTEM,
                                             thinking_config=self._thinking("minimal"))
        contents = [
            types.Part.from_bytes(data=audio, mime_type=mime),
            types.Part.from_text(text="Transcribe this audio verbatim."),
        ]
        response = self._complete(self._model, contents, config)
        return (response.text or "").strip()  # "" = nothing was heard (finish STOP)

    def available(self, model: str) -> bool:
        """Whether this backend serves `model` (models.get): False on 404; other
        failures raise LlmError."""
        from google.genai import errors

        client = self._transport.client()
        try:
            client.models.get(model=model)
        except errors.ClientError as exc:
            if exc.code == 404:
                return False
            raise LlmError(f"models.get {model}: HTTP {exc.code} {exc.status or ''}".strip(),
                           retryable=False) from None
        except errors.APIError as exc:
            raise LlmError(f"models.get {model}: HTTP {exc.code}", retryable=True) from None
        return True

    # ------------------------------------------------------------------ answers
    def _complete(self, model: str, contents: Any,
                  config: types.GenerateContentConfig) -> types.GenerateContentResponse:
        """A complete answer (finish STOP). A cut-off one is asked again once with
        more room; still cut off, or ended for any other reason: LlmError in kind."""
        first, more = self._output_tokens
        config.max_output_tokens = first
        response = self._call(model, contents, config)
        if self._finish(response) == "MAX_TOKENS" and more > first:
            log.info("gemini %s answer cut at %d tokens; asking again with %d",
                     model, first, more)
            response = self._call(model, contents,
                                  config.model_copy(update={"max_output_tokens": more}))
        self._check_finish(model, response)
        return response

    def _check_finish(self, model: str, response: types.GenerateContentResponse) -> None:
        feedback = response.prompt_feedback
        if feedback is not None and feedback.block_reason is not None:
            raise self._refused(model, f"prompt blocked ({_name(feedback.block_reason)})")
        reason = self._finish(response)
        failure = finish_failure(reason)
        if failure is None:
            return
        if failure == "truncated":
            log.warning("gemini %s answer cut off (MAX_TOKENS) even with more room", model)
            raise LlmError("the answer was cut off (MAX_TOKENS)", retryable=False,
                           kind="truncated")
        raise self._refused(model, f"finish {reason}", kind=failure)

    @staticmethod
    def _finish(response: types.GenerateContentResponse) -> str | None:
        candidates = response.candidates or []
        reason = candidates[0].finish_reason if candidates else None
        return _name(reason) if reason is not None else None

    @staticmethod
    def _refused(model: str, why: str, kind: Any = "refused") -> LlmError:
        log.warning("gemini %s gave no usable answer: %s", model, why)
        return LlmError(f"Gemini gave no usable answer ({why})", retryable=False, kind=kind)

    @staticmethod
    def _grounding(response: types.GenerateContentResponse) -> types.GroundingMetadata | None:
        candidates = response.candidates or []
        return candidates[0].grounding_metadata if candidates else None

    @staticmethod
    def _thinking(thinking: Thinking) -> types.ThinkingConfig | None:
        from google.genai import types

        if thinking == "minimal":
            return types.ThinkingConfig(thinking_level=types.ThinkingLevel.MINIMAL)
        return None  # the model's own default


def _name(value: Any) -> str:
    """An SDK enum's name ('STOP'), or the raw string an unknown value arrives as."""
    return str(getattr(value, "value", value))


def _sources(metadata: types.GroundingMetadata | None) -> tuple[Source, ...]:
    """Grounding chunks' web links, deduplicated by URL, at most MAX_SOURCES. The
    search suggestions (webSearchQueries, searchEntryPoint) are read separately: they
    are not sources."""
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
