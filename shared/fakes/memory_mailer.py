"""In-memory Mailer: sent mail lands in `outbox`. It builds the same MIME message as
SmtpMailer (so header injection fails the same way) and keeps what a reader would
see. Proven against SMTP by tests/contract/test_mailer_contract.py."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from shared.ports import Email
from shared.wire.mime import build_message


@dataclass(frozen=True)
class SentMail:
    message_id: str
    to: str
    subject: str
    text: str
    html: str
    attachments: tuple[tuple[str, bytes, str], ...] = field(default=())  # name, data, mime
    raw: bytes = b""  # the full RFC 5322 message, as an SMTP server would receive it


class MemoryMailer:
    def __init__(self, sender: str = "MedBot <medbot@example.org>") -> None:
        self.outbox: list[SentMail] = []
        self._sender = sender
        self._lock = threading.Lock()

    def send(self, email: Email) -> str:
        msg = build_message(email, self._sender)
        sent = SentMail(
            message_id=str(msg["Message-ID"]),
            to=email.to,
            subject=email.subject,
            text=email.text,
            html=email.html,
            attachments=tuple(email.attachments),
            raw=msg.as_bytes(),
        )
        with self._lock:
            self.outbox.append(sent)
        return sent.message_id
