"""Dialog worker (Cloud Tasks target): run the conversation state machine for one event."""

from __future__ import annotations

import flask
import functions_framework

from functions._http import run_worker
from shared.bootstrap import container


@functions_framework.http
def dialog_worker(request: flask.Request) -> tuple[str, int]:
    return run_worker(request, "dialog_worker",
                      lambda task: container().handler("dialog_worker")(task))
