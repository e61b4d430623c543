"""BlobStore on the local disk, for the dev stack. Links are HMAC-signed and served by
the dev server's /blobs/<key> route, which checks them with verify_blob_link().

Layout: object `a/b` is stored as `<root>/a/b@data`, its content type as
`<root>/a/b@type`. '@' cannot occur in a key, so an object `a` (file `a@data`) and an
object `a/b` (directory `a`) never collide, as they may coexist in GCS and S3.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from shared.domain.storage_keys import (
    link_is_valid,
    link_signature,
    validate_key,
    validate_prefix,
    validate_ttl,
)

_DATA = "@data"
_TYPE = "@type"


def verify_blob_link(
    key: str, expires: int | str, sig: str, secret: bytes, now_unix: float
) -> bool:
    """True if (key, expires, sig) from a link made by LocalBlobStore is authentic and
    not expired. Constant-time; any malformed input is simply False."""
    try:
        validate_key(key)
        expires_unix = int(expires)
    except (TypeError, ValueError):
        return False
    return link_is_valid(key, expires_unix, sig, secret, now_unix)


class LocalBlobStore:
    def __init__(
        self,
        root_dir: str | os.PathLike[str],
        public_base_url: str,
        secret: bytes,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not secret:
            raise ValueError("a link-signing secret is required")
        self._root = Path(root_dir).resolve()
        self._base = public_base_url.rstrip("/")
        self._secret = secret
        self._clock = clock

    def _path(self, key: str, suffix: str) -> Path:
        path = (self._root / (validate_key(key) + suffix)).resolve()
        # Defence in depth: validate_key already rules out traversal.
        if not path.is_relative_to(self._root):
            raise ValueError("object key escapes the store")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        data_path = self._path(key, _DATA)
        data_path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(self._path(key, _TYPE), content_type.encode())
        _write_atomic(data_path, data)

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key, _DATA).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def open(self, key: str) -> tuple[bytes, str] | None:
        """(bytes, content type) for the dev server's download route."""
        data = self.get(key)
        if data is None:
            return None
        try:
            content_type = self._path(key, _TYPE).read_text()
        except FileNotFoundError:
            content_type = "application/octet-stream"
        return data, content_type

    def delete_prefix(self, prefix: str) -> int:
        validate_prefix(prefix)
        count = 0
        for data_path in self._root.rglob("*" + _DATA):
            key = data_path.relative_to(self._root).as_posix()[: -len(_DATA)]
            if key.startswith(prefix):
                data_path.unlink(missing_ok=True)
                self._path(key, _TYPE).unlink(missing_ok=True)
                count += 1
        return count

    def link_is_authentic(self, key: str, expires: int | str, sig: str) -> bool:
        """A link this store signed, not expired (the dev server's /blobs/ route)."""
        return verify_blob_link(key, expires, sig, self._secret, self._clock())

    def signed_url(self, key: str, expires_s: int) -> str:
        validate_key(key)
        expires = int(self._clock()) + validate_ttl(expires_s)
        sig = link_signature(key, expires, self._secret)
        return f"{self._base}/blobs/{key}?expires={expires}&sig={sig}"


def _write_atomic(path: Path, data: bytes) -> None:
    # Write then rename, so a reader never sees half an object.
    tmp = path.with_name(f"{path.name}@tmp-{secrets.token_hex(8)}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
