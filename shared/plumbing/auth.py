"""Who may call a worker: Cloud Tasks / Scheduler with an OIDC token, as Cloud Run
forwards it (shared/adapters/oidc.py: production, the local stack, the e2e tests), or
a shared development token, kept only for the in-process function tests that call the
entry points through functions-framework's test client."""

from __future__ import annotations

import hmac
from typing import Protocol


class CallerVerifier(Protocol):
    def verify(self, authorization: str | None, audience: str) -> bool: ...


class DevTokenVerifier:
    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("dev-token auth needs DEV_AUTH_TOKEN")
        self._expected = f"Bearer {token}".encode()

    def verify(self, authorization: str | None, audience: str) -> bool:
        return bool(authorization) and hmac.compare_digest(
            (authorization or "").encode(), self._expected
        )
