"""Accept only Cloud Tasks' and Cloud Scheduler's calls to a private function.

Gen-2 functions run on Cloud Run. For a private service Cloud Run checks the caller's
Google-signed ID token itself (IAM roles/run.invoker, audience = the service URL) and
then REMOVES the signature before the request reaches the code: the function receives
`Authorization: Bearer <header>.<payload>.SIGNATURE_REMOVED_BY_GOOGLE` (Cloud Run,
"Authenticating service-to-service"). Such a token cannot be verified again here, and
google-auth's verify_oauth2_token refuses it; what the code can and must do is check
its claims: issued by Google for this function's URL, to the invoker account, with a
verified e-mail, not expired.

The trust boundary is therefore Cloud Run's IAM check plus internal-only ingress (only
Cloud Tasks and Cloud Scheduler of the project can reach a private function; nothing
else can put a token in front of this code): README, "Trust boundary". A token that
still carries a signature (any third part other than exactly the marker) is verified
in full against Google's certificates, as a caller outside Cloud Run would need.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

SIGNATURE_REMOVED = "SIGNATURE_REMOVED_BY_GOOGLE"
GOOGLE_ISSUER = "https://accounts.google.com"
# Google's ID tokens are RS256 JWTs; any other algorithm did not come from Google.
GOOGLE_ALGORITHM = "RS256"
# Clocks of Google's token service and of this instance may differ slightly.
CLOCK_SKEW_S = 30
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


class OidcVerifier:
    def __init__(self, invoker_email: str, request: Any = None,
                 now: Callable[[], float] = time.time) -> None:
        """request: google-auth transport used to fetch Google's signing certificates
        for still-signed tokens (cached by google-auth); tests pass one that serves
        their own. now: the real time (tokens are about real time, never the local
        stack's movable clock)."""
        if not invoker_email:
            raise ValueError("OIDC auth needs TASKS_INVOKER_SA")
        self._email = invoker_email
        self._request = request
        self._now = now

    def verify(self, authorization: str | None, audience: str) -> bool:
        reason = self.refusal(authorization, audience)
        if reason is not None:
            # The reason only (no token, no claim values): enough for an operator to
            # tell a wrong audience from a wrong account in a staging project.
            log.warning("caller refused", extra={"reason": reason})
        return reason is None

    def refusal(self, authorization: str | None, audience: str) -> str | None:
        """Why this caller is refused, or None when it is the invoker for `audience`."""
        if not authorization or not authorization.startswith("Bearer "):
            return "no bearer token"
        token = authorization[len("Bearer "):]  # exactly as sent: no lenient trimming
        parts = token.split(".")
        if len(parts) != 3 or not all(parts):
            return "malformed token"
        if parts[2] == SIGNATURE_REMOVED:
            claims = _forwarded_claims(parts[0], parts[1])
            if claims is None:
                return "malformed token"
        else:
            claims = self._signed_claims(token, audience)
            if claims is None:
                return "signature"
        return self._claims_refusal(claims, audience)

    def _claims_refusal(self, claims: dict[str, Any], audience: str) -> str | None:
        now = self._now()
        exp, iat = claims.get("exp"), claims.get("iat")
        if claims.get("iss") != GOOGLE_ISSUER:
            return "issuer"
        if claims.get("aud") != audience:
            return "audience"
        if claims.get("email") != self._email:
            return "email"
        if claims.get("email_verified") is not True:
            return "email not verified"
        if not isinstance(exp, int | float) or isinstance(exp, bool) \
                or now > exp + CLOCK_SKEW_S:
            return "expired"
        if not isinstance(iat, int | float) or isinstance(iat, bool) \
                or iat > now + CLOCK_SKEW_S:
            return "issued in the future"
        return None

    def _signed_claims(self, token: str, audience: str) -> dict[str, Any] | None:
        from google.auth.exceptions import GoogleAuthError
        from google.auth.transport import requests as google_requests
        from google.oauth2 import id_token

        request = self._request or google_requests.Request()
        try:
            claims = id_token.verify_oauth2_token(  # type: ignore[no-untyped-call]
                token, request, audience, clock_skew_in_seconds=CLOCK_SKEW_S)
        except (ValueError, GoogleAuthError):
            # Bad signature, malformed, expired, wrong audience, or Google's keys
            # unreachable: refuse; Cloud Tasks retries the delivery later.
            return None
        return claims if isinstance(claims, dict) else None


def _forwarded_claims(header_b64: str, payload_b64: str) -> dict[str, Any] | None:
    """The claims of a token whose signature Cloud Run removed, if well-formed."""
    header, payload = _json_segment(header_b64), _json_segment(payload_b64)
    if header is None or payload is None or header.get("alg") != GOOGLE_ALGORITHM:
        return None
    return payload


def _json_segment(segment: str) -> dict[str, Any] | None:
    if not _BASE64URL.fullmatch(segment):  # JWT segments are unpadded base64url
        return None
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError):
        return None
    return value if isinstance(value, dict) else None

