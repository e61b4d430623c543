"""Mailer contract: MemoryMailer and SmtpMailer (plain, STARTTLS and implicit TLS, the
TLS ones with AUTH) delivering to the aiosmtpd sink must agree on what arrives."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from typing import Any

import pytest

from infra.local.smtp_sink import SmtpSink
from shared.adapters.smtp_mailer import MailError, SmtpMailer
from shared.fakes.memory_mailer import MemoryMailer
from shared.ports import Email, Mailer
from shared.wire.mime import build_message
from tests.servers.smtp import SMTP_PASSWORD, SMTP_USER, SmtpTls

SENDER = "MedBot <medbot@example.org>"


@dataclass
class Backend:
    mailer: Mailer
    received: Callable[[str], dict[str, Any]]  # Message-ID -> what the reader sees


def _from_sink(sink: SmtpSink) -> Callable[[str], dict[str, Any]]:
    def received(message_id: str) -> dict[str, Any]:
        (msg,) = [m for m in sink.messages() if m["message_id"] == message_id]
        return {
            "to": msg["to"],
            "subject": msg["subject"],
            # MIME text parts end with a newline; the app's text need not.
            "text": msg["text"].rstrip("\n"),
            "html": msg["html"].rstrip("\n"),
            "attachments": [(a["name"], a["data"], a["mime"]) for a in msg["attachments"]],
        }

    return received


@pytest.fixture(params=["memory", "smtp-none", "smtp-starttls", "smtp-ssl"])
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "memory":
        memory = MemoryMailer(SENDER)

        def received(message_id: str) -> dict[str, Any]:
            (sent,) = [m for m in memory.outbox if m.message_id == message_id]
            return {
                "to": sent.to,
                "subject": sent.subject,
                "text": sent.text,
                "html": sent.html,
                "attachments": list(sent.attachments),
            }

        return Backend(memory, received)
    if request.param == "smtp-none":
        sink: SmtpSink = request.getfixturevalue("smtp_sink")
        return Backend(SmtpMailer(sink.host, sink.port, "none", "", "", SENDER), _from_sink(sink))
    tls: SmtpTls = request.getfixturevalue("smtp_tls")
    sink = tls.starttls if request.param == "smtp-starttls" else tls.implicit
    security: Any = "starttls" if request.param == "smtp-starttls" else "ssl"
    mailer = SmtpMailer(
        sink.host,
        sink.port,
        security,
        SMTP_USER,
        SMTP_PASSWORD,
        SENDER,
        timeout_s=10,
        ssl_context=tls.client_context,
    )
    return Backend(mailer, _from_sink(sink))


def an_email(**overrides: Any) -> Email:
    fields: dict[str, Any] = {
        "to": f"patient-{uuid.uuid4().hex[:8]}@example.com",
        "subject": "衛教單張 / Памятка: aspirin",
        "text": "請每日服用一次。\nПринимать раз в день.",
        "html": "<p>請每日服用一次。</p><p>Принимать раз в день.</p>",
    }
    fields.update(overrides)
    return Email(**fields)


def test_text_and_html_arrive_intact(backend: Backend) -> None:
    email = an_email()
    message_id = backend.mailer.send(email)
    assert backend.received(message_id) == {
        "to": email.to,
        "subject": email.subject,
        "text": email.text,
        "html": email.html,
        "attachments": [],
    }


def test_attachments_arrive_with_name_type_and_bytes(backend: Backend) -> None:
    attachments = (
        ("leaflet.pdf", b"%PDF-1.7\n\x00\xff binary", "application/pdf"),
        ("讀給我聽.m4a", bytes(range(256)), "audio/mp4"),
    )
    message_id = backend.mailer.send(an_email(attachments=attachments))
    assert backend.received(message_id)["attachments"] == list(attachments)


def test_message_ids_are_unique_and_well_formed(backend: Backend) -> None:
    first, second = backend.mailer.send(an_email()), backend.mailer.send(an_email())
    assert first != second
    for message_id in (first, second):
        assert message_id.startswith("<") and message_id.endswith("@example.org>")


@pytest.mark.parametrize(
    "overrides",
    [{"subject": "Hi\r\nBcc: victim@example.net"}, {"to": "a@example.com\nBcc: b@example.net"}],
)
def test_header_injection_is_refused(backend: Backend, overrides: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        backend.mailer.send(an_email(**overrides))


def test_nothing_personal_is_logged(backend: Backend, caplog: pytest.LogCaptureFixture) -> None:
    email = an_email()
    with caplog.at_level(logging.DEBUG):
        backend.mailer.send(email)
    assert email.to not in caplog.text
    assert "服用" not in caplog.text and "Принимать" not in caplog.text


# ------------------------------------------------------------------ structure
def test_message_is_alternative_then_mixed_with_attachments() -> None:
    plain = build_message(an_email(), SENDER)
    assert plain.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in plain.iter_parts()] == ["text/plain", "text/html"]
    mixed = build_message(an_email(attachments=(("a.pdf", b"x", "application/pdf"),)), SENDER)
    assert mixed.get_content_type() == "multipart/mixed"
    parts = [p.get_content_type() for p in mixed.iter_parts()]
    assert parts == ["multipart/alternative", "application/pdf"]
    reparsed = message_from_bytes(mixed.as_bytes(), policy=policy.default)
    assert reparsed["Message-ID"] == mixed["Message-ID"]


# ------------------------------------------------------------------ SMTP failure modes
def test_starttls_is_required_not_hoped_for(smtp_sink: SmtpSink) -> None:
    mailer = SmtpMailer(smtp_sink.host, smtp_sink.port, "starttls", "", "", SENDER, timeout_s=5)
    before = len(smtp_sink.messages())
    with pytest.raises(MailError) as err:
        mailer.send(an_email())
    assert err.value.retryable is False
    assert len(smtp_sink.messages()) == before


def test_plain_smtp_is_refused_by_a_starttls_server(smtp_tls: SmtpTls) -> None:
    sink = smtp_tls.starttls
    with pytest.raises(MailError):
        SmtpMailer(sink.host, sink.port, "none", "", "", SENDER, timeout_s=5).send(an_email())


def test_untrusted_certificate_is_refused(smtp_tls: SmtpTls) -> None:
    sink = smtp_tls.implicit
    mailer = SmtpMailer(sink.host, sink.port, "ssl", SMTP_USER, SMTP_PASSWORD, SENDER, timeout_s=5)
    with pytest.raises(MailError) as err:  # default context: the system's CAs only
        mailer.send(an_email())
    assert err.value.retryable is False


def test_wrong_password_is_a_permanent_error(smtp_tls: SmtpTls) -> None:
    sink = smtp_tls.starttls
    mailer = SmtpMailer(
        sink.host, sink.port, "starttls", SMTP_USER, "wrong", SENDER,
        timeout_s=5, ssl_context=smtp_tls.client_context,
    )  # fmt: skip
    with pytest.raises(MailError) as err:
        mailer.send(an_email())
    assert err.value.retryable is False
    assert "example.com" not in str(err.value)


def test_unreachable_server_is_retryable() -> None:
    from tests.servers._util import free_port

    mailer = SmtpMailer("127.0.0.1", free_port(), "none", "", "", SENDER, timeout_s=2)
    with pytest.raises(MailError) as err:
        mailer.send(an_email())
    assert err.value.retryable is True


def test_credentials_are_never_sent_in_clear_to_a_remote_host() -> None:
    with pytest.raises(ValueError):
        SmtpMailer("smtp.example.org", 25, "none", "user", "pw", SENDER)
