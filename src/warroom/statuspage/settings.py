"""Status page knobs (``WARROOM_STATUSPAGE_*``)."""

from __future__ import annotations

from pathlib import Path

from warroom.config import WarroomSettings, get_settings


class StatuspageSettings(WarroomSettings):
    statuspage_name: str = "SilentRelay"
    """The organisation named on the page and in messages to subscribers."""
    statuspage_url: str | None = None
    """Public address of the HTML page; defaults to ``<WARROOM_PUBLIC_URL>/status``."""
    statuspage_components_file: Path | None = None
    """Default components loaded into a fresh database (shipped:
    ``rules/statuspage/components.yaml``)."""
    statuspage_refresh_ms: int = 1000
    """How often each API process checks whether another process changed the
    page; the longest a process serves an old snapshot."""
    statuspage_max_age_seconds: int = 5
    """``Cache-Control: max-age`` of the public surfaces."""
    statuspage_confirm_hours: int = 48
    """How long an email subscriber's confirmation link stays valid."""
    statuspage_resolve_reminder_minutes: int = 15
    """How long after an internal incident ends its still-open public notice is
    reminded about on the incident's timeline (0: at the worker's next pass)."""
    statuspage_verify_minutes: int = 15
    """How long a finished maintenance window stays in ``verifying`` before it
    completes by itself (0: complete at once)."""

    @property
    def page_url(self) -> str:
        return (self.statuspage_url or f"{get_settings().base_url}/status").rstrip("/")

    @property
    def base_url(self) -> str:
        """Where the public routes live (links in emails point here)."""
        return get_settings().base_url


def get() -> StatuspageSettings:
    return StatuspageSettings.current()
