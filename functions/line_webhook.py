"""LINE webhook: verify x-line-signature, dedupe each event, enqueue, answer 200."""

from __future__ import annotations

import flask
import functions_framework

from functions._http import run_webhook


@functions_framework.http
def line_webhook(request: flask.Request) -> tuple[str, int]:
    signature = request.headers.get("x-line-signature")
    return run_webhook(request, "line",
                       lambda c, body: c.handler("line_webhook")(body, signature))
