"""Verify Google-signed OIDC tokens sent by Cloud Tasks and Cloud Scheduler."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


class OidcVerifier:
    def __init__(self, invoker_email: str, request: Any = None) -> None:
        """request: google-auth transport used to fetch Google's signing certificates
        (cached by google-auth); tests pass one that serves their own."""
        if not invoker_email:
            raise ValueError("OIDC auth needs TASKS_INVOKER_SA")
        from google.auth.transport import requests as google_requests

        self._email = invoker_email
        self._request: Any = request or google_requests.Request()

    def verify(self, authorization: str | None, audience: str) -> bool:
        from google.auth.exceptions import GoogleAuthError
        from google.oauth2 import id_token

        if not authorization or not authorization.startswith("Bearer "):
            return False
        try:
            claims = id_token.verify_oauth2_token(  # type: ignore[no-untyped-call]
                authorization[7:], self._request, audience)
        except (ValueError, GoogleAuthError):
            # Malformed, expired, wrong audience, or Google's keys unreachable: refuse;
            # Cloud Tasks retries the delivery later.
            return False
        # The token must be for this function and from our invoker account.
        return bool(claims.get("email") == self._email and claims.get("email_verified"))
