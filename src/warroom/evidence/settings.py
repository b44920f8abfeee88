"""Knobs of the evidence locker (``WARROOM_EVIDENCE_*``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator

from warroom.config import WarroomSettings, get_settings


class EvidenceSettings(WarroomSettings):
    """Where content is kept, how much of it, how often it is re-hashed, and
    who timestamps an export."""

    evidence_dir: Path | None = None
    """Content-addressed store; ``<data_dir>/evidence`` when unset. With the
    S3 store it holds only files being hashed and bundles being built."""
    evidence_max_bytes: int = Field(default=64 * 2**30, gt=0)
    """The largest single item accepted (default 64 GiB)."""
    evidence_incident_quota_bytes: int = Field(default=256 * 2**30, gt=0)
    """Total stored content per incident (default 256 GiB)."""
    evidence_rehash_days: float = Field(default=7.0, gt=0)
    """How often the worker re-hashes each sealed item (default weekly)."""
    evidence_rehash_batch: int = Field(default=20, gt=0)
    """Sealed items one worker re-hashes per cycle."""

    evidence_store: Literal["local", "s3"] = "local"
    """``local`` (the directory above) or ``s3`` (an S3-compatible bucket,
    for several hosts or more room than one disk)."""
    evidence_s3_bucket: str | None = None
    evidence_s3_endpoint_url: str | None = None
    """An S3-compatible service other than AWS (MinIO, Ceph, ...); unset: AWS."""
    evidence_s3_region: str | None = None
    evidence_s3_prefix: str = ""
    """Key prefix inside the bucket (``warroom/``), so a bucket can be shared."""
    evidence_s3_object_lock_mode: Literal["GOVERNANCE", "COMPLIANCE"] | None = None
    """Set a retention on every object put (the bucket must have Object Lock
    enabled); unset: the bucket's default retention applies, if any."""
    evidence_s3_object_lock_days: int = Field(default=365, gt=0)
    """How long an object put with ``evidence_s3_object_lock_mode`` is retained."""

    evidence_tsa_url: str | None = None
    """An RFC 3161 time-stamping authority asked to timestamp each export's
    manifest; unset: bundles carry no timestamp."""
    evidence_tsa_ca_cert: Path | None = None
    """PEM certificate(s) the TSA's certificate chains to (its CA, and any
    intermediates): each token is checked against them at export, and they
    go in the bundle so ``verify-bundle`` can check it offline."""
    evidence_tsa_timeout_seconds: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> Self:
        if self.evidence_store == "s3" and not self.evidence_s3_bucket:
            raise ValueError("WARROOM_EVIDENCE_STORE=s3 needs WARROOM_EVIDENCE_S3_BUCKET "
                             "(the bucket evidence is kept in).")
        return self

    def store_dir(self) -> Path:
        return self.evidence_dir or get_settings().data_dir / "evidence"


def get() -> EvidenceSettings:
    return EvidenceSettings.current()
