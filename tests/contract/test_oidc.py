"""OidcVerifier with the real google-auth verification, against certificates served
by a fake transport (the real one fetches Google's; no network here)."""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt, jwt

from shared.adapters.oidc import OidcVerifier

INVOKER = "medbot-invoker@project.iam.gserviceaccount.com"
AUDIENCE = "https://asia-east1-project.cloudfunctions.net/dialog_worker"


@dataclass
class _Response:
    status: int
    data: bytes
    headers: dict[str, str]


class CertServer:
    """A google-auth transport Request that serves one signing certificate."""

    def __init__(self, kid: str, pem: bytes) -> None:
        self._body = json.dumps({kid: pem.decode()}).encode()

    def __call__(self, url: str, method: str = "GET", **kwargs: object) -> _Response:
        return _Response(200, self._body, {})


@pytest.fixture(scope="module")
def keys():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    pem_key = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    signer = crypt.RSASigner.from_string(pem_key, key_id="k1")
    return signer, cert.public_bytes(serialization.Encoding.PEM)


def token(signer, **overrides) -> str:
    now = int(time.time())
    claims = {"iss": "https://accounts.google.com", "aud": AUDIENCE, "email": INVOKER,
              "email_verified": True, "iat": now, "exp": now + 600, "sub": "1"}
    claims.update(overrides)
    return str(jwt.encode(signer, claims).decode())


@pytest.fixture
def verifier(keys):
    return OidcVerifier(INVOKER, request=CertServer("k1", keys[1]))


def test_a_token_of_the_invoker_for_this_function_is_accepted(verifier, keys):
    assert verifier.verify(f"Bearer {token(keys[0])}", AUDIENCE)


@pytest.mark.parametrize("claims", [
    {"aud": "https://asia-east1-project.cloudfunctions.net/other"},
    {"email": "someone-else@project.iam.gserviceaccount.com"},
    {"email_verified": False},
    {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
    {"iss": "https://evil.example.com"},
])
def test_wrong_audience_email_expiry_or_issuer_is_refused(verifier, keys, claims):
    assert not verifier.verify(f"Bearer {token(keys[0], **claims)}", AUDIENCE)


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer x.y.z", "Basic abc"])
def test_missing_or_malformed_tokens_are_refused(verifier, header):
    assert not verifier.verify(header, AUDIENCE)


def test_a_token_signed_by_another_key_is_refused(keys):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = other.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
    forged = token(crypt.RSASigner.from_string(pem, key_id="k1"))
    verifier = OidcVerifier(INVOKER, request=CertServer("k1", keys[1]))
    assert not verifier.verify(f"Bearer {forged}", AUDIENCE)
