"""Knobs of the evidence locker (``WARROOM_EVIDENCE_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from warroom.config import WarroomSettings, get_settings


class EvidenceSettings(WarroomSettings):
    """Where content is kept, how much of it, and how often it is re-hashed."""

    evidence_dir: Path | None = None
    """Content-addressed store; ``<data_dir>/evidence`` when unset."""
    evidence_max_bytes: int = Field(default=64 * 2**30, gt=0)
    """The largest single item accepted (default 64 GiB)."""
    evidence_incident_quota_bytes: int = Field(default=256 * 2**30, gt=0)
    """Total stored content per incident (default 256 GiB)."""
    evidence_rehash_days: float = Field(default=7.0, gt=0)
    """How often the worker re-hashes each sealed item (default weekly)."""
    evidence_rehash_batch: int = Field(default=20, gt=0)
    """Sealed items one worker re-hashes per cycle."""

    def store_dir(self) -> Path:
        return self.evidence_dir or get_settings().data_dir / "evidence"


def get() -> EvidenceSettings:
    return EvidenceSettings.current()
