"""The Flask app (one blueprint per platform, one for the simulator) and the server that
runs it on a background thread. The request log is off: Telegram's paths contain the
bot token, and nothing here may log message bodies or audio URLs."""

from __future__ import annotations

import argparse
import threading

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from infra.local.platforms.line import line_blueprint
from infra.local.platforms.records import ClockAdvance, ClockNow, Outbox
from infra.local.platforms.simulator import simulator_blueprint
from infra.local.platforms.state import PlatformState
from infra.local.platforms.telegram import telegram_blueprint


def create_platform_app(
    state: PlatformState,
    *,
    outbox: Outbox | None = None,
    clock_now: ClockNow | None = None,
    clock_advance: ClockAdvance | None = None,
) -> Flask:
    """The Flask app: LINE API, Telegram Bot API, simulator page and its JSON API.

    outbox: returns sent e-mails as mappings (to, subject, text; optional from, date).
    clock_now / clock_advance(seconds): the dev stack's simulated clock (optional).
    """
    if clock_now is not None and state.clock_now is None:
        state.clock_now = clock_now
    app = Flask(__name__, static_folder=None)
    app.register_blueprint(line_blueprint(state))
    app.register_blueprint(telegram_blueprint(state))
    app.register_blueprint(simulator_blueprint(state, outbox, clock_advance))
    return app


class _QuietHandler(WSGIRequestHandler):
    """No access log: Telegram request paths contain the bot token."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class PlatformServer:
    """Runs create_platform_app on a background thread (werkzeug, threaded).

    Point the SDKs at it: LineMessenger(token, api_base_url=server.url,
    data_api_base_url=server.url); TelegramMessenger(token,
    base_url=server.telegram_base_url, base_file_url=server.telegram_file_url).
    """

    def __init__(
        self,
        state: PlatformState | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        outbox: Outbox | None = None,
        clock_now: ClockNow | None = None,
        clock_advance: ClockAdvance | None = None,
    ) -> None:
        self.state = state or PlatformState()
        self.app = create_platform_app(self.state, outbox=outbox, clock_now=clock_now,
                                       clock_advance=clock_advance)
        self._host = host
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("server not started")
        return f"http://{self._host}:{self._server.server_port}"

    @property
    def telegram_base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def telegram_file_url(self) -> str:
        return f"{self.url}/file/bot"

    def start(self) -> PlatformServer:
        self._server = make_server(self._host, self._port, self.app, threaded=True,
                                   request_handler=_QuietHandler)
        server = self._server
        # A short poll interval makes stop() quick (tests start one server per test).
        self._thread = threading.Thread(target=lambda: server.serve_forever(poll_interval=0.05),
                                        name="platform-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.state.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> PlatformServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:  # pragma: no cover - manual use
    parser = argparse.ArgumentParser(prog="python -m infra.local.platforms",
                                     description="Local LINE/Telegram platforms + simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--line-webhook", default=None)
    parser.add_argument("--telegram-webhook", default=None)
    args = parser.parse_args()
    state = PlatformState(line_webhook_url=args.line_webhook,
                          telegram_webhook_url=args.telegram_webhook)
    server = PlatformServer(state, host=args.host, port=args.port).start()
    print(f"simulator: {server.url}/")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()
