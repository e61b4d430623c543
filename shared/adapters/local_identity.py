"""Google's ID-token service, played locally (the local stack, e2e tests, benches).

In Google Cloud, Cloud Tasks and Cloud Scheduler attach an ID token that Google signs
for the invoker service account, with the target URL as audience; Cloud Run checks it
and strips the signature (shared/adapters/oidc.py). Locally this key plays Google: the
local task dispatcher and cron mint tokens with it (mint), and the local functions
host checks them as Cloud Run would (verify) before stripping the signature, so the
workers see exactly what they see in production. The key is made per stack (or passed
between processes as LOCAL_IDENTITY_KEY); it signs nothing outside the local stack.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from shared.adapters.oidc import GOOGLE_ISSUER, SIGNATURE_REMOVED

TOKEN_LIFETIME_S = 3600  # Google's ID tokens last one hour


class LocalIdentity:
    def __init__(self, private_key_pem: str, key_id: str = "medbot-local") -> None:
        from google.auth import crypt

        if not private_key_pem.strip():
            raise ValueError("the local identity needs a private key (LOCAL_IDENTITY_KEY)")
        self.private_key_pem = private_key_pem
        self._key_id = key_id
        self._signer = crypt.RSASigner.from_string(  # type: ignore[no-untyped-call]
            private_key_pem, key_id=key_id)
        self._public_pem = _public_pem(private_key_pem)

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def public_pem(self) -> str:
        """The verification key (what Google publishes as its certificates)."""
        return self._public_pem

    @classmethod
    def generate(cls) -> LocalIdentity:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        return cls(pem)

    def mint(self, account: str, audience: str, *, now: float | None = None,
             lifetime_s: int = TOKEN_LIFETIME_S, **overrides: Any) -> str:
        """A signed ID token in Google's format (claims as Google's token service
        issues them for a service account); overrides replace or drop (None) claims."""
        from google.auth import jwt

        issued = int(time.time() if now is None else now)
        subject = str(int(hashlib.sha256(account.encode()).hexdigest()[:15], 16))
        claims: dict[str, Any] = {
            "aud": audience, "azp": subject, "email": account, "email_verified": True,
            "exp": issued + lifetime_s, "iat": issued, "iss": GOOGLE_ISSUER, "sub": subject,
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return str(jwt.encode(self._signer, claims).decode())  # type: ignore[no-untyped-call]

    def verify(self, token: str, audience: str) -> dict[str, Any] | None:
        """The claims if this key signed the token for `audience` and it is current
        (Cloud Run's check of a caller's token), else None."""
        from google.auth import exceptions, jwt

        try:
            claims = jwt.decode(token, certs={self._key_id: self._public_pem},  # type: ignore[no-untyped-call]
                                audience=audience, clock_skew_in_seconds=30)
        except (ValueError, exceptions.GoogleAuthError):
            return None
        if not isinstance(claims, dict) or claims.get("iss") != GOOGLE_ISSUER:
            return None
        return claims


def strip_signature(token: str) -> str:
    """What Cloud Run hands the code: the token with its signature removed."""
    header, payload, _signature = token.split(".")
    return f"{header}.{payload}.{SIGNATURE_REMOVED}"


def _public_pem(private_key_pem: str) -> str:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
