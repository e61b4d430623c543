"""Object keys and signed blob links, shared by every BlobStore (pure, no I/O).

Keys end up as file paths (local dev store) and in URLs, so they are restricted to a
small alphabet: no traversal ('..'), no absolute paths, no empty segments.
"""

from __future__ import annotations

import hashlib
import hmac
import re

# GCS and S3 both cap object names at 1024 bytes; with this alphabet bytes == chars.
MAX_KEY_LENGTH = 1024
# GCS V4 signed URLs and S3 SigV4 presigned URLs both expire after at most 7 days.
MAX_LINK_TTL_S = 7 * 24 * 3600

_ALLOWED = re.compile(r"[A-Za-z0-9._/-]+")


def validate_key(key: str) -> str:
    """Return key unchanged if it is a safe object key, else raise ValueError."""
    _check(key, allow_trailing_slash=False)
    return key


def validate_prefix(prefix: str) -> str:
    """Like validate_key, but a trailing '/' is allowed ('users/u1/'). An empty prefix
    is refused so that a bug cannot wipe a whole bucket."""
    _check(prefix, allow_trailing_slash=True)
    return prefix


def validate_ttl(expires_s: int) -> int:
    if not 1 <= expires_s <= MAX_LINK_TTL_S:
        raise ValueError(f"link lifetime must be 1..{MAX_LINK_TTL_S} s")
    return expires_s


def _check(key: str, *, allow_trailing_slash: bool) -> None:
    # Messages never echo the key: it may carry a user id.
    if not isinstance(key, str) or not key:
        raise ValueError("empty object key")
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError("object key too long")
    if not _ALLOWED.fullmatch(key):
        raise ValueError("object key has characters outside [A-Za-z0-9._/-]")
    if key.startswith("/"):
        raise ValueError("object key must not start with '/'")
    if ".." in key:
        raise ValueError("object key must not contain '..'")
    body = key[:-1] if allow_trailing_slash and key.endswith("/") else key
    if any(segment in ("", ".") for segment in body.split("/")):
        raise ValueError("object key has an empty or '.' segment")


def link_signature(key: str, expires_unix: int, secret: bytes) -> str:
    """Hex HMAC-SHA256 over the key and its expiry; the prefix keeps these MACs from
    being valid for any other use of the same secret."""
    message = f"medbot-blob-link-v1\n{key}\n{expires_unix}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def link_is_valid(key: str, expires_unix: int, sig: str, secret: bytes, now_unix: float) -> bool:
    """True if sig signs (key, expires_unix) and the link has not expired."""
    if now_unix > expires_unix:
        return False
    expected = link_signature(key, expires_unix, secret)
    return hmac.compare_digest(expected.encode(), sig.encode("ascii", "replace"))
