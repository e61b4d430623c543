"""Mailer over SMTP (stdlib smtplib). Messages are multipart/alternative (text + HTML)
with optional attachments.

Privacy: recipients and bodies are personal (medical) data. Nothing here logs them, and
SMTP errors are re-raised as MailError without the server's text, which often quotes
the recipient address.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from typing import Literal

from shared.ports import Email
from shared.wire.mime import build_message

log = logging.getLogger(__name__)

Security = Literal["ssl", "starttls", "none"]
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class MailError(Exception):
    """Sending failed. retryable: a 4xx reply or a network error (try again later);
    otherwise the server refused the message for good (5xx)."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        security: Security,
        user: str,
        password: str,
        sender: str,
        *,
        timeout_s: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """security: 'ssl' (implicit TLS, port 465), 'starttls' (port 587; fails if the
        server does not offer STARTTLS, never downgrades) or 'none' (local sinks only).
        ssl_context: defaults to certificate and host name verification."""
        if security not in ("ssl", "starttls", "none"):
            raise ValueError("security must be 'ssl', 'starttls' or 'none'")
        if security == "none" and user and host not in _LOOPBACK:
            raise ValueError("refusing to send SMTP credentials without TLS")
        self._host = host
        self._port = port
        self._security = security
        self._user = user
        self._password = password
        self._sender = sender
        self._timeout = timeout_s
        self._ssl = ssl_context or ssl.create_default_context()

    def send(self, email: Email) -> str:
        msg = build_message(email, self._sender)
        message_id = str(msg["Message-ID"])
        try:
            with self._connect() as smtp:
                if self._user:
                    smtp.login(self._user, self._password)
                smtp.send_message(msg)
        except smtplib.SMTPResponseException as exc:
            raise MailError(f"SMTP error {exc.smtp_code}", retryable=exc.smtp_code < 500) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise MailError(
                f"SMTP refused recipient ({codes})", retryable=all(c < 500 for c in codes)
            ) from None
        except (smtplib.SMTPNotSupportedError, ssl.SSLCertVerificationError) as exc:
            # STARTTLS or AUTH not offered, or an untrusted certificate: configuration,
            # which retrying will not fix.
            raise MailError(f"SMTP setup failure: {type(exc).__name__}", retryable=False) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"SMTP failure: {type(exc).__name__}", retryable=True) from None
        log.info("mail sent", extra={"message_id": message_id, "parts": len(email.attachments)})
        return message_id

    def _connect(self) -> smtplib.SMTP:
        if self._security == "ssl":
            return smtplib.SMTP_SSL(
                self._host, self._port, timeout=self._timeout, context=self._ssl
            )
        smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        try:
            if self._security == "starttls":
                smtp.starttls(context=self._ssl)  # raises if STARTTLS is not offered
        except BaseException:
            smtp.close()
            raise
        return smtp
