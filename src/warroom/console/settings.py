"""Console settings."""

from __future__ import annotations

from pydantic import Field

from warroom.console.oidc_settings import OidcSettings


class ConsoleSettings(OidcSettings):
    """The console's own knobs, beside those of OpenID Connect sign-in."""

    console_live_poll_seconds: float = Field(0.25, gt=0, le=60)
    """How often each process's live feed looks for new timeline events
    written by other processes (its own writes are sent at once)."""


def get() -> ConsoleSettings:
    return ConsoleSettings.current()
