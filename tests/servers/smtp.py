"""SMTP sinks (infra/local/smtp_sink.py) for the mailer contract and the e2e tests.

Fixtures (session scope; tests tell their mail apart by unique subjects or clear()):
  `smtp_sink`      plain SMTP on 127.0.0.1
  `smtp_tls`       SmtpTls: a STARTTLS sink and an implicit-TLS sink, both requiring
                   AUTH, with a self-signed certificate for 127.0.0.1 generated here and
                   a client SSL context that trusts exactly that certificate.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from infra.local.smtp_sink import SmtpSink

SMTP_USER = "medbot"
SMTP_PASSWORD = "sink-password"  # test sink only


@dataclass(frozen=True)
class SmtpTls:
    starttls: SmtpSink
    implicit: SmtpSink
    client_context: ssl.SSLContext


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """(cert.pem, key.pem) valid for 127.0.0.1 and localhost for one day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "medbot test sink")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        # Key identifiers keep the certificate valid under VERIFY_X509_STRICT (3.13+).
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture(scope="session")
def smtp_tls() -> Iterator[SmtpTls]:
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = self_signed_cert(Path(tmp))
        server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_ctx.load_cert_chain(cert, key)
        client_ctx = ssl.create_default_context(cafile=str(cert))
        creds = (SMTP_USER, SMTP_PASSWORD)
        starttls = SmtpSink(starttls_context=server_ctx, credentials=creds)
        implicit = SmtpSink(implicit_tls_context=server_ctx, credentials=creds)
        starttls.start()
        try:
            implicit.start()
            try:
                yield SmtpTls(starttls, implicit, client_ctx)
            finally:
                implicit.stop()
        finally:
            starttls.stop()
