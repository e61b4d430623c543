"""Workers started with WORKER_AUTH=oidc, through functions-framework's test client,
receive what Cloud Run forwards: the caller's ID token with its signature removed
(`header.payload.SIGNATURE_REMOVED_BY_GOOGLE`). They accept it when its claims are
right and answer 401 to anything else (issue 20, item 1)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import main
from shared import runtime
from shared.adapters.local_identity import LocalIdentity, strip_signature
from shared.adapters.oidc import OidcVerifier
from shared.bootstrap import Container
from tests import support
from tests.support import client, fake_container, serving

INVOKER = "medbot-tasks-invoker@medbot-prod.iam.gserviceaccount.com"
BASE = "https://asia-east1-medbot-prod.cloudfunctions.net"
PRIVATE = sorted(name for name in main.__all__ if not runtime.function(name).public)
# One of each kind: a dialog turn, a model job, the Scheduler's tick.
SAMPLE = ["dialog_worker", "tts_worker", "reminder_tick"]

GOOGLE = LocalIdentity.generate()  # stands in for Google's signing key
OTHER_KEY = LocalIdentity.generate()


@dataclass
class _Response:
    status: int
    data: bytes
    headers: dict[str, str]


def google_certs(url: str, method: str = "GET", **kwargs: object) -> _Response:
    """A google-auth transport serving GOOGLE's key as Google's certificates."""
    return _Response(200, json.dumps({GOOGLE.key_id: GOOGLE.public_pem}).encode(), {})


@pytest.fixture
def oidc() -> Iterator[Container]:
    c = fake_container(support.test_settings(worker_auth="oidc", tasks_invoker_sa=INVOKER,
                                     worker_base_url=BASE, dev_auth_token=""))
    # The verifier bootstrap builds for WORKER_AUTH=oidc, with a transport that serves
    # the stand-in certificates (the still-signed path fetches Google's).
    assert isinstance(c.verifier, OidcVerifier)
    c.__dict__["verifier"] = OidcVerifier(INVOKER, request=google_certs)
    with serving(c):
        yield c


def forwarded(function: str, **claims: Any) -> dict[str, str]:
    """The Authorization header Cloud Run hands the code for a Cloud Tasks call."""
    signed = GOOGLE.mint(INVOKER, f"{BASE}/{function}", **claims)
    return {"Authorization": f"Bearer {strip_signature(signed)}"}


def post(function: str, headers: dict[str, str]) -> Any:
    body: dict[str, Any] = {}
    if function == "dialog_worker":
        body = {"id": "auth-check", "channel": "none", "event": {}}  # answered, no-op
    return client(function).post("/", json=body, headers=headers)


@pytest.mark.parametrize("function", PRIVATE)
def test_every_private_function_accepts_the_forwarded_token_of_its_invoker(oidc, function):
    response = post(function, forwarded(function))
    # Past authentication: the tick runs; a worker reads its (here empty) task.
    assert response.status_code != 401
    if function in ("reminder_tick", "dialog_worker"):
        assert response.status_code == 200, response.get_data(as_text=True)
    else:
        assert response.status_code == 400  # "bad task": the body, not the caller


@pytest.mark.parametrize("function", PRIVATE)
def test_every_private_function_refuses_a_request_without_a_token(oidc, function):
    assert post(function, {}).status_code == 401


def _other_audience(function: str) -> dict[str, str]:
    other = "remind_worker" if function != "remind_worker" else "dialog_worker"
    return {"Authorization": forwarded(other)["Authorization"]}


def _resigned(function: str, signature: str) -> dict[str, str]:
    header, payload, _ = GOOGLE.mint(INVOKER, f"{BASE}/{function}").split(".")
    return {"Authorization": f"Bearer {header}.{payload}.{signature}"}


REFUSED = {
    "another caller's e-mail": lambda f: forwarded(
        f, email="someone@medbot-prod.iam.gserviceaccount.com"),
    "another function's audience": _other_audience,
    "another project's function": lambda f: {"Authorization": "Bearer " + strip_signature(
        GOOGLE.mint(INVOKER, f"https://asia-east1-other-project.cloudfunctions.net/{f}"))},
    "expired": lambda f: forwarded(f, now=time.time() - 7200),
    "unverified e-mail": lambda f: forwarded(f, email_verified=False),
    "wrong issuer": lambda f: forwarded(f, iss="https://issuer.example.com"),
    "malformed": lambda f: {"Authorization": "Bearer not-a-token"},
    "not a bearer token": lambda f: {"Authorization": "Basic bWVkYm90Om1lZGJvdA=="},
    "forged signature part": lambda f: _resigned(f, "Zm9yZ2Vk"),
    "signature removed, lower case": lambda f: _resigned(f, "signature_removed_by_google"),
    "signed by another key": lambda f: {"Authorization": "Bearer " + OTHER_KEY.mint(
        INVOKER, f"{BASE}/{f}")},
    "the local dev token": lambda f: {"Authorization": "Bearer dev-token-for-tests"},
}


@pytest.mark.parametrize("function", SAMPLE)
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_anything_else_gets_401(oidc, function, case):
    assert post(function, REFUSED[case](function)).status_code == 401


@pytest.mark.parametrize("function", SAMPLE)
def test_a_token_still_signed_by_google_is_verified_in_full_and_accepted(oidc, function):
    signed = GOOGLE.mint(INVOKER, f"{BASE}/{function}")
    assert post(function, {"Authorization": f"Bearer {signed}"}).status_code != 401
