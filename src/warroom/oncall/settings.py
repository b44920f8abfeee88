"""On-call knobs (``WARROOM_*``)."""

from __future__ import annotations

from warroom.config import WarroomSettings


class OncallSettings(WarroomSettings):
    escalation_batch_size: int = 1000
    """Escalation timers the worker advances per engine cycle (one transaction)."""
    ack_link_ttl_minutes: int = 1440
    """How long the one-click acknowledge link in a page stays valid."""
    calendar_days: int = 60
    """How far ahead iCalendar exports reach by default."""


def get() -> OncallSettings:
    return OncallSettings.current()
