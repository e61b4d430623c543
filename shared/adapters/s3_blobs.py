"""BlobStore on S3 or an S3-compatible service (Cloudflare R2, moto), with boto3.
Imported lazily by bootstrap. Objects are private (no ACL is ever granted); readers get
SigV4 presigned GET URLs."""

from __future__ import annotations

from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from shared.domain.storage_keys import validate_key, validate_prefix, validate_ttl

_CACHE_CONTROL = "private, no-store"
_DELETE_BATCH = 1000  # DeleteObjects accepts at most 1000 keys per call


class S3BlobStore:
    def __init__(
        self,
        bucket: str,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        *,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        """endpoint_url: R2 ('https://<account>.r2.cloudflarestorage.com', region 'auto')
        or a local moto server. Credentials default to boto3's usual chain."""
        config = Config(
            signature_version="s3v4",
            connect_timeout=timeout_s,
            read_timeout=timeout_s,
            retries={"max_attempts": 4, "mode": "standard"},
            # Custom endpoints (R2, moto on 127.0.0.1) need path-style addressing.
            s3={"addressing_style": "path" if endpoint_url else "auto"},
        )
        self._s3: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=config,
        )
        self._bucket = bucket

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._s3.put_object(
            Bucket=self._bucket,
            Key=validate_key(key),
            Body=data,
            ContentType=content_type,
            CacheControl=_CACHE_CONTROL,
        )

    def get(self, key: str) -> bytes | None:
        try:
            response = self._s3.get_object(Bucket=self._bucket, Key=validate_key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        data: bytes = response["Body"].read()
        return data

    def delete_prefix(self, prefix: str) -> int:
        validate_prefix(prefix)
        keys: list[str] = []
        pages = self._s3.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=prefix
        )
        for page in pages:
            keys.extend(item["Key"] for item in page.get("Contents", []))
        count = 0
        for start in range(0, len(keys), _DELETE_BATCH):
            batch = keys[start : start + _DELETE_BATCH]
            response = self._s3.delete_objects(
                Bucket=self._bucket,
                Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
            )
            if response.get("Errors"):
                # Error entries carry keys (user ids): report only how many failed.
                raise RuntimeError(f"{len(response['Errors'])} objects were not deleted")
            count += len(batch)
        return count

    def signed_url(self, key: str, expires_s: int) -> str:
        url: str = self._s3.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": validate_key(key)},
            ExpiresIn=validate_ttl(expires_s),
        )
        return url
