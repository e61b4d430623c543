"""Reminder entry points: the per-minute tick (Cloud Scheduler), the shard sweeps it fans
out to, and the send worker."""

from __future__ import annotations

import json

import flask
import functions_framework

from functions._http import authorized, observed, run_worker
from shared.bootstrap import container


@functions_framework.http
def reminder_tick(request: flask.Request) -> tuple[str, int]:
    # At-least-once and possibly late or skipped: the tick itself is stateless; each
    # due dose is claimed exactly once inside ReminderService.tick().
    with observed(request, "reminder_tick"):
        if not authorized(request, "reminder_tick"):
            return "unauthorized", 401
        return json.dumps(container().handler("reminder_tick")()), 200


@functions_framework.http
def remind_worker(request: flask.Request) -> tuple[str, int]:
    return run_worker(request, "remind_worker",
                      lambda task: container().handler("remind_worker")(task))


@functions_framework.http
def sweep_worker(request: flask.Request) -> tuple[str, int]:
    return run_worker(request, "sweep_worker",
                      lambda task: container().handler("sweep_worker")(task))
