"""Every entry point of main.py served by functions-framework on one local port,
each at /<entry_point> (as Cloud Functions serves each at its own URL), plus
/blobs/<key> serving the local blob store's signed links."""

from __future__ import annotations

import threading
import time
from typing import Any

import functions_framework
from flask import Flask, Response, abort, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

import main
from shared.adapters.local_blobs import LocalBlobStore, verify_blob_link
from shared.bootstrap import container


def create_functions_app() -> Any:
    root = Flask("medbot-local")

    @root.get("/healthz")
    def health() -> str:
        return "ok"

    @root.get("/blobs/<path:key>")
    def blob(key: str) -> Response:
        # Signed links of the local blob backend (signed with the dev token).
        c = container()
        blobs = c.blobs
        if not isinstance(blobs, LocalBlobStore) or not verify_blob_link(
            key, request.args.get("expires", ""), request.args.get("sig", ""),
            c.settings.dev_auth_token.encode(), time.time(),
        ):
            abort(403)
        found = blobs.open(key)
        if found is None:
            abort(404)
        data, content_type = found
        return Response(data, content_type=content_type)

    mounts = {
        f"/{name}": functions_framework.create_app(  # type: ignore[no-untyped-call]
            target=name, source=main.__file__)
        for name in main.__all__
    }
    return _ExactMounts(DispatcherMiddleware(root.wsgi_app, mounts))


class _ExactMounts:
    """Cloud Functions answers at /<name> itself; Flask would redirect to /<name>/."""

    def __init__(self, app: Any) -> None:
        self._app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self._app(_with_slash(environ), start_response)


def _with_slash(environ: dict[str, Any]) -> dict[str, Any]:
    path = environ.get("PATH_INFO", "")
    if path.count("/") == 1 and path.lstrip("/") in main.__all__:
        environ = {**environ, "PATH_INFO": path + "/"}
    return environ


class _QuietHandler(WSGIRequestHandler):
    """No access log: /blobs/ paths carry signed links to patients' audio."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class FunctionsHost:
    """The functions app on a background thread (tests and the local stack)."""

    def __init__(self, port: int = 0, app: Any = None) -> None:
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", port, app or create_functions_app(), threaded=True,
            request_handler=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="functions-host")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> FunctionsHost:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
