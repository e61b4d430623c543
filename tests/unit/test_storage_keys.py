"""Object keys and signed blob links (shared/domain/storage_keys.py, local_blobs)."""

from __future__ import annotations

import pytest

from shared.adapters.local_blobs import verify_blob_link
from shared.domain.storage_keys import (
    MAX_KEY_LENGTH,
    MAX_LINK_TTL_S,
    link_is_valid,
    link_signature,
    validate_key,
    validate_prefix,
    validate_ttl,
)

SECRET = b"unit-secret"


@pytest.mark.parametrize(
    "key",
    [
        "a",
        "audio/U1234/2025-03-01T09.30/reply.m4a",
        "mail/u_1/leaflet-v2.pdf",
        ".hidden",
        "a/.b/c",
        "x" * MAX_KEY_LENGTH,
    ],
)
def test_safe_keys_pass_unchanged(key: str) -> None:
    assert validate_key(key) == key


@pytest.mark.parametrize(
    "key",
    [
        "",
        "..",
        "../etc/passwd",
        "a/../b",
        "a/..",
        "a..b",  # any '..' is refused, even inside a segment: simplest safe rule
        "/etc/passwd",
        "a//b",
        "a/",
        "./a",
        "a/./b",
        ".",
        "a b",
        "a\tb",
        "a\nb",
        "a\rb",
        "a\x00b",
        "a\\b",
        "..\\..\\windows",
        "a?b",
        "a#b",
        "a&b",
        "a%2F..%2Fb",
        "a:b",
        "~/a",
        "a*",
        "ключ/файл",
        "藥物.m4a",
        "a\u2215b",  # division slash, looks like '/'
        "ａ",  # fullwidth letter
        "x" * (MAX_KEY_LENGTH + 1),
    ],
)
def test_hostile_keys_are_refused(key: str) -> None:
    with pytest.raises(ValueError):
        validate_key(key)


def test_refusals_do_not_echo_the_key() -> None:
    with pytest.raises(ValueError) as err:
        validate_key("users/U123 secret")
    assert "U123" not in str(err.value)


def test_non_strings_are_refused() -> None:
    with pytest.raises(ValueError):
        validate_key(b"a")  # type: ignore[arg-type]


@pytest.mark.parametrize("prefix", ["users/u1/", "users/u1", "a", "a/b/"])
def test_prefixes_may_end_with_a_slash(prefix: str) -> None:
    assert validate_prefix(prefix) == prefix


@pytest.mark.parametrize("prefix", ["", "/", "a//", "//", "../", "a/../", "./", "a/./"])
def test_hostile_or_empty_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(ValueError):
        validate_prefix(prefix)


@pytest.mark.parametrize("ttl", [1, 3600, MAX_LINK_TTL_S])
def test_link_lifetimes_within_seven_days(ttl: int) -> None:
    assert validate_ttl(ttl) == ttl


@pytest.mark.parametrize("ttl", [0, -5, MAX_LINK_TTL_S + 1])
def test_link_lifetimes_outside_are_refused(ttl: int) -> None:
    with pytest.raises(ValueError):
        validate_ttl(ttl)


# ------------------------------------------------------------------ signed links
def test_signature_is_hex_sha256_and_depends_on_every_input() -> None:
    sig = link_signature("a/b", 1000, SECRET)
    assert len(sig) == 64 and int(sig, 16) >= 0
    assert link_signature("a/c", 1000, SECRET) != sig
    assert link_signature("a/b", 1001, SECRET) != sig
    assert link_signature("a/b", 1000, b"other") != sig


def test_valid_until_expiry_inclusive() -> None:
    sig = link_signature("a/b", 1000, SECRET)
    assert link_is_valid("a/b", 1000, sig, SECRET, now_unix=999.5)
    assert link_is_valid("a/b", 1000, sig, SECRET, now_unix=1000)
    assert not link_is_valid("a/b", 1000, sig, SECRET, now_unix=1000.01)


@pytest.mark.parametrize(
    ("key", "expires", "sig_for", "secret"),
    [
        ("a/c", "1000", ("a/b", 1000), SECRET),  # other key
        ("a/b", "2000", ("a/b", 1000), SECRET),  # extended expiry
        ("a/b", "1000", ("a/b", 1000), b"wrong"),  # other secret
        ("../b", "1000", ("../b", 1000), SECRET),  # hostile key, even if signed
        ("a/b", "soon", ("a/b", 1000), SECRET),  # malformed expiry
        ("a/b", "", ("a/b", 1000), SECRET),
    ],
)
def test_verify_blob_link_refuses(
    key: str, expires: str, sig_for: tuple[str, int], secret: bytes
) -> None:
    sig = link_signature(sig_for[0], sig_for[1], SECRET)
    assert verify_blob_link(key, expires, sig, secret, now_unix=500) is False


def test_verify_blob_link_accepts_and_refuses_bad_signatures() -> None:
    sig = link_signature("a/b", 1000, SECRET)
    assert verify_blob_link("a/b", "1000", sig, SECRET, now_unix=500) is True
    assert verify_blob_link("a/b", 1000, sig, SECRET, now_unix=500) is True
    for bad in ["", sig[:-1], sig.upper(), sig[:-1] + "0" if sig[-1] != "0" else sig[:-1] + "1"]:
        assert verify_blob_link("a/b", "1000", bad, SECRET, now_unix=500) is False
    assert verify_blob_link("a/b", "1000", "ü" * 64, SECRET, now_unix=500) is False
    assert verify_blob_link("a/b", "1000", sig, SECRET, now_unix=1001) is False
