"""Fixtures: the fake LINE/Telegram platforms (infra/local/platforms/) on a free port,
and a webhook sink that records what the platforms post.

    def test_x(platform_server, webhook_sink):
        platform_server.state.line_webhook_url = webhook_sink.url + "/line"
        platform_server.state.send_text("line", "en", "hi")
        assert webhook_sink.received[0].path == "/line"

Adapters point at platform_server.url (LINE API and data API) and
platform_server.telegram_base_url / telegram_file_url (Telegram).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from infra.local.platforms import PlatformServer, PlatformState


@dataclass(frozen=True)
class ReceivedWebhook:
    path: str
    headers: dict[str, str]
    body: bytes


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass
class WebhookSink:
    """An HTTP endpoint that records every POST and answers `status`."""

    status: int = 200
    received: list[ReceivedWebhook] = field(default_factory=list)
    _server: BaseWSGIServer | None = None

    def __call__(self, environ, start_response):  # the WSGI app
        req = Request(environ)
        headers = {k.lower(): v for k, v in req.headers.items()}  # names are case-insensitive
        self.received.append(ReceivedWebhook(req.path, headers, req.get_data()))
        return Response("OK", status=self.status)(environ, start_response)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> WebhookSink:
        self._server = make_server("127.0.0.1", 0, self, threaded=True, request_handler=_Quiet)
        server = self._server
        thread = threading.Thread(target=lambda: server.serve_forever(poll_interval=0.05))
        thread.daemon = True
        thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@pytest.fixture
def platform_state() -> PlatformState:
    """Fresh platform state; pass webhook URLs, secrets, tokens or users here."""
    return PlatformState()


@pytest.fixture
def platform_server(platform_state: PlatformState) -> Iterator[PlatformServer]:
    server = PlatformServer(platform_state).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def webhook_sink() -> Iterator[WebhookSink]:
    sink = WebhookSink().start()
    try:
        yield sink
    finally:
        sink.stop()
