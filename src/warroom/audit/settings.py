"""Knobs of the audit chain's anchoring (``WARROOM_AUDIT_*``)."""

from __future__ import annotations

from pathlib import Path

from warroom.config import WarroomSettings, get_settings


class AuditSettings(WarroomSettings):
    audit_anchor_seconds: float = 300.0
    """How often the worker writes a signed copy of the chain head outside the
    database (0 turns anchoring off)."""
    audit_anchor_file: Path | None = None
    """Where anchors are appended; defaults to ``<data_dir>/audit-anchors.jsonl``."""

    @property
    def anchor_path(self) -> Path:
        return self.audit_anchor_file or get_settings().data_dir / "audit-anchors.jsonl"


def get() -> AuditSettings:
    return AuditSettings.current()
