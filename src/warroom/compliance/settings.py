"""Knobs of the breach register and its clocks (``WARROOM_COMPLIANCE_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import field_validator

from warroom.config import WarroomSettings, shipped_dir


class ComplianceSettings(WarroomSettings):
    """Where the regimes live, who is told, and when."""

    compliance_regimes_dir: Path | None = None
    """Folder of regime profiles (YAML); default: the shipped ``rules/regimes/``."""
    compliance_default_regimes: list[str] = ["gdpr"]
    """Regimes a new breach carries when none are named."""
    compliance_reminder_hours: list[float] = [48, 24, 12, 4, 1]
    """Hours before each deadline at which the legal/compliance role and the
    DPO are reminded (and once more when the deadline passes)."""
    compliance_dpo_email: str | None = None
    """The Data Protection Officer's address (else the comms channel ``dpo``)."""
    compliance_dpo_name: str = "Data Protection Officer"
    """How drafts name the DPO (EDPB template: controller, reporter and DPO)."""
    compliance_controller: str = "SilentRelay"
    """The controller named in drafts to the supervisory authority."""
    compliance_ack_link_hours: int = 72
    """How long the DPO's acknowledgement link stays valid."""
    compliance_dpo_ack_reminder_hours: float = 4
    """Remind the DPO this long after a notice that is still not acknowledged
    (and again every such interval)."""
    compliance_alerts: list[str] = ["GDPRDataRetentionViolation", "UnauthorizedDataAccess",
                                    "DataExportWithoutConsent"]
    """Alerts whose incidents propose a (suspected) breach record."""

    @field_validator("compliance_reminder_hours")
    @classmethod
    def _positive(cls, value: list[float]) -> list[float]:
        if any(hours <= 0 for hours in value):
            raise ValueError("reminder points are hours before the deadline and must be positive")
        return sorted(set(value), reverse=True)

    @property
    def regimes_dir(self) -> Path:
        return self.compliance_regimes_dir or shipped_dir("rules") / "regimes"


def get() -> ComplianceSettings:
    return ComplianceSettings.current()
