"""Cloud Run's part in front of a private function, played locally.

In Google Cloud a private gen-2 function is a Cloud Run service: Cloud Run checks the
caller's Google-signed ID token (signature, audience = the service URL, expiry) and
the caller's roles/run.invoker, refuses the request otherwise, and hands the code the
token with its signature REMOVED (`header.payload.SIGNATURE_REMOVED_BY_GOOGLE`).
CloudRunGate does the same with the local identity's key, so the workers of the local
stack and of the e2e tests run the production check (shared/adapters/oidc.py) on what
production sends them. Public functions (the webhooks, allUsers) pass through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from shared.adapters.local_identity import LocalIdentity, strip_signature

UNAUTHENTICATED = 401  # no token, or one that fails verification for this URL
FORBIDDEN = 403  # a valid token of an identity without roles/run.invoker


def admit(authorization: str | None, audience: str, identity: LocalIdentity,
          invokers: Iterable[str]) -> tuple[int, str]:
    """(status, Authorization header to forward): status 200 admits the request
    with the signature stripped; 401/403 refuse it as Cloud Run would."""
    if not authorization or not authorization.startswith("Bearer "):
        return UNAUTHENTICATED, ""
    token = authorization[len("Bearer "):].strip()
    claims = identity.verify(token, audience)
    if claims is None:
        return UNAUTHENTICATED, ""
    if claims.get("email") not in set(invokers) or claims.get("email_verified") is not True:
        return FORBIDDEN, ""
    return 200, f"Bearer {strip_signature(token)}"


class CloudRunGate:
    """WSGI middleware for one private function mounted at its own path."""

    def __init__(self, app: Any, identity: Callable[[], LocalIdentity],
                 invokers: Callable[[], Iterable[str]]) -> None:
        self._app = app
        self._identity = identity
        self._invokers = invokers

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        status, forwarded = admit(environ.get("HTTP_AUTHORIZATION"), service_url(environ),
                                  self._identity(), self._invokers())
        if status != 200:
            reason = "Unauthorized" if status == UNAUTHENTICATED else "Forbidden"
            body = f"{status} {reason}: the caller may not invoke this function\n".encode()
            start_response(f"{status} {reason}", [("Content-Type", "text/plain"),
                                                  ("Content-Length", str(len(body)))])
            return [body]
        return self._app({**environ, "HTTP_AUTHORIZATION": forwarded}, start_response)


def service_url(environ: dict[str, Any]) -> str:
    """The URL this function answers at (its mount point): the audience Cloud Run
    accepts, as the task dispatcher addresses it (WORKER_BASE_URL/<function>)."""
    host = environ.get("HTTP_HOST") or (
        f"{environ.get('SERVER_NAME', '127.0.0.1')}:{environ.get('SERVER_PORT', '80')}")
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}{environ.get('SCRIPT_NAME', '')}"
