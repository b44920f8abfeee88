"""Knobs of alert intake (``WARROOM_ALERT_*``, ``WARROOM_ROUTING_*``...)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from warroom.config import WarroomSettings, shipped_dir


class IntakeSettings(WarroomSettings):
    alert_max_per_request: int = 1000
    """Most alerts one request may carry (an Alertmanager webhook, a generic list)."""
    alert_flap_window_minutes: float = 60.0
    """Re-fires of a group counted within this window decide whether it flaps."""
    alert_flap_threshold: int = 3
    """Re-fires within the window that mark a group as flapping."""
    alert_max_age_hours: float = Field(168.0, gt=0)
    """A new alert's start time older than this (or in the future) is taken as
    the time warroom received it, with a timeline note (a sender's clock)."""
    change_window_hours: float = Field(24.0, gt=0)
    """Changes (``/v2/change/enqueue``) this long before an incident started are
    listed on it as recent changes."""
    routing_rules_dir: Path | None = None
    """Where shipped routing rules live; defaults to ``rules/routing``."""
    security_alerts_loopback: bool = True
    """Answer ``GET /api/v1/security/alerts`` without a token when the caller is
    on the same machine (the seed playbook calls it that way)."""
    prometheus_url: str | None = None
    """Poll this Prometheus server's ``/api/v1/alerts`` (sites without Alertmanager)."""
    prometheus_poll_seconds: float = 15.0
    """How often the Prometheus poller runs."""
    silence_max_hours: float = Field(24.0, gt=0)
    """Longest silence a responder may add; longer ones need ``silence:broad``."""

    @property
    def rules_dir(self) -> Path:
        return self.routing_rules_dir or shipped_dir("rules") / "routing"


def get() -> IntakeSettings:
    return IntakeSettings.current()
