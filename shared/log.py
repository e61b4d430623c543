"""Structured JSON logs for Cloud Logging.

Only metadata is logged (function, action, channel, UI language, counts, latency, LLM
model and tokens, outcome); never the text of a message, a transcript, an e-mail
address or an audio URL. Field names that usually carry such data are dropped by the
formatter as a second line of defence (DENIED_FIELDS).

Every line written while a request is served carries that request's context:
`request_context()` (functions/_http.py, the webhooks) sets the function name and the
Cloud Trace id; `bind()` adds fields as they become known (channel, action, ...).
The context lives in contextvars, so concurrent requests on one instance (threads)
never see each other's fields.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}

TRACE_FIELD: Final = "logging.googleapis.com/trace"
SPAN_FIELD: Final = "logging.googleapis.com/spanId"
TRACE_SAMPLED_FIELD: Final = "logging.googleapis.com/trace_sampled"

# Fields that would carry personal data if someone passed them in `extra=`: never
# written (the key is kept with a marker, so the mistake is visible in the logs).
DENIED_FIELDS: Final = frozenset({
    "text", "body", "prompt", "transcript", "translation", "plain", "email", "to",
    "address", "url", "audio_url", "link", "reply_token", "token", "secret",
    "phone", "name",
})
REDACTED: Final = "[redacted]"

_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "medbot_log_context", default=None)

# X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=OPTIONS (trace id 32 hex, span decimal).
_CLOUD_TRACE = re.compile(r"^([0-9a-fA-F]{32})(?:/([0-9]+))?(?:;o=([01]))?$")
# W3C traceparent: VERSION-TRACE_ID-PARENT_ID-FLAGS.
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


def trace_fields(project: str, cloud_trace: str | None,
                 traceparent: str | None = None) -> dict[str, Any]:
    """Cloud Logging's trace fields from the request's trace header(s), or {}."""
    trace_id = span = ""
    sampled: bool | None = None
    match = _CLOUD_TRACE.match((cloud_trace or "").strip())
    if match:
        trace_id, span = match.group(1).lower(), match.group(2) or ""
        sampled = None if match.group(3) is None else match.group(3) == "1"
    else:
        w3c = _TRACEPARENT.match((traceparent or "").strip().lower())
        if w3c:
            trace_id, span = w3c.group(1), w3c.group(2)
            sampled = bool(int(w3c.group(3), 16) & 1)
    if not trace_id or not project or trace_id == "0" * 32:
        return {}
    fields: dict[str, Any] = {TRACE_FIELD: f"projects/{project}/traces/{trace_id}"}
    if span:
        fields[SPAN_FIELD] = span
    if sampled is not None:
        fields[TRACE_SAMPLED_FIELD] = sampled
    return fields


@contextmanager
def request_context(function: str, **fields: Any) -> Iterator[dict[str, Any]]:
    """Every log line inside carries `function` and `fields` (e.g. trace_fields())."""
    token = _context.set({"function": function, **fields})
    try:
        yield current_context()
    finally:
        _context.reset(token)


def bind(**fields: Any) -> None:
    """Add fields to the current request's context (no-op outside a request)."""
    current = _context.get()
    if current is None:
        return
    # A new dict: a context copied into another thread keeps its own view.
    _context.set({**current, **{k: v for k, v in fields.items() if v is not None}})


def current_context() -> dict[str, Any]:
    return dict(_context.get() or {})


def _safe(key: str, value: Any) -> Any:
    return REDACTED if key.lower() in DENIED_FIELDS else value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
        }
        entry.update({k: _safe(k, v) for k, v in current_context().items()})
        entry.update({k: _safe(k, v) for k, v in vars(record).items() if k not in _RESERVED})
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
