"""A local HTTP server that speaks the slice of the Gemini REST API MedBot uses.

google-genai is pointed at it with `HttpOptions(base_url=server.url)`; the SDK then
POSTs `{base}/{version}/models/{model}:generateContent` (version "v1" with a custom base
URL in google-genai 3.3, "v1beta" against Google) with camelCase top-level JSON
(`contents`, `systemInstruction`, `tools[].googleSearch`, `generationConfig.
{responseMimeType,responseSchema,responseModalities,speechConfig}`; nested objects
such as `inlineData.mime_type` and the speech config stay snake_case) and an
`x-goog-api-key` header. The answer depends on the request, as the real service's does:

- `responseModalities` has AUDIO -> `inlineData` audio/L16 PCM (24 kHz, 16-bit mono);
- `responseMimeType` application/json -> the next scripted JSON text (`script_json`);
- inline audio in `contents` -> a transcript (`script_transcript`);
- otherwise text (`script_text`), plus `groundingMetadata` when the googleSearch tool is
  on: grounding chunks (one URL twice, as the real service often does) and a
  `searchEntryPoint` chip that clients must NOT show as a source.

Faults (429, 500, 503, 400, timeout) are injected at random (`set_faults`) or in order
(`fail_next`) so retry logic can be tested. `requests` records every request received.

Run standalone for the local stack: `python -m infra.local.gemini_server --port 8089`.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import random
import re
import struct
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from infra.local.http_server import LocalHttpServer

PCM_RATE = 24_000  # Hz; Gemini TTS returns 24 kHz 16-bit mono PCM
PCM_MIME = f"audio/L16;codec=pcm;rate={PCM_RATE}"
FAULT_KINDS = ("429", "500", "503", "400", "timeout")

# (uri, title); the first URL appears twice on purpose: clients must deduplicate.
DEFAULT_SOURCES: tuple[tuple[str, str], ...] = (
    ("https://www.who.int/news-room/fact-sheets/detail/hypertension", "who.int"),
    ("https://www.mayoclinic.org/diseases-conditions/high-blood-pressure", "mayoclinic.org"),
    ("https://www.who.int/news-room/fact-sheets/detail/hypertension", "who.int"),
    ("https://www.hpa.gov.tw/Pages/List.aspx?nodeid=1", "hpa.gov.tw"),
)
# The search-suggestion chip; its link must never surface as a source.
CHIP_URL = "https://www.google.com/search?q=hypertension"

_PATH = re.compile(r"^/(?P<version>v1\w*)/models/(?P<model>[^/:]+):generateContent$")
_STATUS = {"400": "INVALID_ARGUMENT", "429": "RESOURCE_EXHAUSTED", "500": "INTERNAL",
           "503": "UNAVAILABLE"}


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    model: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def system_text(self) -> str:
        parts = (self.body.get("systemInstruction") or {}).get("parts") or []
        return "".join(p.get("text", "") for p in parts)

    @property
    def contents_text(self) -> str:
        return "".join(
            p.get("text", "")
            for c in self.body.get("contents") or []
            for p in c.get("parts") or []
        )

    @property
    def generation_config(self) -> dict[str, Any]:
        config = self.body.get("generationConfig") or {}
        return dict(config)

    @property
    def grounded(self) -> bool:
        return any("googleSearch" in t for t in self.body.get("tools") or [])


def sine_pcm(seconds: float = 0.25, hz: float = 440.0) -> bytes:
    """A short 16-bit little-endian sine: recognisable, deterministic test audio."""
    n = int(PCM_RATE * seconds)
    return b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * i / PCM_RATE)))
        for i in range(n)
    )


def _inline_mime(part: dict[str, Any]) -> str:
    # google-genai 3.3 serialises the Blob's inner keys in snake_case ("mime_type");
    # the real API accepts both spellings, so this server does too.
    blob = part.get("inlineData") or part.get("inline_data") or {}
    return str(blob.get("mimeType") or blob.get("mime_type") or "")


def _words(text: str) -> int:
    return max(1, len(text.split()))


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


class GeminiServer(LocalHttpServer):
    name = "gemini-server"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._lock = threading.Lock()
        self.requests: list[ReceivedRequest] = []
        self._texts: deque[str] = deque()
        self._json: deque[str] = deque()
        self._transcripts: deque[str] = deque()
        self._next_faults: deque[str] = deque()
        self._fault_rate = 0.0
        self._fault_kinds: tuple[str, ...] = ()
        self._rng = random.Random(0)  # noqa: S311 (test faults, not security)
        self.timeout_delay_s = 2.0
        self.sources: tuple[tuple[str, str], ...] = DEFAULT_SOURCES
        super().__init__(self._handler_class(), host, port)

    # ------------------------------------------------------------------ control API
    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._texts.clear()
            self._json.clear()
            self._transcripts.clear()
            self._next_faults.clear()
            self._fault_rate, self._fault_kinds = 0.0, ()
            self.sources = DEFAULT_SOURCES

    def script_text(self, *texts: str) -> None:
        with self._lock:
            self._texts.extend(texts)

    def script_json(self, *objs: Any) -> None:
        """Queue answers for JSON-mode requests; a str is sent verbatim (e.g. invalid)."""
        with self._lock:
            self._json.extend(o if isinstance(o, str) else json.dumps(o) for o in objs)

    def script_transcript(self, *texts: str) -> None:
        with self._lock:
            self._transcripts.extend(texts)

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
            self._next_faults.extend(kinds)

    # ------------------------------------------------------------------ behaviour
    def _pick_fault(self) -> str | None:
        with self._lock:
            if self._next_faults:
                return self._next_faults.popleft()
            if self._fault_kinds and self._rng.random() < self._fault_rate:
                return self._rng.choice(self._fault_kinds)
            return None

    def _answer(self, model: str, body: dict[str, Any]) -> dict[str, Any]:
        req = ReceivedRequest("", model, {}, body)
        config = req.generation_config
        prompt = req.contents_text
        if "AUDIO" in (config.get("responseModalities") or []):
            audio = base64.b64encode(sine_pcm()).decode()
            parts: list[dict[str, Any]] = [{"inlineData": {"mimeType": PCM_MIME, "data": audio}}]
            out_tokens = 32
        else:
            text = self._text_for(req, prompt, config)
            parts, out_tokens = [{"text": text}], _words(text)
        candidate: dict[str, Any] = {
            "content": {"role": "model", "parts": parts},
            "finishReason": "STOP",
            "index": 0,
        }
        if req.grounded:
            candidate["groundingMetadata"] = self._grounding(prompt)
        in_tokens = _words(prompt + " " + req.system_text)
        return {
            "candidates": [candidate],
            "usageMetadata": {
                "promptTokenCount": in_tokens,
                "candidatesTokenCount": out_tokens,
                "totalTokenCount": in_tokens + out_tokens,
            },
            "modelVersion": model,
            "responseId": f"local-{len(self.requests)}",
        }

    def _text_for(self, req: ReceivedRequest, prompt: str, config: dict[str, Any]) -> str:
        has_audio = any(_inline_mime(p).startswith("audio/")
                        for c in req.body.get("contents") or []
                        for p in c.get("parts") or [])
        with self._lock:
            if config.get("responseMimeType") == "application/json":
                if self._json:
                    return self._json.popleft()
                # Unscripted (the local stack): an instance of the requested schema.
                return json.dumps(schema_example(config.get("responseSchema") or {}))
            if has_audio:
                return self._transcripts.popleft() if self._transcripts else "local transcript"
            if self._texts:
                return self._texts.popleft()
        return f"Local Gemini answer to: {prompt[:80]}"

    def _grounding(self, prompt: str) -> dict[str, Any]:
        chunks = [{"web": {"uri": uri, "title": title}} for uri, title in self.sources]
        return {
            "webSearchQueries": [prompt[:40]],
            "searchEntryPoint": {
                "renderedContent": f'<div class="chip"><a href="{CHIP_URL}">search</a></div>'
            },
            "groundingChunks": chunks,
            "groundingSupports": [
                {"segment": {"startIndex": 0, "endIndex": 5}, "groundingChunkIndices": [0, 1]}
            ],
        }

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # never log: request lines are harmless but bodies are personal data

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # The client may have given up already (a simulated timeout).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def do_POST(self) -> None:
                path = self.path.split("?", 1)[0]
                match = _PATH.match(path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                if match is None:
                    self._send(404, {"error": {"code": 404, "message": "not found",
                                               "status": "NOT_FOUND"}})
                    return
                body = json.loads(raw or b"{}")
                model = match["model"]
                with server._lock:
                    server.requests.append(
                        ReceivedRequest(path, model, dict(self.headers.items()), body)
                    )
                fault = server._pick_fault()
                if fault == "timeout":
                    # Hold the answer past the client's timeout, then answer anyway.
                    server._stopping.wait(server.timeout_delay_s)
                elif fault is not None:
                    code = int(fault)
                    self._send(code, {"error": {"code": code, "message": f"injected {code}",
                                                "status": _STATUS[fault]}})
                    return
                self._send(200, server._answer(model, body))

        return Handler


def main() -> None:
    GeminiServer.main("Local Gemini-protocol server", 8089)


if __name__ == "__main__":
    main()
