"""A local SMTP server that keeps what it receives in memory (aiosmtpd). The dev stack
shows these messages as the simulator's e-mail outbox; tests read them back.

Plain SMTP by default; STARTTLS, implicit TLS and AUTH can be switched on so tests can
exercise every SmtpMailer mode.
"""

from __future__ import annotations

import asyncio
import email
import logging
import ssl
import threading
import uuid
import warnings
from collections import deque
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

SinkMessage = dict[str, Any]


def parse_message(raw: bytes, recipients: list[str]) -> SinkMessage:
    """{id, to, subject, text, html, received_at, message_id, attachments}."""
    # SMTP delivers CRLF line ends; readers (and the simulator) want '\n'. Binary
    # attachments are base64 on the wire, so this does not touch their bytes.
    msg = email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=policy.default)
    assert isinstance(msg, EmailMessage)  # guaranteed by policy.default
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    attachments = [
        {
            "name": part.get_filename() or "",
            "mime": part.get_content_type(),
            "data": part.get_payload(decode=True) or b"",
        }
        for part in msg.iter_attachments()
        if isinstance(part, EmailMessage)
    ]
    return {
        "id": uuid.uuid4().hex,
        "to": ", ".join(recipients),
        "subject": str(msg.get("Subject", "")),
        "text": text.get_content() if text is not None else "",
        "html": html.get_content() if html is not None else "",
        "received_at": datetime.now(UTC),
        "message_id": str(msg.get("Message-ID", "")),
        "attachments": attachments,
    }


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        self._sink._receive(parse_message(raw, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class _Controller(Controller):  # type: ignore[misc]
    def _trigger_server(self) -> None:
        # Port 0 asks the OS for a free port; aiosmtpd would then probe port 0, so
        # learn the real port from the bound socket first.
        if self.port == 0 and isinstance(self.server, asyncio.Server):
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]

    def factory(self) -> Any:
        with warnings.catch_warnings():
            # On implicit TLS, AUTH without STARTTLS is fine; aiosmtpd warns regardless.
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
            return super().factory()  # type: ignore[no-untyped-call]


class SmtpSink:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        starttls_context: ssl.SSLContext | None = None,
        implicit_tls_context: ssl.SSLContext | None = None,
        credentials: tuple[str, str] | None = None,
        max_messages: int = 500,
    ) -> None:
        """starttls_context: offer STARTTLS and require it before MAIL.
        implicit_tls_context: speak TLS from the first byte (SMTPS).
        credentials: require AUTH with this user and password (over TLS only)."""
        self._messages: deque[SinkMessage] = deque(maxlen=max_messages)  # bounded: dev
        self._lock = threading.Lock()
        self._credentials = credentials
        kwargs: dict[str, Any] = {}
        if starttls_context is not None:
            kwargs.update(tls_context=starttls_context, require_starttls=True)
        if credentials is not None:
            kwargs.update(authenticator=self._authenticate, auth_required=True)
            # aiosmtpd only knows about STARTTLS; on implicit TLS the link is already
            # encrypted, so let it offer AUTH there too.
            kwargs["auth_require_tls"] = implicit_tls_context is None
        self._controller = _Controller(
            _Handler(self),
            hostname=host,
            port=port,
            ssl_context=implicit_tls_context,
            **kwargs,
        )

    @property
    def host(self) -> str:
        return str(self._controller.hostname)

    @property
    def port(self) -> int:
        return int(self._controller.port)

    def start(self) -> None:
        # aiosmtpd logs every command, recipients included, at INFO; keep addresses
        # out of logs here as everywhere (an explicit level set by the app stays).
        aiosmtpd_log = logging.getLogger("mail.log")
        if aiosmtpd_log.level == logging.NOTSET:
            aiosmtpd_log.setLevel(logging.WARNING)
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def messages(self) -> list[SinkMessage]:
        with self._lock:
            return [dict(m) for m in self._messages]

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def _receive(self, message: SinkMessage) -> None:
        with self._lock:
            self._messages.append(message)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self._credentials is not None
            and (auth_data.login.decode(), auth_data.password.decode()) == self._credentials
        )
        # handled=False: aiosmtpd answers a failure with 535 itself (else it stays mute).
        return AuthResult(success=ok, handled=False)
