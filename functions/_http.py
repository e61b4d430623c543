"""Shared plumbing for the thin HTTP entry points."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import flask

from shared.bootstrap import Container, container
from shared.log import request_context, trace_fields
from shared.plumbing.intake import Answer

log = logging.getLogger("medbot.functions")

Response = tuple[str, int]
BUSY_STATUS = 429  # any non-2xx makes Cloud Tasks retry later, with backoff


def run_worker(
    request: flask.Request, function: str, handle: Callable[[dict[str, Any]], Any]
) -> Response:
    """Authenticate the caller (the OIDC token Cloud Run forwards), parse the task, run
    it once."""
    with observed(request, function):
        started = time.perf_counter()
        if not authorized(request, function):
            return "unauthorized", 401
        task = request.get_json(silent=True)
        if not isinstance(task, dict) or not isinstance(task.get("id"), str):
            log.warning("task", extra={"outcome": "bad task"})
            return "bad task", 400
        try:
            outcome = handle(task)
        except Exception:
            # Structured and traced (the framework's own traceback is plain text); the
            # 500 makes Cloud Tasks retry.
            log.exception("task", extra={"outcome": "error", "latency_ms": _ms(started)})
            raise
        log.info("task", extra={"outcome": str(outcome), "latency_ms": _ms(started)})
        return str(outcome), BUSY_STATUS if str(outcome) == "busy" else 200


@contextmanager
def observed(request: flask.Request, function: str) -> Iterator[None]:
    """Every log line of this request carries the function name and its Cloud Trace id."""
    project = container().settings.gcp_project
    trace = trace_fields(project, request.headers.get("X-Cloud-Trace-Context"),
                         request.headers.get("traceparent"))
    with request_context(function, **trace):
        yield


def run_webhook(
    request: flask.Request, channel: str, accept: Callable[[Container, bytes], Answer]
) -> Response:
    """A platform webhook: authenticate, dedupe and enqueue (Intake), one log line."""
    with observed(request, f"{channel}_webhook"):
        started = time.perf_counter()
        answer = accept(container(), request.get_data(cache=False))
        log.info("webhook", extra={"channel": channel, "status": answer.status,
                                   "events": answer.events,
                                   "accepted": answer.accepted, "latency_ms": _ms(started)})
        return answer.body, answer.status


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def authorized(request: flask.Request, function: str) -> bool:
    """The caller holds a token for this function (audience = its URL)."""
    c = container()
    audience = f"{c.settings.worker_base_url}/{function}"
    if c.verifier.verify(request.headers.get("Authorization"), audience):
        return True
    log.warning("unauthorized caller", extra={"function": function, "outcome": "unauthorized"})
    return False
