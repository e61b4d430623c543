"""LINE webhook: verify x-line-signature, dedupe each event, enqueue, answer 200."""

from __future__ import annotations

import logging
import time

import flask
import functions_framework

from functions._http import observed
from shared.bootstrap import container

log = logging.getLogger("medbot.functions")


@functions_framework.http
def line_webhook(request: flask.Request) -> tuple[str, int]:
    with observed(request, "line_webhook"):
        started = time.perf_counter()
        c = container()
        answer = c.intake.line(request.get_data(cache=False),
                               request.headers.get("x-line-signature"),
                               c.settings.line_channel_secret)
        log.info("webhook", extra={"channel": "line", "status": answer.status,
                                   "latency_ms": round((time.perf_counter() - started) * 1000, 2)})
        return answer.body, answer.status
