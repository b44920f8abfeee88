"""Evidence content in an S3-compatible bucket (``WARROOM_EVIDENCE_STORE=s3``).

The scale-out option: several hosts share one store, and it is not bounded
by one disk. The content is still hashed into a local temporary file first
(:class:`~warroom.evidence.store.Sink`), so the address is known and any
declared hash checked before a byte leaves the host; then the file is put
under ``<prefix>sha256/<2 hex>/<sha256>`` — in one request with its SHA-256
for the service to check, or as a multipart upload one part in memory at a
time for a large file, each part with its own SHA-256.

An object is never overwritten: the key is looked up first, and the put
itself carries ``If-None-Match: *`` so a concurrent writer of the same key
loses cleanly (the same bytes are there either way). For WORM, the bucket
should be created with Object Lock enabled and a default retention (see
docs/evidence.md); ``WARROOM_EVIDENCE_S3_OBJECT_LOCK_MODE`` also sets a
retention on each object put.

Credentials come from boto3's standard chain (environment, shared files,
instance or task role); they are never read, logged or shown here. Messages
name the store as ``s3://bucket/prefix`` and the error code only.
"""

from __future__ import annotations

import base64
import contextlib
import math
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import structlog
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from warroom.errors import Unavailable
from warroom.evidence.store import CHUNK, Missing

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from warroom.evidence.settings import EvidenceSettings

NOT_THERE = frozenset(("404", "NoSuchKey", "NotFound"))
ALREADY_THERE = frozenset(("PreconditionFailed", "412", "ConditionalRequestConflict"))
MAX_PARTS = 10_000
log = structlog.get_logger("warroom.evidence")


class S3Store:
    """One bucket (and prefix) as a :class:`~warroom.evidence.store.ContentStore`."""

    single_put_limit = 64 * 2**20
    """Files up to this size go in one request; larger ones in parts."""
    part_size = 16 * 2**20
    """Bytes per part (held in memory one at a time); raised for files that
    would need more than S3's 10,000 parts."""
    attempts = 5
    """Tries per request (botocore's standard retry mode, with backoff)."""

    def __init__(self, config: EvidenceSettings, *, client: Any = None) -> None:
        assert config.evidence_s3_bucket
        self.bucket = config.evidence_s3_bucket
        self.prefix = config.evidence_s3_prefix
        self.scratch = config.store_dir() / "tmp"
        self.where = f"s3://{self.bucket}/{self.prefix}"
        self.lock_mode = config.evidence_s3_object_lock_mode
        self.lock_days = config.evidence_s3_object_lock_days
        self.client = client or boto3.session.Session().client(
            "s3", endpoint_url=config.evidence_s3_endpoint_url,
            region_name=config.evidence_s3_region,
            config=Config(connect_timeout=10, read_timeout=60,
                          retries={"max_attempts": self.attempts, "mode": "standard"},
                          # path-style works on every S3-compatible service
                          s3={"addressing_style": "path"
                              if config.evidence_s3_endpoint_url else "auto"}))

    def key(self, sha256: str) -> str:
        return f"{self.prefix}sha256/{sha256[:2]}/{sha256}"

    def exists(self, sha256: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as error:
            if _code(error) in NOT_THERE:
                return False
            raise self._failed("look up", error) from None
        except BotoCoreError as error:
            raise self._failed("look up", error) from None
        return True

    def place(self, temp: Path, sha256: str) -> None:
        if self.exists(sha256):
            return  # the same bytes are already stored: never overwrite
        size = temp.stat().st_size
        try:
            if size <= self.single_put_limit:
                with temp.open("rb") as handle:
                    self.client.put_object(
                        Bucket=self.bucket, Key=self.key(sha256), Body=handle,
                        ContentLength=size, IfNoneMatch="*", ChecksumAlgorithm="SHA256",
                        ChecksumSHA256=base64.b64encode(bytes.fromhex(sha256)).decode(),
                        ContentType="application/octet-stream", **self._lock())
            else:
                self._multipart(temp, sha256, size)
        except ClientError as error:
            if _code(error) in ALREADY_THERE:
                return  # another writer stored the same bytes first
            raise self._failed("store", error) from None
        except BotoCoreError as error:
            raise self._failed("store", error) from None

    def _multipart(self, temp: Path, sha256: str, size: int) -> None:
        part = max(self.part_size, math.ceil(size / MAX_PARTS))
        key = self.key(sha256)
        upload = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=key, ContentType="application/octet-stream",
            ChecksumAlgorithm="SHA256", **self._lock())["UploadId"]
        try:
            parts = []
            with temp.open("rb") as handle:
                number = 1
                while chunk := handle.read(part):
                    done = self.client.upload_part(Bucket=self.bucket, Key=key,
                                                   UploadId=upload, PartNumber=number,
                                                   Body=chunk, ChecksumAlgorithm="SHA256")
                    parts.append({"PartNumber": number, "ETag": done["ETag"],
                                  "ChecksumSHA256": done["ChecksumSHA256"]})
                    number += 1
            self.client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload, IfNoneMatch="*",
                MultipartUpload={"Parts": parts})
        except BaseException:
            # if this fails too, the bucket's rule for incomplete uploads cleans up
            with contextlib.suppress(ClientError, BotoCoreError):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key,
                                                   UploadId=upload)
            raise

    def read(self, sha256: str) -> Iterator[bytes]:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"]
        except ClientError as error:
            if _code(error) in NOT_THERE:
                raise Missing(sha256) from None
            raise self._failed("read", error) from None
        except BotoCoreError as error:
            raise self._failed("read", error) from None
        try:
            yield from body.iter_chunks(CHUNK)
        except BotoCoreError as error:
            raise self._failed("read", error) from None
        finally:
            body.close()

    def remove(self, sha256: str) -> None:
        """Delete the object (after the destruction is committed, so a
        failure is logged, not raised). Under Object Lock this only hides it
        behind a delete marker: the locked version stays until its retention
        ends."""
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))
        except (ClientError, BotoCoreError) as error:
            code = _code(error) if isinstance(error, ClientError) else type(error).__name__
            log.warning("evidence_remove_failed", store=self.where, sha256=sha256, code=code)

    def _lock(self) -> dict[str, Any]:
        if self.lock_mode is None:
            return {}
        return {"ObjectLockMode": self.lock_mode,
                "ObjectLockRetainUntilDate": datetime.now(UTC) + timedelta(
                    days=self.lock_days)}

    def _failed(self, doing: str, error: Exception) -> Unavailable:
        code = _code(error) if isinstance(error, ClientError) else type(error).__name__
        return Unavailable(f"The evidence store ({self.where}) could not {doing} the "
                           f"content ({code}); nothing was changed. Check the bucket, its "
                           "endpoint and warroom's access to it.")


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "unknown"))


_stores: dict[tuple[Any, ...], S3Store] = {}


def for_settings(config: EvidenceSettings) -> S3Store:
    """One client per configuration (clients are thread-safe and pool their
    connections; making one costs tens of milliseconds)."""
    key = (config.evidence_s3_bucket, config.evidence_s3_endpoint_url,
           config.evidence_s3_region, config.evidence_s3_prefix,
           config.evidence_s3_object_lock_mode, config.evidence_s3_object_lock_days,
           config.store_dir())
    if key not in _stores:
        _stores[key] = S3Store(config)
    return _stores[key]
