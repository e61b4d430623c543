"""LINE webhook: verify x-line-signature, dedupe each event, enqueue, answer 200."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import container


@functions_framework.http
def line_webhook(request: flask.Request) -> tuple[str, int]:
    c = container()
    answer = c.intake.line(request.get_data(cache=False),
                           request.headers.get("x-line-signature"),
                           c.settings.line_channel_secret)
    return answer.body, answer.status
