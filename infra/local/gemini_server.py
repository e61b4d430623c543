"""A local HTTP server that answers like the Gemini REST API, for the slice MedBot uses.

Shaped after the published reference (answers built in infra/local/gemini_wire.py,
each with its source), not after MedBot's code. google-genai is pointed at it with
`HttpOptions(base_url=server.url)`:

* Gemini Developer API: `POST {base}/{v1,v1beta}/models/{model}:generateContent` with
  an `x-goog-api-key` header (none: 403; a key outside `api_keys` when set: 400);
* Vertex AI: `POST {base}/v1beta1/projects/{p}/locations/{l}/publishers/google/models/
  {model}:generateContent` with `Authorization: Bearer <token>` (none: 401);
* models.get: `GET .../models/{model}` and `GET .../publishers/google/models/{model}`;
  models.list: `GET .../models`.

Models: the current ones of gemini_wire.CURRENT_MODELS (`models` may be changed by a
test); a retired or unknown id answers 404 NOT_FOUND, as the real service does.

What an answer depends on, as on the real service:

* `responseModalities` AUDIO (a TTS model only): speech as inlineData, by default in
  the model's own format (Gemini 3.8 TTS: a WAV file; the 3.1 preview: L16 PCM at 24
  kHz); `speech_format` overrides it (L16 or WAV at any rate, or an MP3 MedBot cannot
  read). The speech lasts as long as the text takes to say (`speech_seconds`
  overrides). Sampling parameters (temperature/topP/topK) on a TTS call: 400.
* `responseMimeType` application/json: the next scripted JSON text (`script_json`);
* inline audio in `contents`: a transcript (`script_transcript`; "" is an empty one);
* otherwise text (`script_text`; unscripted, a short labelled answer about the
  prompt's topic that never repeats the prompt: gemini_content.py), with
  `groundingMetadata` when the googleSearch tool is on: webSearchQueries (about the
  topic unless `search_queries` is set), a searchEntryPoint.renderedContent with one
  chip per query (its href goes straight to the Google results page), grounding chunks
  about the first query (unless `sources` is set) whose links redirect through
  vertexaisearch.cloud.google.com (one twice: clients deduplicate; `web.domain` on
  Vertex AI only).
* Thinking: a Gemini 3 text model thinks unless `thinkingConfig.thinkingLevel` is
  MINIMAL (LOW thinks less); thoughts are reported as `thoughtsTokenCount` and use up
  `maxOutputTokens` before the answer does. An answer longer than what is left is cut
  there with finishReason MAX_TOKENS, as the real service cuts it; asked again (same
  contents), it writes the same answer again. `thinkingBudget`
  on a Gemini 3.5+ model is refused (400), as the SDK reference warns.

Scripted outcomes: `finish_next("SAFETY", "MAX_TOKENS", ...)` ends the next answers
with those finish reasons; `block_next("SAFETY")` refuses the next prompts
(promptFeedback.blockReason, no candidates). Quota: `throttle(37)` answers 429 with
RetryInfo "37s" and a per-minute QuotaFailure until 37 s have passed on `clock` (and
counts `early_attempts` made before that); `throttle(per_day=True)` answers the
per-day quota until `reset_daily_quota()`. Faults (429 without details, as Vertex AI
answers, 500, 503, 400, timeout) are injected at random (`set_faults`) or in order
(`fail_next`). `requests` and `responses` record what was received and answered.

Run standalone for the local stack: `python -m infra.local.gemini_server --port 8089`.
"""

from __future__ import annotations

import base64
import contextlib
import json
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from infra.local import gemini_wire as wire
from infra.local.gemini_content import local_answer, sources_for, topic_of
from infra.local.gemini_tokens import tokens, truncate
from infra.local.gemini_wire import CURRENT_MODELS, ModelInfo, SpeechFormat, sine_pcm
from infra.local.http_server import LocalHttpServer

__all__ = ["CHIP_PREFIX", "FAULT_KINDS", "GeminiServer", "ReceivedRequest", "schema_example",
           "sine_pcm", "sources_for", "topic_of"]

FAULT_KINDS = ("429", "500", "503", "400", "timeout")
# Where every search-suggestion chip links: the Google results page. Never a source.
CHIP_PREFIX = "https://www.google.com/search?q="
SPEECH_TOKENS_PER_SECOND = 25

_GENERATE = re.compile(
    r"^/(?P<version>v1\w*)/(?:projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/"
    r"publishers/google/)?models/(?P<model>[^/:]+):generateContent$")
_GET_MODEL = re.compile(
    r"^/(?P<version>v1\w*)/(?P<publisher>publishers/google/)?models/(?P<model>[^/:]+)$")
_LIST_MODELS = re.compile(r"^/(?P<version>v1\w*)/models$")
_STATUS = {"400": "INVALID_ARGUMENT", "429": "RESOURCE_EXHAUSTED", "500": "INTERNAL",
           "503": "UNAVAILABLE"}


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    model: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float = 0.0  # on the server's clock
    vertex: bool = False

    @property
    def system_text(self) -> str:
        parts = (self.body.get("systemInstruction") or {}).get("parts") or []
        return "".join(p.get("text", "") for p in parts)

    @property
    def parts(self) -> list[dict[str, Any]]:
        return [p for c in self.body.get("contents") or [] for p in c.get("parts") or []]

    @property
    def contents_text(self) -> str:
        return "".join(p.get("text", "") for p in self.parts)

    @property
    def generation_config(self) -> dict[str, Any]:
        return dict(self.body.get("generationConfig") or {})

    @property
    def grounded(self) -> bool:
        return any("googleSearch" in t for t in self.body.get("tools") or [])

    @property
    def thinking_level(self) -> str | None:
        level = _field(self.generation_config.get("thinkingConfig") or {}, "thinkingLevel")
        return str(level).upper() if level else None

    @property
    def speech_styles(self) -> list[str]:
        """speechMetadata.style of each text part (Gemini 3.8 TTS direction)."""
        return [str((p.get("speechMetadata") or p.get("speech_metadata") or {}).get("style"))
                for p in self.parts if p.get("speechMetadata") or p.get("speech_metadata")]


@dataclass(frozen=True)
class SentResponse:
    status: int
    body: dict[str, Any]
    at: float


def _field(obj: dict[str, Any], camel: str) -> Any:
    """A field in either JSON spelling: the real API accepts lowerCamel and snake_case
    (google-genai sends nested objects such as thinkingConfig in snake_case)."""
    if camel in obj:
        return obj[camel]
    return obj.get(re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), camel))


def _inline_mime(part: dict[str, Any]) -> str:
    # google-genai serialises the Blob's inner keys in snake_case ("mime_type"); the
    # real API accepts both spellings, so this server does too.
    blob = part.get("inlineData") or part.get("inline_data") or {}
    return str(blob.get("mimeType") or blob.get("mime_type") or "")


def schema_example(schema: Any) -> Any:
    """The smallest value of a Gemini response schema, its strings labelled as coming
    from this local server (so the local stack's structured flows run end to end)."""
    if not isinstance(schema, dict):
        return None
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "any_of"):
        if schema.get(key):
            options = [o for o in schema[key] if str(o.get("type", "")).upper() != "NULL"]
            return schema_example(options[0]) if options else None
    kind = str(schema.get("type", "")).upper()
    if kind == "OBJECT":
        return {name: schema_example(sub)
                for name, sub in (schema.get("properties") or {}).items()}
    if kind == "ARRAY":
        return []
    if kind in ("INTEGER", "NUMBER"):
        return 0
    if kind == "BOOLEAN":
        return False
    if kind == "STRING":
        return "[local Gemini server]"
    return None


class _Reply(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status, self.body = status, body


@dataclass
class _Throttle:
    until: float | None  # server clock; None: the window starts at the next request
    per_day: bool
    length_s: float = 0.0


@dataclass
class _Script:
    texts: deque[str] = field(default_factory=deque)
    json: deque[str] = field(default_factory=deque)
    transcripts: deque[str] = field(default_factory=deque)
    faults: deque[str] = field(default_factory=deque)
    finishes: deque[str] = field(default_factory=deque)
    blocks: deque[str] = field(default_factory=deque)


class GeminiServer(LocalHttpServer):
    name = "gemini-server"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._lock = threading.Lock()
        self.requests: list[ReceivedRequest] = []  # generateContent calls
        self.lookups: list[str] = []  # paths of models.get / models.list calls
        self.responses: list[SentResponse] = []
        self._script = _Script()
        self._fault_rate = 0.0
        self._fault_kinds: tuple[str, ...] = ()
        self._rng = random.Random(0)  # noqa: S311 (test faults, not security)
        self._throttle: _Throttle | None = None
        self._cut: dict[str, str] = {}  # request fingerprint -> the whole answer it cut
        self.early_attempts = 0  # requests made while a retry hint had not run out
        self.timeout_delay_s = 2.0
        self.clock: Callable[[], float] = time.monotonic
        self._defaults()
        super().__init__(self._handler_class(), host, port)

    def _defaults(self) -> None:
        # (uri, title, domain) of the grounding chunks; None: about the first query.
        self.sources: tuple[tuple[str, str, str], ...] | None = None
        self.search_queries: tuple[str, ...] | None = None  # None: from the prompt
        self.speech_format: SpeechFormat | None = None  # None: the model's own
        self.speech_seconds: float | None = None  # None: as long as the text takes
        self.models: dict[str, ModelInfo] = dict(CURRENT_MODELS)
        self.api_keys: set[str] | None = None  # None: any non-empty key

    # ------------------------------------------------------------------ control API
    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.lookups.clear()
            self.responses.clear()
            self._script = _Script()
            self._fault_rate, self._fault_kinds = 0.0, ()
            self._throttle = None
            self._cut.clear()
            self.early_attempts = 0
            self.clock = time.monotonic
            self._defaults()

    def script_text(self, *texts: str) -> None:
        with self._lock:
            self._script.texts.extend(texts)

    def script_json(self, *objs: Any) -> None:
        """Queue answers for JSON-mode requests; a str is sent verbatim (e.g. invalid)."""
        with self._lock:
            self._script.json.extend(o if isinstance(o, str) else json.dumps(o) for o in objs)

    def script_transcript(self, *texts: str) -> None:
        with self._lock:
            self._script.transcripts.extend(texts)

    def finish_next(self, *reasons: str) -> None:
        """End the next answers with these finish reasons (MAX_TOKENS: the text cut in
        half; SAFETY, RECITATION, ...: as the real service ends them)."""
        with self._lock:
            self._script.finishes.extend(r.upper() for r in reasons)

    def block_next(self, *reasons: str) -> None:
        """Refuse the next prompts (promptFeedback.blockReason, no candidates)."""
        with self._lock:
            self._script.blocks.extend(r.upper() for r in reasons)

    def throttle(self, retry_delay_s: float = 37.0, *, per_day: bool = False,
                 from_next_request: bool = False) -> None:
        """From now, answer 429 RESOURCE_EXHAUSTED until the hint runs out (per-minute)
        or until reset_daily_quota() (per-day). `from_next_request`: the per-minute window
        starts at the next request instead (a test's set-up then takes no part of it)."""
        with self._lock:
            start = None if from_next_request else self.clock() + retry_delay_s
            self._throttle = _Throttle(start, per_day, retry_delay_s)

    def reset_daily_quota(self) -> None:
        with self._lock:
            self._throttle = None

    def set_faults(
        self, rate: float, kinds: Iterable[str] = ("429", "500", "timeout"), seed: int = 0
    ) -> None:
        kinds = tuple(kinds)
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        with self._lock:
            self._fault_rate, self._fault_kinds = rate, kinds
            self._rng = random.Random(seed)  # noqa: S311

    def fail_next(self, *kinds: str) -> None:
        """Fail the next len(kinds) requests with these faults, in order."""
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        with self._lock:
            self._script.faults.extend(kinds)

    def generate_requests(self) -> list[ReceivedRequest]:
        return [r for r in self.requests if r.path.endswith(":generateContent")]

    # ------------------------------------------------------------------ behaviour
    def _pick_fault(self) -> str | None:
        with self._lock:
            if self._script.faults:
                return self._script.faults.popleft()
            if self._fault_kinds and self._rng.random() < self._fault_rate:
                return self._rng.choice(self._fault_kinds)
            return None

    def _check_quota(self, model: str) -> None:
        with self._lock:
            throttle = self._throttle
            now = self.clock()
            if throttle is None:
                return
            if throttle.until is None:
                throttle.until = now + throttle.length_s
            if not throttle.per_day and now >= throttle.until:
                self._throttle = None
                return
            self.early_attempts += 1
        remaining = 3600.0 if throttle.per_day else max(0.001, throttle.until - now)
        raise _Reply(429, wire.quota_exceeded(model, round(remaining, 3),
                                              per_day=throttle.per_day))

    def _model(self, model: str, vertex: str) -> ModelInfo:
        info = self.models.get(model)
        if info is None:
            raise _Reply(404, wire.model_not_found(model, vertex=vertex))
        return info

    def _generate(self, req: ReceivedRequest, info: ModelInfo) -> dict[str, Any]:
        config = req.generation_config
        prompt = req.contents_text
        in_tokens = tokens(prompt + " " + req.system_text)
        with self._lock:
            block = self._script.blocks.popleft() if self._script.blocks else None
        if block is not None:
            return wire.blocked_prompt(block, info.model_id, in_tokens)
        if info.kind == "tts":
            return self._speech(req, info, config, in_tokens)
        if "AUDIO" in (config.get("responseModalities") or []):
            raise _Reply(400, wire.invalid_argument(
                f"Model {info.model_id} does not support the requested response modalities: "
                "audio"))
        thoughts = self._thoughts(info, config, in_tokens)
        # Asked again after a cut-off answer, the model writes the same answer again.
        fingerprint = json.dumps([info.model_id, req.body.get("contents"),
                                  req.body.get("systemInstruction"), req.body.get("tools")],
                                 sort_keys=True)
        with self._lock:
            again = self._cut.pop(fingerprint, None)
        text = again if again is not None else self._text_for(req, prompt, config)
        whole = text
        budget = min(int(config.get("maxOutputTokens") or info.output_token_limit),
                     info.output_token_limit)
        thoughts = min(thoughts, budget)
        room = budget - thoughts
        finish = "STOP"
        with self._lock:
            forced = self._script.finishes.popleft() if self._script.finishes else None
        if tokens(text) > room:
            text, finish = truncate(text, room), "MAX_TOKENS"
        if forced == "MAX_TOKENS":
            text, finish = truncate(text, max(1, tokens(text) // 2)), "MAX_TOKENS"
        if finish == "MAX_TOKENS":
            with self._lock:
                self._cut[fingerprint] = whole
        if forced not in (None, "MAX_TOKENS", "STOP"):
            candidate = wire.stopped_candidate(forced, truncate(text, tokens(text) // 3))
            out_tokens = tokens(truncate(text, tokens(text) // 3)) if forced == "RECITATION" \
                else 0
        else:
            candidate = {"finishReason": finish, "index": 0,
                         "content": {"role": "model", "parts": [{"text": text}] if text else []}}
            out_tokens = tokens(text)
            if req.grounded:
                queries = self.search_queries
                if queries is None:
                    topic = topic_of(prompt)
                    queries = (topic, f"{topic} patient information")
                sources = self.sources if self.sources is not None else \
                    sources_for(queries[0] if queries else topic_of(prompt))
                candidate["groundingMetadata"] = wire.grounding_metadata(
                    queries, sources, text, vertex=req.vertex)
        return {"candidates": [candidate],
                "usageMetadata": wire.usage(in_tokens, out_tokens, thoughts),
                "modelVersion": info.model_id, "responseId": f"local-{len(self.requests)}"}

    def _thoughts(self, info: ModelInfo, config: dict[str, Any], in_tokens: int) -> int:
        thinking = config.get("thinkingConfig") or {}
        if _field(thinking, "thinkingBudget") is not None and info.thinking:
            raise _Reply(400, wire.invalid_argument(
                "thinking_budget is not supported for this model; set thinking_level "
                "instead."))
        if not info.thinking:
            return 0
        level = str(_field(thinking, "thinkingLevel") or "HIGH").upper()
        full = min(24_576, max(128, in_tokens * 3))
        return {"MINIMAL": 0, "LOW": full // 4, "MEDIUM": full // 2}.get(level, full)

    def _speech(self, req: ReceivedRequest, info: ModelInfo, config: dict[str, Any],
                in_tokens: int) -> dict[str, Any]:
        rejected = [f for f in wire.TTS_REJECTED_FIELDS if f in config]
        if rejected:
            raise _Reply(400, wire.invalid_argument(
                f"{rejected[0]} is not supported for model {info.model_id}."))
        if "AUDIO" not in (config.get("responseModalities") or []):
            raise _Reply(400, wire.invalid_argument(
                f"Model {info.model_id} only supports audio output."))
        text = req.contents_text
        if not text.strip():
            raise _Reply(400, wire.invalid_argument("contents must contain text to speak."))
        with self._lock:
            forced = self._script.finishes.popleft() if self._script.finishes else None
        if forced not in (None, "STOP"):
            candidate = wire.stopped_candidate(forced, "")
            return {"candidates": [candidate], "usageMetadata": wire.usage(in_tokens, 0, 0),
                    "modelVersion": info.model_id}
        seconds = self.speech_seconds or max(0.25, min(30.0, len(text) * 0.06))
        fmt = self.speech_format or info.speech or ("l16", 24_000)
        mime, data = wire.speech_part(fmt, seconds)
        parts = [{"inlineData": {"mimeType": mime, "data": base64.b64encode(data).decode()}}]
        out = int(seconds * SPEECH_TOKENS_PER_SECOND) + 1
        return {"candidates": [{"content": {"role": "model", "parts": parts},
                                "finishReason": "STOP", "index": 0}],
                "usageMetadata": wire.usage(in_tokens, out, 0),
                "modelVersion": info.model_id, "responseId": f"local-{len(self.requests)}"}

    def _text_for(self, req: ReceivedRequest, prompt: str, config: dict[str, Any]) -> str:
        has_audio = any(_inline_mime(p).startswith("audio/") for p in req.parts)
        with self._lock:
            if config.get("responseMimeType") == "application/json":
                if self._script.json:
                    return self._script.json.popleft()
                # Unscripted (the local stack): an instance of the requested schema.
                return json.dumps(schema_example(config.get("responseSchema") or {}))
            if has_audio:
                return (self._script.transcripts.popleft() if self._script.transcripts
                        else "local transcript")
            if self._script.texts:
                return self._script.texts.popleft()
        return local_answer(topic_of(prompt))

    def _authorize(self, headers: dict[str, str], query: dict[str, list[str]],
                   vertex: bool) -> None:
        lowered = {k.lower(): v for k, v in headers.items()}
        if vertex:
            if not lowered.get("authorization", "").startswith("Bearer ") or \
                    len(lowered["authorization"]) <= len("Bearer "):
                raise _Reply(401, wire.unauthenticated())
            return
        key = lowered.get("x-goog-api-key") or (query.get("key") or [""])[0]
        if not key:
            raise _Reply(403, wire.no_api_key())
        if self.api_keys is not None and key not in self.api_keys:
            raise _Reply(400, wire.bad_api_key())

    def handle_get(self, path: str, headers: dict[str, str],
                   query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.lookups.append(path)
        try:
            listing = _LIST_MODELS.match(path)
            if listing:
                self._authorize(headers, query, vertex=False)
                return 200, self._list(query)
            match = _GET_MODEL.match(path)
            if match is None:
                return 404, wire.error(404, "NOT_FOUND", "not found")
            vertex = bool(match["publisher"])
            self._authorize(headers, query, vertex=vertex)
            info = self._model(match["model"], "projects/-/locations/-" if vertex else "")
            return 200, info.publisher_model() if vertex else info.resource()
        except _Reply as reply:
            return reply.status, reply.body

    def _list(self, query: dict[str, list[str]]) -> dict[str, Any]:
        size = int((query.get("pageSize") or ["50"])[0])
        start = int((query.get("pageToken") or ["0"])[0] or 0)
        ids = sorted(self.models)
        page = ids[start:start + size]
        body: dict[str, Any] = {"models": [self.models[m].resource() for m in page]}
        if start + size < len(ids):
            body["nextPageToken"] = str(start + size)
        return body

    def handle_post(self, path: str, headers: dict[str, str], query: dict[str, list[str]],
                    raw: bytes) -> tuple[int, dict[str, Any]]:
        match = _GENERATE.match(path)
        if match is None:
            return 404, wire.error(404, "NOT_FOUND", "not found")
        vertex = match["project"] is not None
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return 400, wire.invalid_argument("Invalid JSON payload received.")
        model = match["model"]
        req = ReceivedRequest(path, model, headers, body, at=self.clock(), vertex=vertex)
        with self._lock:
            self.requests.append(req)
        try:
            self._authorize(headers, query, vertex)
            info = self._model(model, f"projects/{match['project']}/locations/"
                                      f"{match['location']}" if vertex else "")
            self._check_quota(model)
            fault = self._pick_fault()
            if fault == "timeout":
                # Hold the answer past the client's timeout, then answer anyway.
                self._stopping.wait(self.timeout_delay_s)
            elif fault is not None:
                code = int(fault)
                return code, wire.error(code, _STATUS[fault], f"injected {code}")
            return 200, self._generate(req, info)
        except _Reply as reply:
            return reply.status, reply.body

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # never log: request lines are harmless but bodies are personal data

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                with server._lock:
                    server.responses.append(SentResponse(status, payload, server.clock()))
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # The client may have given up already (a simulated timeout).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                status, payload = server.handle_get(url.path, dict(self.headers.items()),
                                                    parse_qs(url.query))
                self._send(status, payload)

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                self._send(*server.handle_post(url.path, dict(self.headers.items()),
                                               parse_qs(url.query), raw))

        return Handler


def main() -> None:
    GeminiServer.main("Local Gemini-protocol server", 8089)


if __name__ == "__main__":
    main()
