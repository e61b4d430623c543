"""Every entry point of main.py served by functions-framework on one local port,
each at /<entry_point> (as Cloud Functions serves each at its own URL), plus
/blobs/<key> serving the local blob store's signed links.

The host plays Cloud Run too: a private function (every one but the webhooks,
shared/runtime.json) is reached only with an ID token of the invoker account for its
URL, which the host checks and then strips of its signature (cloud_run.py), so the
workers run their production authentication on what production sends them."""

from __future__ import annotations

import threading
from typing import Any

import functions_framework
from flask import Flask, Response, abort, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

import main
from infra.local.cloud_run import CloudRunGate
from shared import runtime
from shared.adapters.local_blobs import LocalBlobStore
from shared.bootstrap import container


def create_functions_app() -> Any:
    root = Flask("medbot-local")

    @root.get("/healthz")
    def health() -> str:
        return "ok"

    @root.get("/blobs/<path:key>")
    def blob(key: str) -> Response:
        # Signed links of the local blob backend, checked with the store's own key.
        blobs = container().blobs
        if not isinstance(blobs, LocalBlobStore) or not blobs.link_is_authentic(
            key, request.args.get("expires", ""), request.args.get("sig", "")
        ):
            abort(403)
        found = blobs.open(key)
        if found is None:
            abort(404)
        data, content_type = found
        return Response(data, content_type=content_type)

    mounts = {f"/{name}": _as_deployed(name) for name in main.__all__}
    return _ExactMounts(DispatcherMiddleware(root.wsgi_app, mounts))


def _as_deployed(name: str) -> Any:
    app = functions_framework.create_app(  # type: ignore[no-untyped-call]
        target=name, source=main.__file__)
    if runtime.function(name).public:
        return app  # allUsers may invoke it: the code checks the platform's signature
    # roles/run.invoker: the invoker account only (infra/terraform/iam.tf).
    return CloudRunGate(app, identity=lambda: container().local_identity,
                        invokers=lambda: {container().settings.tasks_invoker_sa})


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
