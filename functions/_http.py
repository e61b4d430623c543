"""Shared plumbing for the thin HTTP entry points."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import flask

from shared.bootstrap import container

log = logging.getLogger("medbot.functions")

Response = tuple[str, int]
BUSY_STATUS = 429  # any non-2xx makes Cloud Tasks retry later, with backoff


def run_worker(
    request: flask.Request, function: str, handle: Callable[[dict[str, Any]], Any]
) -> Response:
    """Authenticate the caller (OIDC or dev token), parse the task, run it once."""
    started = time.perf_counter()
    if not authorized(request, function):
        return "unauthorized", 401
    task = request.get_json(silent=True)
    if not isinstance(task, dict) or not isinstance(task.get("id"), str):
        return "bad task", 400
    outcome = handle(task)
    log.info("task", extra={"function": function, "outcome": str(outcome),
                            "latency_ms": round((time.perf_counter() - started) * 1000, 1)})
    return str(outcome), BUSY_STATUS if str(outcome) == "busy" else 200


def authorized(request: flask.Request, function: str) -> bool:
    """The caller holds a token for this function (audience = its URL)."""
    c = container()
    audience = f"{c.settings.worker_base_url}/{function}"
    if c.verifier.verify(request.headers.get("Authorization"), audience):
        return True
    log.warning("unauthorized caller", extra={"function": function})
    return False
