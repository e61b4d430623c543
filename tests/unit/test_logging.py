"""Structured logs: the JSON Cloud Logging reads, the request context (function, trace)
and the privacy guard on field names."""

from __future__ import annotations

import io
import json
import logging
import threading

import pytest

from shared.log import (
    REDACTED,
    SPAN_FIELD,
    TRACE_FIELD,
    TRACE_SAMPLED_FIELD,
    JsonFormatter,
    bind,
    current_context,
    request_context,
    trace_fields,
)

TRACE = "105445aa7843bc8bf206b12000100000"


class Capture:
    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(JsonFormatter())
        self.logger = logging.getLogger("medbot.test")

    def __enter__(self) -> Capture:
        self.logger.addHandler(self.handler)
        self.logger.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *_: object) -> None:
        self.logger.removeHandler(self.handler)

    def entries(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]


log = logging.getLogger("medbot.test")


def test_a_line_is_one_json_object_with_severity_message_and_fields() -> None:
    with Capture() as capture:
        log.warning("llm failed after %d attempts", 4, extra={"model": "gemini-x",
                                                              "latency_ms": 12.5})
    [entry] = capture.entries()
    assert entry["severity"] == "WARNING"
    assert entry["message"] == "llm failed after 4 attempts"
    assert entry["logger"] == "medbot.test"
    assert entry["model"] == "gemini-x" and entry["latency_ms"] == 12.5
    assert "msg" not in entry and "args" not in entry  # LogRecord internals stay out


def test_an_exception_is_logged_by_type_only() -> None:
    with Capture() as capture:
        try:
            raise ValueError("patient text echoed by an SDK error")
        except ValueError:
            log.exception("task")
    [entry] = capture.entries()
    assert entry["severity"] == "ERROR"
    assert entry["error"] == "ValueError"
    assert "patient text" not in json.dumps(entry)


def test_request_context_puts_function_and_trace_on_every_line_and_ends_with_it() -> None:
    trace = trace_fields("proj-1", f"{TRACE}/1;o=1")
    with Capture() as capture:
        with request_context("dialog_worker", **trace):
            log.info("first")
            bind(channel="telegram", action="show_menu", ui_language="ru")
            log.info("second", extra={"outcome": "done"})
        log.info("after")
    first, second, after = capture.entries()
    for entry in (first, second):
        assert entry["function"] == "dialog_worker"
        assert entry[TRACE_FIELD] == f"projects/proj-1/traces/{TRACE}"
        assert entry[SPAN_FIELD] == "1"
        assert entry[TRACE_SAMPLED_FIELD] is True
    assert "channel" not in first
    assert (second["channel"], second["action"], second["ui_language"], second["outcome"]) == (
        "telegram", "show_menu", "ru", "done")
    assert "function" not in after and TRACE_FIELD not in after
    assert current_context() == {}


def test_bind_outside_a_request_does_nothing() -> None:
    bind(channel="line")
    assert current_context() == {}


def test_concurrent_requests_do_not_share_context() -> None:
    seen: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def serve(name: str) -> None:
        with request_context(name):
            barrier.wait()
            bind(action=name)
            barrier.wait()
            seen[name] = str(current_context().get("action"))

    threads = [threading.Thread(target=serve, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"a": "a", "b": "b"}


@pytest.mark.parametrize(("cloud", "traceparent", "expected"), [
    (f"{TRACE}/123;o=0", None, {TRACE_FIELD: f"projects/p/traces/{TRACE}", SPAN_FIELD: "123",
                                TRACE_SAMPLED_FIELD: False}),
    (TRACE, None, {TRACE_FIELD: f"projects/p/traces/{TRACE}"}),
    (TRACE.upper() + "/9", None, {TRACE_FIELD: f"projects/p/traces/{TRACE}", SPAN_FIELD: "9"}),
    (None, f"00-{TRACE}-00f067aa0ba902b7-01",
     {TRACE_FIELD: f"projects/p/traces/{TRACE}", SPAN_FIELD: "00f067aa0ba902b7",
      TRACE_SAMPLED_FIELD: True}),
    ("not-a-trace", None, {}),
    (None, None, {}),
    ("0" * 32 + "/1", None, {}),
    (f"{TRACE}/1 injected", None, {}),
])
def test_trace_header_parsing(cloud: str | None, traceparent: str | None,
                              expected: dict[str, object]) -> None:
    assert trace_fields("p", cloud, traceparent) == expected


def test_no_project_no_trace() -> None:
    assert trace_fields("", f"{TRACE}/1") == {}


@pytest.mark.parametrize("field", ["text", "transcript", "email", "to", "audio_url", "url",
                                   "prompt", "translation", "plain", "body", "reply_token"])
def test_fields_that_would_carry_personal_data_are_redacted(field: str) -> None:
    secret = "chest pain since yesterday patient@example.org https://x/audio.m4a"
    with Capture() as capture, request_context("w", **{field: secret}):
        log.info("oops", extra={field: secret, "count": 3})
    [entry] = capture.entries()
    assert entry[field] == REDACTED
    assert entry["count"] == 3
    assert secret not in json.dumps(entry)
