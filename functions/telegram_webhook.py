"""Telegram webhook: verify the secret token header, dedupe the update, enqueue."""

from __future__ import annotations

import flask
import functions_framework

from functions._http import run_webhook


@functions_framework.http
def telegram_webhook(request: flask.Request) -> tuple[str, int]:
    secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
    return run_webhook(request, "telegram",
                       lambda c, body: c.handler("telegram_webhook")(body, secret))
