"""The local functions host plays Cloud Run in front of the private functions: it
checks the caller's ID token (signature, audience = the function's URL, expiry) and
roles/run.invoker, then strips the signature, so the workers (WORKER_AUTH=oidc) see
what Cloud Run forwards in production. The local task dispatcher attaches the token
Cloud Tasks would (issue 20, item 1)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from infra.local.functions_host import FunctionsHost
from shared.adapters.local_identity import LocalIdentity, strip_signature
from shared.adapters.oidc import SIGNATURE_REMOVED
from shared.bootstrap import Container, using
from shared.domain.signatures import line_signature
from shared.jobs import Job
from tests import support

INVOKER = "medbot-tasks-invoker@medbot-local.iam.gserviceaccount.com"


class RecordingVerifier:
    """The container's own verifier, recording the header each worker received."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seen: list[str | None] = []

    def verify(self, authorization: str | None, audience: str) -> bool:
        self.seen.append(authorization)
        return bool(self.inner.verify(authorization, audience))


@pytest.fixture
def host() -> Iterator[tuple[FunctionsHost, Container, RecordingVerifier]]:
    functions = FunctionsHost()
    identity = LocalIdentity.generate()
    c = support.fake_container(support.test_settings(
        worker_auth="oidc", tasks_invoker_sa=INVOKER, dev_auth_token="",
        local_identity_key=identity.private_key_pem, worker_base_url=functions.url,
        tasks_backend="http"))
    recorder = RecordingVerifier(c.verifier)
    c.__dict__["verifier"] = recorder
    functions.start()
    with using(c):
        yield functions, c, recorder
    c.tasks.close()  # type: ignore[attr-defined]
    functions.stop()


def call(functions: FunctionsHost, name: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.post(f"{functions.url}/{name}", headers=headers,
                      json={"id": "stand-in", "channel": "none", "event": {}})


def test_a_token_of_the_invoker_is_admitted_and_reaches_the_worker_without_signature(host):
    functions, c, recorder = host
    token = c.local_identity.mint(INVOKER, f"{functions.url}/dialog_worker")

    response = call(functions, "dialog_worker", token)

    assert response.status_code == 200
    assert recorder.seen == [f"Bearer {strip_signature(token)}"]
    assert recorder.seen[0].endswith("." + SIGNATURE_REMOVED)


@pytest.mark.parametrize(("case", "status"), [
    ("no token", 401),
    ("another function's URL", 401),
    ("expired", 401),
    ("signed by another key", 401),
    ("already stripped (sent past Cloud Run)", 401),
    ("another service account", 403),
])
def test_anything_else_is_refused_before_the_code_runs(host, case, status):
    functions, c, recorder = host
    url = f"{functions.url}/dialog_worker"
    tokens = {
        "no token": None,
        "another function's URL": c.local_identity.mint(INVOKER, f"{functions.url}/tts_worker"),
        "expired": c.local_identity.mint(INVOKER, url, now=time.time() - 7200),
        "signed by another key": LocalIdentity.generate().mint(INVOKER, url),
        "already stripped (sent past Cloud Run)": strip_signature(
            c.local_identity.mint(INVOKER, url)),
        "another service account": c.local_identity.mint(
            "someone@medbot-local.iam.gserviceaccount.com", url),
    }

    assert call(functions, "dialog_worker", tokens[case]).status_code == status
    assert recorder.seen == []  # the worker never ran


def test_the_public_webhooks_need_no_google_token(host):
    functions, _, _ = host
    body = support.line_body()  # LINE's "Verify" request: no events
    response = httpx.post(f"{functions.url}/line_webhook", content=body, headers={
        "x-line-signature": line_signature(body, support.LINE_SECRET),
        "content-type": "application/json"})
    assert response.status_code == 200


def test_the_local_task_dispatcher_attaches_the_token_cloud_tasks_would(host):
    _, c, recorder = host

    assert c.tasks.enqueue(Job.DIALOG, {"id": "queued", "channel": "none", "event": {}})

    assert c.tasks.wait_idle(20)  # type: ignore[attr-defined]
    assert c.tasks.dead_letters == []  # type: ignore[attr-defined]
    assert len(recorder.seen) == 1 and recorder.seen[0].endswith("." + SIGNATURE_REMOVED)


def test_make_devs_stack_runs_the_production_auth_path(tmp_path):
    # `make dev`: the cron's tick and a chat message both pass the Cloud Run stand-in
    # with minted tokens, into workers running WORKER_AUTH=oidc.
    from infra.local.dev import LocalStack

    local = LocalStack(port=0, functions_port=0, use_firestore=False,
                       blob_dir=str(tmp_path / "blobs"))
    local.start()
    try:
        assert local.container is not None
        assert local.container.settings.worker_auth == "oidc"
        assert local.container.settings.movable_clock  # the simulator's clock panel
        deadline = time.monotonic() + 20
        while not local.tick_statuses and time.monotonic() < deadline:
            time.sleep(0.1)
        assert local.tick_statuses[:1] == [200]

        local.state.send_text("telegram", "en", "hello")
        while len(local.state.bot_texts("telegram", "en")) < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert local.state.bot_texts("telegram", "en"), "the dialog worker did not answer"
        assert local.container.tasks.dead_letters == []  # type: ignore[attr-defined]
    finally:
        local.stop()
