"""BlobStore on Google Cloud Storage (google-cloud-storage). Imported lazily by bootstrap.

Objects stay private: the bucket has uniform bucket-level access and public access
prevention (Terraform), so no per-object ACL is set (it would be rejected anyway).
Readers get V4 signed URLs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import google.auth.transport.requests
from google.api_core.exceptions import NotFound
from google.auth.credentials import AnonymousCredentials, Credentials, Signing
from google.cloud.storage import Client as StorageClient

from shared.domain.storage_keys import validate_key, validate_prefix, validate_ttl

# Signed links carry medical audio: shared caches must not keep a copy.
_CACHE_CONTROL = "private, no-store"


class GcsBlobStore:
    def __init__(
        self,
        bucket: str,
        *,
        project: str | None = None,
        credentials: Credentials | None = None,
        signing_credentials: Credentials | None = None,
        api_endpoint: str | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        """api_endpoint: an emulator such as fake-gcs-server ('http://127.0.0.1:4443');
        then requests are anonymous unless credentials are given, and signed URLs point
        at the emulator. signing_credentials: a key-holding service account for signing
        URLs; without one, URLs are signed by the IAM signBlob API as the runtime's
        service account (it needs iam.serviceAccountTokenCreator on itself)."""
        options: dict[str, Any] = {}
        if api_endpoint:
            options["api_endpoint"] = api_endpoint.rstrip("/")
            credentials = credentials or AnonymousCredentials()  # type: ignore[no-untyped-call]
            project = project or "medbot-local"
        self._client = StorageClient(
            project=project, credentials=credentials, client_options=options or None
        )
        self._bucket = self._client.bucket(bucket)
        self._signing_credentials = signing_credentials
        self._timeout = timeout_s

    def put(self, key: str, data: bytes, content_type: str) -> None:
        blob = self._bucket.blob(validate_key(key))
        blob.cache_control = _CACHE_CONTROL
        blob.upload_from_string(data, content_type=content_type, timeout=self._timeout)

    def get(self, key: str) -> bytes | None:
        blob = self._bucket.blob(validate_key(key))
        try:
            data: bytes = blob.download_as_bytes(timeout=self._timeout)
        except NotFound:
            return None
        return data

    def delete_prefix(self, prefix: str) -> int:
        count = 0
        for blob in self._client.list_blobs(
            self._bucket, prefix=validate_prefix(prefix), timeout=self._timeout
        ):
            try:
                blob.delete(timeout=self._timeout)
            except NotFound:  # deleted concurrently: not ours to count
                continue
            count += 1
        return count

    def signed_url(self, key: str, expires_s: int) -> str:
        blob = self._bucket.blob(validate_key(key))
        options: dict[str, Any] = {}
        if self._signing_credentials is not None:
            options["credentials"] = self._signing_credentials
        elif not isinstance(self._client._credentials, Signing):
            creds = self._client._credentials
            if isinstance(creds, AnonymousCredentials):
                raise ValueError("signed URLs need signing_credentials on an emulator")
            # Runtime credentials (Cloud Functions) hold no private key: sign remotely.
            creds.refresh(google.auth.transport.requests.Request())
            options["service_account_email"] = creds.service_account_email
            options["access_token"] = creds.token
        url: str = blob.generate_signed_url(
            version="v4",
            expiration=timedelta(seconds=validate_ttl(expires_s)),
            method="GET",
            **options,
        )
        return url
