"""moto's S3-compatible server, in a thread of the test process (fast to start).

Fixtures: `s3_server` (session) yields the endpoint URL; `s3_bucket` creates an empty
bucket per test. Credentials are dummies: moto accepts any.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import boto3  # type: ignore[import-untyped]
import pytest
import requests
from moto.server import ThreadedMotoServer

from tests.servers._util import wait_until

S3_REGION = "us-east-1"
S3_KEY_ID = "test-key-id"
S3_SECRET = "test-secret"  # moto accepts any credentials


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    # Port 0: the OS picks a free port, so start() cannot fail on a taken one (it
    # would wait forever in that case).
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    try:
        wait_until(lambda: requests.get(f"{url}/moto-api/", timeout=1).ok, 10, "moto")
        yield url
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_server: str) -> str:
    name = f"test-{uuid.uuid4().hex[:12]}"
    boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=S3_REGION,
        aws_access_key_id=S3_KEY_ID,
        aws_secret_access_key=S3_SECRET,
    ).create_bucket(Bucket=name)
    return name
