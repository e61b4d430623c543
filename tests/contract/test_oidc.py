"""OidcVerifier with the real google-auth verification, against certificates served
by a fake transport (the real one fetches Google's; no network here)."""

from __future__ import annotations

import base64
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

from shared.adapters.oidc import SIGNATURE_REMOVED, OidcVerifier

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


# ------------------------------------------------ the token Cloud Run forwards
# Cloud Run verifies the signature itself, then hands the code
# header.payload.SIGNATURE_REMOVED_BY_GOOGLE: the claims are all that can be checked.


def forwarded(signed: str) -> str:
    header, payload, _ = signed.split(".")
    return f"{header}.{payload}.{SIGNATURE_REMOVED}"


def segment(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@pytest.fixture
def offline_verifier():
    # No certificate transport: the forwarded form must never need Google's keys.
    def unreachable(*args: object, **kwargs: object) -> object:
        raise AssertionError("the forwarded form must not fetch certificates")
    return OidcVerifier(INVOKER, request=unreachable)


def test_the_forwarded_token_of_the_invoker_for_this_function_is_accepted(offline_verifier, keys):
    assert offline_verifier.verify(f"Bearer {forwarded(token(keys[0]))}", AUDIENCE)


@pytest.mark.parametrize(("claims", "reason"), [
    ({"aud": "https://asia-east1-project.cloudfunctions.net/other"}, "audience"),
    ({"email": "someone-else@project.iam.gserviceaccount.com"}, "email"),
    ({"email_verified": False}, "email not verified"),
    ({"email_verified": "true"}, "email not verified"),  # a string is not a verified flag
    ({"email_verified": None}, "email not verified"),
    ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "expired"),
    ({"exp": None}, "expired"),
    ({"iat": int(time.time()) + 3600, "exp": int(time.time()) + 7200}, "issued in the future"),
    ({"iss": "https://evil.example.com"}, "issuer"),
    ({"iss": "accounts.google.com"}, "issuer"),  # Cloud Tasks' tokens use the https form
])
def test_forwarded_tokens_with_wrong_claims_are_refused(offline_verifier, keys, claims, reason):
    overrides = {k: v for k, v in claims.items() if v is not None}
    signed = token(keys[0], **overrides)
    if None in claims.values():  # drop the claim entirely
        header, payload, sig = signed.split(".")
        body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        body = {k: v for k, v in body.items() if claims.get(k, 0) is not None}
        signed = f"{header}.{segment(body)}.{sig}"
    assert offline_verifier.refusal(f"Bearer {forwarded(signed)}", AUDIENCE) == reason
    assert not offline_verifier.verify(f"Bearer {forwarded(signed)}", AUDIENCE)


def test_expiry_allows_a_small_clock_skew_only(keys):
    now = time.time()
    signed = forwarded(token(keys[0], iat=int(now) - 3600, exp=int(now) - 5))
    lenient = OidcVerifier(INVOKER, now=lambda: now)
    assert lenient.verify(f"Bearer {signed}", AUDIENCE)  # 5 s late: within the skew
    late = OidcVerifier(INVOKER, now=lambda: now + 60)
    assert late.refusal(f"Bearer {signed}", AUDIENCE) == "expired"


@pytest.mark.parametrize("mangle", [
    lambda h, p: f"{h}.{p}.{SIGNATURE_REMOVED}.x",  # four parts
    lambda h, p: f"{h}.{p}",  # two parts
    lambda h, p: f".{p}.{SIGNATURE_REMOVED}",  # no header
    lambda h, p: f"{h}.{p}!.{SIGNATURE_REMOVED}",  # not base64url
    lambda h, p: f"{h}.{segment('just a string')}.{SIGNATURE_REMOVED}",  # not an object
    lambda h, p: f"{h}.e30x.{SIGNATURE_REMOVED}",  # not JSON
    lambda h, p: f"{segment({'alg': 'none', 'typ': 'JWT'})}.{p}.{SIGNATURE_REMOVED}",
    lambda h, p: f"{segment({'alg': 'HS256', 'typ': 'JWT'})}.{p}.{SIGNATURE_REMOVED}",
])
def test_malformed_forwarded_tokens_are_refused(offline_verifier, keys, mangle):
    header, payload, _ = token(keys[0]).split(".")
    assert not offline_verifier.verify(f"Bearer {mangle(header, payload)}", AUDIENCE)


@pytest.mark.parametrize("signature", [
    "SIGNATURE_REMOVED_BY_GOOGLE ", "signature_removed_by_google", "SIGNATURE_REMOVED",
    "SIGNATURE_REMOVED_BY_GOOGLEx", "AAAA", "c2lnbmF0dXJl",
])
def test_any_other_signature_part_is_verified_in_full_and_a_forgery_fails(keys, signature):
    # A token that is not in exactly the forwarded form is still signed as far as the
    # verifier knows: it is checked against Google's certificates, and a made-up
    # signature (any claims at all) fails there.
    header, payload, _ = token(keys[0]).split(".")
    verifier = OidcVerifier(INVOKER, request=CertServer("k1", keys[1]))
    assert verifier.refusal(f"Bearer {header}.{payload}.{signature}", AUDIENCE) in (
        "signature", "malformed token")


def test_a_still_signed_token_is_verified_in_full_and_its_claims_checked(keys):
    verifier = OidcVerifier(INVOKER, request=CertServer("k1", keys[1]))
    assert verifier.verify(f"Bearer {token(keys[0])}", AUDIENCE)
    assert verifier.refusal(f"Bearer {token(keys[0], iss='accounts.google.com')}",
                            AUDIENCE) == "issuer"
