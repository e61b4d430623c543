"""A local HTTP server speaking NYCU iVoice's two endpoints as the adapter calls them
(shared/adapters/taigi_ivoice.py):

    GET /html_taigi_zh_tw_py?text0=...                   -> 200 text/plain TLPA
    GET /synthesize_TLPA?text1=...&gender=...&accent=... -> 200 audio/wav

Modes for fault tests (`set_mode`): "ok"; "slow" (answers after `slow_s`, past the
client's timeout); "fail" (500 on every request); and `fail_next(n)` for n 503s.
`requests` keeps what was received (in memory, for assertions; never logged).

Standalone for the local stack: `python -m infra.local.ivoice_server --port 8091`.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from infra.local.http_server import LocalHttpServer
from shared.fakes.taigi_fake import pseudo_tlpa, tone_wav

Mode = Literal["ok", "slow", "fail"]


@dataclass(frozen=True)
class IVoiceRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class IVoiceServer(LocalHttpServer):
    name = "ivoice-server"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._lock = threading.Lock()
        self.requests: list[IVoiceRequest] = []
        self.mode: Mode = "ok"
        self.slow_s = 2.0
        self._fail_next = 0
        super().__init__(self._handler_class(), host, port)

    # ------------------------------------------------------------------ control
    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.mode, self.slow_s, self._fail_next = "ok", 2.0, 0

    def set_mode(self, mode: Mode, slow_s: float | None = None) -> None:
        with self._lock:
            self.mode = mode
            if slow_s is not None:
                self.slow_s = slow_s

    def fail_next(self, count: int = 1) -> None:
        with self._lock:
            self._fail_next += count

    def _fault(self) -> str | None:
        with self._lock:
            if self._fail_next:
                self._fail_next -= 1
                return "503"
            return None if self.mode == "ok" else self.mode

    # ------------------------------------------------------------------ HTTP
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # never log: bodies are the patient's words

            def _send(self, status: int, data: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                self._send(status, json.dumps(payload, ensure_ascii=False).encode(),
                           "application/json; charset=utf-8")

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                body = {k: v[0] for k, v in parse_qs(url.query).items()}
                with server._lock:
                    server.requests.append(IVoiceRequest(url.path, dict(self.headers.items()),
                                                         body))
                fault = server._fault()
                if fault == "slow":
                    server._stopping.wait(server.slow_s)
                elif fault == "fail":
                    self._json(500, {"error": "injected failure"})
                    return
                elif fault == "503":
                    self._json(503, {"error": "injected unavailable"})
                    return
                if url.path == "/html_taigi_zh_tw_py":
                    text = body.get("text0", "")
                    if not text.strip():
                        self._json(400, {"error": "text0 required"})
                        return
                    self._send(200, pseudo_tlpa(text).encode(), "text/plain; charset=utf-8")
                elif url.path == "/synthesize_TLPA":
                    tlpa = body.get("text1", "")
                    if not tlpa.strip() or not body.get("gender") or not body.get("accent"):
                        self._json(400, {"error": "text1, gender and accent required"})
                        return
                    self._send(200, tone_wav(len(tlpa.split())), "audio/wav")
                else:
                    self._json(404, {"error": "not found"})

        return Handler


def main() -> None:
    IVoiceServer.main("Local NYCU iVoice-contract server", 8091)


if __name__ == "__main__":
    main()
