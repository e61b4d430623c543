"""Telegram webhook: verify the secret token header, dedupe the update, enqueue."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import container


@functions_framework.http
def telegram_webhook(request: flask.Request) -> tuple[str, int]:
    c = container()
    answer = c.intake.telegram(request.get_data(cache=False),
                               request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                               c.settings.telegram_webhook_secret)
    return answer.body, answer.status
