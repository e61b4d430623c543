"""BlobStore contract: the in-memory fake, the local-disk store, GcsBlobStore on
fake-gcs-server and S3BlobStore on moto must behave the same.

What the emulators cannot show: neither fake-gcs-server nor moto checks URL
signatures or expiry (a tampered or expired link still downloads), and
fake-gcs-server also serves unsigned GETs. Signature and expiry checks are therefore
asserted for the memory and local stores, whose links this project verifies itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from shared.adapters.local_blobs import LocalBlobStore, verify_blob_link
from shared.domain.storage_keys import MAX_LINK_TTL_S
from shared.fakes.memory_blobs import MemoryBlobStore
from shared.ports import BlobStore
from tests.servers.s3 import S3_KEY_ID, S3_REGION, S3_SECRET

SECRET = b"contract-test-secret"


@dataclass
class Backend:
    name: str
    store: BlobStore
    fetch: Callable[[str], bytes | None]  # what a browser gets for a signed link
    clock: list[float]  # memory/local only: a settable "now"


def _http_fetch(url: str) -> bytes | None:
    response = requests.get(url, timeout=10)
    return response.content if response.status_code == 200 else None


def _make(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    clock = [time.time()]
    if kind == "memory":
        mem = MemoryBlobStore(SECRET, clock=lambda: clock[0])
        return Backend("memory", mem, mem.open_signed_url, clock)
    if kind == "local":
        local = LocalBlobStore(tmp_path / "blobs", "http://dev.test/", SECRET, lambda: clock[0])

        def serve(url: str) -> bytes | None:
            # What the dev server's /blobs/<key> route does.
            parts = urlsplit(url)
            query = parse_qs(parts.query)
            key = parts.path.removeprefix("/blobs/")
            expires, sig = query.get("expires", [""])[0], query.get("sig", [""])[0]
            if not verify_blob_link(key, expires, sig, SECRET, clock[0]):
                return None
            return local.get(key)

        return Backend("local", local, serve, clock)
    if kind == "gcs":
        from shared.adapters.gcs_blobs import GcsBlobStore

        gcs = GcsBlobStore(
            request.getfixturevalue("gcs_bucket"),
            api_endpoint=request.getfixturevalue("gcs_server"),
            signing_credentials=request.getfixturevalue("gcs_signing_credentials"),
        )
        return Backend("gcs", gcs, _http_fetch, clock)
    from shared.adapters.s3_blobs import S3BlobStore

    s3 = S3BlobStore(
        request.getfixturevalue("s3_bucket"),
        endpoint_url=request.getfixturevalue("s3_server"),
        region=S3_REGION,
        access_key_id=S3_KEY_ID,
        secret_access_key=S3_SECRET,
    )
    return Backend("s3", s3, _http_fetch, clock)


@pytest.fixture(params=["memory", "local", "gcs", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    return _make(request.param, request, tmp_path)


@pytest.fixture(params=["memory", "local"])
def verifying_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """Backends whose links are checked by this project's code (see module docstring)."""
    return _make(request.param, request, tmp_path)


# ------------------------------------------------------------------ put / get / delete
def test_put_get_round_trip_and_overwrite(backend: Backend) -> None:
    data = bytes(range(256)) * 10
    backend.store.put("audio/u1/reply.m4a", data, "audio/mp4")
    assert backend.store.get("audio/u1/reply.m4a") == data
    backend.store.put("audio/u1/reply.m4a", b"v2", "audio/mp4")
    assert backend.store.get("audio/u1/reply.m4a") == b"v2"


def test_get_missing_is_none(backend: Backend) -> None:
    assert backend.store.get("audio/nobody/x.m4a") is None


def test_empty_object(backend: Backend) -> None:
    backend.store.put("e/empty.bin", b"", "application/octet-stream")
    assert backend.store.get("e/empty.bin") == b""


def test_an_object_and_objects_below_its_name_coexist(backend: Backend) -> None:
    backend.store.put("a", b"A", "text/plain")
    backend.store.put("a/b", b"AB", "text/plain")
    assert (backend.store.get("a"), backend.store.get("a/b")) == (b"A", b"AB")


def test_delete_prefix_counts_and_deletes_only_that_prefix(backend: Backend) -> None:
    for key in ["users/u1/a.m4a", "users/u1/mail/b.eml", "users/u10/c.m4a", "users/u2/d"]:
        backend.store.put(key, key.encode(), "application/octet-stream")
    assert backend.store.delete_prefix("users/u1/") == 2
    assert backend.store.get("users/u1/a.m4a") is None
    assert backend.store.get("users/u1/mail/b.eml") is None
    assert backend.store.get("users/u10/c.m4a") == b"users/u10/c.m4a"
    assert backend.store.get("users/u2/d") == b"users/u2/d"
    assert backend.store.delete_prefix("users/u1/") == 0


def test_delete_prefix_is_a_plain_string_prefix(backend: Backend) -> None:
    # As in GCS and S3: 'users/u1' also matches 'users/u10/...'. Callers end
    # prefixes with '/' to mean one folder.
    backend.store.put("users/u1/a", b"1", "text/plain")
    backend.store.put("users/u10/b", b"2", "text/plain")
    backend.store.put("users/u2/c", b"3", "text/plain")
    assert backend.store.delete_prefix("users/u1") == 2
    assert backend.store.get("users/u2/c") == b"3"


# ------------------------------------------------------------------ signed links
def _expiry_params(url: str) -> dict[str, str]:
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    return {k: v for k, v in query.items() if k in ("expires", "X-Goog-Expires", "X-Amz-Expires")}


def test_signed_url_carries_its_expiry(backend: Backend) -> None:
    backend.store.put("audio/u1/r.m4a", b"x", "audio/mp4")
    url = backend.store.signed_url("audio/u1/r.m4a", 600)
    params = _expiry_params(url)
    assert len(params) == 1, url
    ((name, value),) = params.items()
    if name == "expires":  # our links: absolute unix time
        assert int(value) == pytest.approx(time.time() + 600, abs=5)
    else:  # GCS V4 / S3 SigV4: seconds after X-*-Date
        assert int(value) == 600


def test_signed_url_differs_per_key_and_expiry(backend: Backend) -> None:
    backend.store.put("k/one", b"1", "text/plain")
    backend.store.put("k/two", b"2", "text/plain")
    one, two = backend.store.signed_url("k/one", 600), backend.store.signed_url("k/two", 600)
    assert one != two
    assert "k/one" in urlsplit(one).path and "k/two" in urlsplit(two).path
    assert backend.store.signed_url("k/one", 601) != one


def test_signed_url_downloads_the_bytes(backend: Backend) -> None:
    backend.store.put("audio/u1/r.m4a", b"\x00audio\xff", "audio/mp4")
    assert backend.fetch(backend.store.signed_url("audio/u1/r.m4a", 600)) == b"\x00audio\xff"


@pytest.mark.parametrize("expires_s", [0, -1, MAX_LINK_TTL_S + 1])
def test_signed_url_lifetime_is_bounded(backend: Backend, expires_s: int) -> None:
    with pytest.raises(ValueError):
        backend.store.signed_url("k/one", expires_s)


def test_tampered_or_expired_links_are_refused(verifying_backend: Backend) -> None:
    backend = verifying_backend
    backend.store.put("k/one", b"1", "text/plain")
    backend.store.put("k/two", b"2", "text/plain")
    url = backend.store.signed_url("k/one", 60)
    assert backend.fetch(url.replace("k/one", "k/two")) is None
    assert backend.fetch(url.replace("sig=", "sig=0")) is None
    assert backend.fetch(url.split("&sig=")[0]) is None
    backend.clock[0] += 61
    assert backend.fetch(url) is None


# ------------------------------------------------------------------ hostile keys
HOSTILE_KEYS = [
    "",
    "../etc/passwd",
    "a/../../b",
    "..",
    "a/..",
    "/abs/key",
    "a//b",
    "a/./b",
    "./a",
    "a/",
    "a b",
    "a\nb",
    "a\x00b",
    "a\\b",
    "a?b",
    "a#b",
    "a%2e%2e/b",
    "ключ",
    "x" * 1025,
]


@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_hostile_keys_are_refused_everywhere(backend: Backend, key: str) -> None:
    calls: list[Callable[[], Any]] = [
        lambda: backend.store.put(key, b"x", "text/plain"),
        lambda: backend.store.get(key),
        lambda: backend.store.signed_url(key, 60),
    ]
    for call in calls:
        with pytest.raises(ValueError):
            call()


@pytest.mark.parametrize("prefix", ["", "/", "../", "a//", "a/../b/", "*"])
def test_hostile_prefixes_are_refused(backend: Backend, prefix: str) -> None:
    with pytest.raises(ValueError):
        backend.store.delete_prefix(prefix)


# ------------------------------------------------------------------ backend specifics
def test_local_store_keeps_files_under_its_root(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "root", "http://dev.test", SECRET)
    store.put("a/b.m4a", b"x", "audio/mp4")
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert files == ["root/a/b.m4a@data", "root/a/b.m4a@type"]
    assert store.open("a/b.m4a") == (b"x", "audio/mp4")
    assert store.open("a/missing") is None


def test_s3_objects_are_private(s3_server: str, s3_bucket: str) -> None:
    from shared.adapters.s3_blobs import S3BlobStore

    store = S3BlobStore(
        s3_bucket, s3_server, S3_REGION, access_key_id=S3_KEY_ID, secret_access_key=S3_SECRET
    )
    store.put("p/secret.txt", b"medical", "text/plain")
    assert requests.get(f"{s3_server}/{s3_bucket}/p/secret.txt", timeout=10).status_code == 403


def test_gcs_signed_url_is_v4(
    gcs_server: str, gcs_bucket: str, gcs_signing_credentials: Any
) -> None:
    from shared.adapters.gcs_blobs import GcsBlobStore

    store = GcsBlobStore(
        gcs_bucket, api_endpoint=gcs_server, signing_credentials=gcs_signing_credentials
    )
    query = parse_qs(urlsplit(store.signed_url("a/b", 300)).query)
    assert query["X-Goog-Algorithm"] == ["GOOG4-RSA-SHA256"]
    assert query["X-Goog-Credential"][0].startswith(gcs_signing_credentials.service_account_email)
    assert len(query["X-Goog-Signature"][0]) == 512  # hex RSA-2048 signature


def test_gcs_on_an_emulator_needs_signing_credentials(gcs_server: str, gcs_bucket: str) -> None:
    from shared.adapters.gcs_blobs import GcsBlobStore

    with pytest.raises(ValueError):
        GcsBlobStore(gcs_bucket, api_endpoint=gcs_server).signed_url("a/b", 300)
