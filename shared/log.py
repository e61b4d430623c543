"""Structured JSON logs for Cloud Logging.

Only metadata is logged (action, channel, counts, latency, outcome); never the
text of a message, a transcript, an e-mail address or an audio URL.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _RESERVED})
        if record.exc_info and record.exc_info[0] is not None:
            # The exception type only: messages of SDK errors can echo request bodies.
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> None:
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    # HTTP client and server access logs carry URLs (signed audio links, bot tokens in
    # Telegram paths): keep them to warnings.
    for noisy in ("httpx", "httpcore", "urllib3", "werkzeug", "telegram", "google"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
