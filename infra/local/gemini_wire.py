"""The Gemini REST API's answers as the published reference shapes them (pure, no I/O).

Used by the local Gemini-protocol server (infra/local/gemini_server.py). Sources, all
public: the Gemini API reference (generateContent response, models.get/list, error
model), its "Grounding with Google Search" and "Use Google Search Suggestions" pages,
its "Speech generation" page, its rate-limit page and deprecations page, Vertex AI's
generateContent reference and error pages, and answers published in public issue
threads (429 bodies with google.rpc.QuotaFailure / RetryInfo / Help details). Every
shape below names where it comes from; nothing here is derived from MedBot's code.
"""

from __future__ import annotations

import html
import io
import math
import struct
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import quote_plus

Json = dict[str, Any]
SpeechFormat = tuple[Literal["l16", "wav", "mpeg"], int]  # (container, sample rate)


# --------------------------------------------------------------------------- models
@dataclass(frozen=True)
class ModelInfo:
    """One servable model (models.get / models.list fields of the reference)."""

    model_id: str
    display_name: str
    kind: Literal["text", "tts"]
    input_token_limit: int
    output_token_limit: int
    thinking: bool  # Gemini 3 text models think by default (thinkingConfig)
    speech: SpeechFormat | None = None  # what a TTS model answers by default
    launch_stage: str = "GA"

    def resource(self) -> Json:
        """models.get (Gemini API) body."""
        methods = ["generateContent", "countTokens"]
        if self.kind == "text":
            methods += ["streamGenerateContent", "batchGenerateContent"]
        return {
            "name": f"models/{self.model_id}", "baseModelId": self.model_id,
            "version": "001", "displayName": self.display_name,
            "inputTokenLimit": self.input_token_limit,
            "outputTokenLimit": self.output_token_limit,
            "supportedGenerationMethods": methods, "thinking": self.thinking,
        }

    def publisher_model(self) -> Json:
        """Vertex AI publishers.models.get body."""
        return {"name": f"publishers/google/models/{self.model_id}", "versionId": "001",
                "launchStage": self.launch_stage, "openSourceCategory": "PROPRIETARY"}


# Listed as current in late 2026 (Gemini API models page; PLATFORM.md). Gemini 3.8 TTS
# answers a complete WAV file by default ("Speech generation": "the model's default WAV
# output audio (audio/wav)"); the 3.1 preview TTS answers 24 kHz L16 PCM.
CURRENT_MODELS: Final[dict[str, ModelInfo]] = {m.model_id: m for m in (
    ModelInfo("gemini-3.8-flash", "Gemini 3.8 Flash", "text", 1_048_576, 65_536, True),
    ModelInfo("gemini-3.5-flash", "Gemini 3.5 Flash", "text", 1_048_576, 65_536, True),
    ModelInfo("gemini-3.5-flash-lite", "Gemini 3.5 Flash-Lite", "text", 1_048_576, 65_536,
              True),
    ModelInfo("gemini-3.8-flash-tts", "Gemini 3.8 Flash TTS", "tts", 8_192, 16_384, False,
              speech=("wav", 24_000)),
    ModelInfo("gemini-3.8-flash-lite-tts", "Gemini 3.8 Flash-Lite TTS", "tts", 8_192, 16_384,
              False, speech=("wav", 24_000)),
    ModelInfo("gemini-3.1-flash-tts-preview", "Gemini 3.1 Flash TTS Preview", "tts", 8_192,
              16_384, False, speech=("l16", 24_000), launch_stage="PREVIEW"),
)}
# Shut down (deprecations page): a request answers 404 NOT_FOUND.
RETIRED_MODELS: Final[dict[str, str]] = {
    "gemini-2.5-flash": "2026-12-01",
    "gemini-2.5-flash-lite": "2026-12-01",
    "gemini-2.5-pro": "2026-12-01",
    "gemini-2.5-flash-preview-tts": "2026-12-18",
    "gemini-2.5-pro-preview-tts": "2026-12-18",
    "gemini-2.0-flash": "2026-02-05",
    "gemini-1.5-flash": "2025-09-24",
}
# Gemini 3.8 TTS reads its text verbatim and rejects sampling parameters
# ("Speech generation" page): these generationConfig fields make a 400.
TTS_REJECTED_FIELDS: Final = ("temperature", "topP", "topK")


# --------------------------------------------------------------------------- errors
def error(code: int, status: str, message: str, details: Sequence[Json] = ()) -> Json:
    """The google.rpc.Status body every Google API answers errors with."""
    body: Json = {"code": code, "message": message, "status": status}
    if details:
        body["details"] = list(details)
    return {"error": body}


def model_not_found(model: str, *, vertex: str = "") -> Json:
    """404 for an unknown or retired model id. Gemini API wording as answered for
    retired ids; Vertex AI's "Publisher Model ... was not found" for project paths."""
    if vertex:
        return error(404, "NOT_FOUND", f"Publisher Model `{vertex}/publishers/google/models/"
                     f"{model}` was not found or your project does not have access to it. "
                     "Please ensure you are using a valid model version. For more "
                     "information, see: https://cloud.google.com/vertex-ai/generative-ai/"
                     "docs/learn/model-versions")
    return error(404, "NOT_FOUND", f"models/{model} is not found for API version v1beta, "
                 "or is not supported for generateContent. Call ListModels to see the list "
                 "of available models and their supported methods.")


def no_api_key() -> Json:
    return error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers "
                 "(callers without established identity). Please use API Key or other form "
                 "of API consumer identity to call this API.")


def bad_api_key() -> Json:
    return error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
                 [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                   "reason": "API_KEY_INVALID", "domain": "googleapis.com"}])


def unauthenticated() -> Json:
    return error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. "
                 "Expected OAuth 2 access token, login cookie or other valid authentication "
                 "credential.")


def invalid_argument(message: str) -> Json:
    return error(400, "INVALID_ARGUMENT", message)


def quota_exceeded(model: str, retry_delay_s: float, *, per_day: bool) -> Json:
    """429 RESOURCE_EXHAUSTED as the Gemini API answers it: a Help link, a
    google.rpc.QuotaFailure naming the exhausted quota (its quotaId tells a per-minute
    quota from a per-day one) and a google.rpc.RetryInfo with the delay."""
    quota_id = ("GenerateRequestsPerDayPerProjectPerModel" if per_day
                else "GenerateRequestsPerMinutePerProjectPerModel")
    delay = f"{retry_delay_s:.0f}s" if retry_delay_s == int(retry_delay_s) \
        else f"{retry_delay_s:.3f}s"
    return error(429, "RESOURCE_EXHAUSTED",
                 "You exceeded your current quota, please check your plan and billing "
                 "details. For more information on this error, head to: "
                 "https://ai.google.dev/gemini-api/docs/rate-limits.\n"
                 f"* Quota exceeded for metric: generativelanguage.googleapis.com/"
                 f"generate_content_requests, model: {model}\n"
                 f"Please retry in {retry_delay_s}s.", [
                     {"@type": "type.googleapis.com/google.rpc.Help", "links": [{
                         "description": "Learn more about Gemini API quotas",
                         "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]},
                     {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
                         "quotaMetric": "generativelanguage.googleapis.com/"
                                        "generate_content_requests",
                         "quotaId": quota_id,
                         "quotaDimensions": {"location": "global", "model": model},
                         "quotaValue": "1000" if per_day else "60"}]},
                     {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay},
                 ])


# --------------------------------------------------------------------------- grounding
_SUGGESTION_STYLE: Final = """<style>
.container {
  align-items: center;
  border-radius: 8px;
  display: flex;
  font-family: Google Sans, Roboto, sans-serif;
  font-size: 14px;
  line-height: 20px;
  padding: 8px 12px;
}
.chip {
  display: inline-block;
  border: solid 1px;
  border-radius: 16px;
  min-width: 14px;
  padding: 5px 16px;
  text-align: center;
  user-select: none;
  margin: 0 8px;
  -webkit-tap-highlight-color: transparent;
}
.carousel {
  overflow: auto;
  scrollbar-width: none;
  white-space: nowrap;
  margin-right: -12px;
}
.headline {
  display: flex;
  margin-right: 4px;
}
@media (prefers-color-scheme: light) {
  .container {
    background-color: #fafafa;
    box-shadow: 0 0 0 1px #0000000f;
  }
  .chip {
    background-color: #ffffff;
    border-color: #d2d2d2;
    color: #5e5e5e;
    text-decoration: none;
  }
}
@media (prefers-color-scheme: dark) {
  .container {
    background-color: #1f1f1f;
    box-shadow: 0 0 0 1px #ffffff26;
  }
  .chip {
    background-color: #2c2c2c;
    border-color: #3c4043;
    color: #fff;
    text-decoration: none;
  }
}
</style>"""
_LOGO: Final = ('<svg class="logo-light" width="18" height="18" viewBox="9 9 35 35" '
                'fill="none" xmlns="http://www.w3.org/2000/svg"><path d="M42.86 27.0c0-1.2'
                '-.11-2.4-.31-3.52H26.31v6.68h9.28c-.41 2.15-1.63 3.97-3.46 5.19v4.34h5.6'
                'c3.26-3.01 5.13-7.43 5.13-12.69z" fill="#4285F4"/></svg>')


def search_url(query: str) -> str:
    """A chip's link as the service writes it: straight to the Google results page."""
    return (f"https://www.google.com/search?q={quote_plus(query)}"
            "&client=app-vertex-grounding&safesearch=active")


def rendered_content(queries: Sequence[str]) -> str:
    """searchEntryPoint.renderedContent: a style block, then a container with the
    Google logo and one chip (an <a> to the results page) per query. The chip's href
    keeps its bare '&', as recorded answers show."""
    chips = "\n".join(f'<a class="chip" href="{search_url(q)}">{html.escape(q)}</a>'
                      for q in queries)
    return (f'{_SUGGESTION_STYLE}\n<div class="container">\n  <div class="headline">\n    '
            f'{_LOGO}\n  </div>\n  <div class="carousel">\n{chips}\n  </div>\n</div>')


def redirect_uri(index: int, seed: str) -> str:
    """Grounding chunk links are redirects through vertexaisearch.cloud.google.com."""
    token = "".join(f"{(ord(c) * 31 + index * 7) % 36:x}" for c in (seed + "grounding")[:48])
    return f"https://vertexaisearch.cloud.google.com/grounding-api-redirect/AUZIYQ{token}{index}"


def grounding_metadata(queries: Sequence[str], sources: Sequence[tuple[str, str, str]],
                       text: str, *, vertex: bool = False) -> Json:
    """candidates[0].groundingMetadata of a grounded answer. Each source is (uri,
    title, domain); `web.domain` is "only populated when using the Vertex AI Gemini
    API" (Firebase AI Logic reference, WebGroundingChunk)."""
    chunks = [{"web": {"uri": uri, "title": title, **({"domain": domain} if vertex else {})}}
              for uri, title, domain in sources]
    end = len(text.encode())
    supports = [{"segment": {"startIndex": 0, "endIndex": min(end, 40), "text": text[:40]},
                 "groundingChunkIndices": list(range(min(2, len(chunks))))}] if chunks else []
    metadata: Json = {"webSearchQueries": list(queries), "groundingChunks": chunks,
                      "groundingSupports": supports,
                      "retrievalMetadata": {}}
    if queries:
        metadata["searchEntryPoint"] = {"renderedContent": rendered_content(queries)}
    return metadata


# --------------------------------------------------------------------------- speech
def sine_pcm(seconds: float = 0.25, hz: float = 440.0, rate: int = 24_000) -> bytes:
    """16-bit little-endian mono sine: recognisable, deterministic test speech."""
    n = int(rate * seconds)
    return b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * i / rate)))
                    for i in range(n))


def wav_file(pcm: bytes, rate: int, channels: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
    return buffer.getvalue()


def speech_part(speech_format: SpeechFormat, seconds: float) -> tuple[str, bytes]:
    """(mimeType, data) of the inlineData a TTS answer carries."""
    container, rate = speech_format
    pcm = sine_pcm(seconds, rate=rate)
    if container == "wav":
        return "audio/wav", wav_file(pcm, rate)
    if container == "mpeg":
        return "audio/mpeg", b"\xff\xfb\x90\x00" + pcm[:256]  # not a format MedBot reads
    return f"audio/L16;codec=pcm;rate={rate}", pcm


# --------------------------------------------------------------------------- candidates
SAFETY_CATEGORIES: Final = ("HARM_CATEGORY_HATE_SPEECH", "HARM_CATEGORY_DANGEROUS_CONTENT",
                            "HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_SEXUALLY_EXPLICIT")


def safety_ratings(blocked_category: str | None = None) -> list[Json]:
    return [{"category": c, "probability": "HIGH" if c == blocked_category else "NEGLIGIBLE",
             **({"blocked": True} if c == blocked_category else {})}
            for c in SAFETY_CATEGORIES]


def usage(prompt: int, candidates: int, thoughts: int) -> Json:
    body: Json = {"promptTokenCount": prompt, "candidatesTokenCount": candidates,
                  "totalTokenCount": prompt + candidates + thoughts,
                  "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt}]}
    if thoughts:
        body["thoughtsTokenCount"] = thoughts
    return body


def blocked_prompt(reason: str, model: str, prompt_tokens: int) -> Json:
    """A refused prompt: promptFeedback.blockReason and no candidates."""
    return {"promptFeedback": {"blockReason": reason,
                               "safetyRatings": safety_ratings("HARM_CATEGORY_DANGEROUS_CONTENT")},
            "usageMetadata": {"promptTokenCount": prompt_tokens,
                              "totalTokenCount": prompt_tokens},
            "modelVersion": model}


def stopped_candidate(reason: str, partial: str) -> Json:
    """A candidate that ended for `reason` other than STOP / MAX_TOKENS. SAFETY-like
    reasons carry no content; RECITATION keeps what was written before the stop."""
    candidate: Json = {"finishReason": reason, "index": 0}
    if reason == "SAFETY":
        candidate["safetyRatings"] = safety_ratings("HARM_CATEGORY_DANGEROUS_CONTENT")
    if reason == "RECITATION" and partial:
        candidate["content"] = {"role": "model", "parts": [{"text": partial}]}
        candidate["citationMetadata"] = {"citationSources": [
            {"startIndex": 0, "endIndex": len(partial), "uri": "https://example.org/source"}]}
    return candidate
