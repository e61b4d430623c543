"""An e-mail as the SMTP server receives it: a multipart/alternative MIME message (text
+ HTML) with optional attachments (stdlib email package, no I/O)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from shared.ports import Email


def build_message(email: Email, sender: str) -> EmailMessage:
    """The MIME message for email. Raises ValueError on header injection (CR/LF in
    the subject or address), which the email package refuses."""
    msg = EmailMessage()
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["Date"] = formatdate(localtime=False)
    msg["From"] = sender
    msg["To"] = email.to
    msg["Subject"] = email.subject
    msg.set_content(email.text)
    msg.add_alternative(email.html, subtype="html")
    for name, data, mime in email.attachments:
        maintype, _, subtype = mime.partition("/")
        # Adding an attachment turns the message into multipart/mixed around the
        # alternative part, which is what mail clients expect.
        msg.add_attachment(
            data, maintype=maintype, subtype=subtype or "octet-stream", filename=name
        )
    return msg
