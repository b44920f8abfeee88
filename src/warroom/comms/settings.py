"""Knobs of communications (``WARROOM_COMMS_*``)."""

from __future__ import annotations

from pydantic import field_validator

from warroom.config import WarroomSettings


class CommsSettings(WarroomSettings):
    """Named destinations, update cadence overrides and the organisation's name."""

    comms_channels: dict[str, str] = {}
    """``channel:<name>`` targets: name -> ``email:<address>`` or ``webhook:<url>``."""
    comms_update_cadence_minutes: dict[str, int | None] = {}
    """Per severity (``sev1`` or ``critical``): minutes between status updates,
    overriding ``rules/severities.yaml``; null turns the reminder off."""
    comms_organisation: str = "SilentRelay"
    """Shown in user-facing messages ("Dear ... Users")."""

    @field_validator("comms_update_cadence_minutes")
    @classmethod
    def _positive(cls, value: dict[str, int | None]) -> dict[str, int | None]:
        for severity, minutes in value.items():
            if minutes is not None and minutes <= 0:
                raise ValueError(f"the update cadence of {severity} must be positive or null")
        return value


def get() -> CommsSettings:
    return CommsSettings.current()
