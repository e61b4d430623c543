"""In-memory BlobStore. Signed links look like
https://blobs.memory.invalid/<key>?expires=<unix>&sig=<hex> (HTTPS, as the links GCS
signs, which LINE requires for audio; the reserved .invalid name never resolves);
open_signed_url() plays the role of the storage service answering that link. Proven
against GCS/S3 by tests/contract."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from shared.domain.storage_keys import (
    link_is_valid,
    link_signature,
    validate_key,
    validate_prefix,
    validate_ttl,
)

_SCHEME_PREFIX = "https://blobs.memory.invalid/"


class MemoryBlobStore:
    def __init__(self, secret: bytes | None = None, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret if secret is not None else secrets.token_bytes(32)
        self._clock = clock
        self._objects: dict[str, tuple[bytes, str]] = {}
        self._lock = threading.Lock()

    def put(self, key: str, data: bytes, content_type: str) -> None:
        validate_key(key)
        with self._lock:
            self._objects[key] = (bytes(data), content_type)

    def get(self, key: str) -> bytes | None:
        validate_key(key)
        with self._lock:
            found = self._objects.get(key)
        return found[0] if found else None

    def content_type(self, key: str) -> str | None:
        validate_key(key)
        with self._lock:
            found = self._objects.get(key)
        return found[1] if found else None

    def delete_prefix(self, prefix: str) -> int:
        validate_prefix(prefix)
        with self._lock:
            doomed = [k for k in self._objects if k.startswith(prefix)]
            for k in doomed:
                del self._objects[k]
        return len(doomed)

    def signed_url(self, key: str, expires_s: int) -> str:
        validate_key(key)
        expires = int(self._clock()) + validate_ttl(expires_s)
        sig = link_signature(key, expires, self._secret)
        return f"{_SCHEME_PREFIX}{key}?expires={expires}&sig={sig}"

    def open_signed_url(self, url: str) -> bytes | None:
        """The object's bytes if url is a valid, unexpired link to an existing object."""
        if not url.startswith(_SCHEME_PREFIX):
            return None
        parts = urlsplit(url)
        key = parts.path.lstrip("/")
        query = parse_qs(parts.query)
        try:
            validate_key(key)
            expires = int(query["expires"][0])
            sig = query["sig"][0]
        except (KeyError, ValueError, IndexError):
            return None
        if not link_is_valid(key, expires, sig, self._secret, self._clock()):
            return None
        return self.get(key)
