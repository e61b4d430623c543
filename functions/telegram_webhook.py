"""Telegram webhook: verify the secret token header, dedupe the update, enqueue."""

from __future__ import annotations

import logging
import time

import flask
import functions_framework

from functions._http import observed
from shared.bootstrap import container

log = logging.getLogger("medbot.functions")


@functions_framework.http
def telegram_webhook(request: flask.Request) -> tuple[str, int]:
    with observed(request, "telegram_webhook"):
        started = time.perf_counter()
        c = container()
        answer = c.intake.telegram(request.get_data(cache=False),
                                   request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                                   c.settings.telegram_webhook_secret)
        log.info("webhook", extra={"channel": "telegram", "status": answer.status,
                                   "latency_ms": round((time.perf_counter() - started) * 1000, 2)})
        return answer.body, answer.status
