"""Knobs of ChatOps (``WARROOM_SLACK_*``)."""

from __future__ import annotations

from pydantic import SecretStr

from warroom.config import WarroomSettings


class ChatOpsSettings(WarroomSettings):
    """The Slack app's credentials and where its Web API answers."""

    slack_signing_secret: SecretStr | None = None
    """The Slack app's signing secret: slash commands and interactions are
    refused until it is set."""
    slack_bot_token: SecretStr | None = None
    """The app's bot token (``xoxb-...``), sent to the Slack Web API."""
    slack_app_token: SecretStr | None = None
    """The app-level token (``xapp-...``, scope ``connections:write``): when
    set, the worker holds a Socket Mode connection (no public URL needed)."""
    slack_socket_lease_seconds: float = 30.0
    """How long the node holding the Socket Mode connection keeps its lease
    without renewing; another node takes over after that."""
    slack_api_url: str = "https://slack.com/api/"
    """The Slack Web API's base URL (a test or a proxy may stand in)."""
    slack_api_timeout_seconds: float = 2.0
    """Per-call timeout of Slack Web API calls; short, because a user lookup
    happens inside Slack's 3-second answer window."""
    slack_incident_channels: str = ""
    """Severities that get an incident channel on declaration, comma-separated
    (``sev1,sev2``), or ``all``; empty: no incident channels."""
    slack_incident_channel_types: str = ""
    """Incident types that get a channel, comma-separated; empty: every type."""
    slack_channel_verbosity: str = "key"
    """What the incident channel is told: ``key`` (declared, acknowledged,
    phase, severity, roles, closed) or ``all`` (notes too)."""
    slack_alert_summary_seconds: int = 60
    """Alerts joining an incident are summed up in one message, edited at
    most this often (never one message per alert)."""
    slack_digest_channel: str | None = None
    """The channel (id or ``#name``) that keeps one message per incident,
    edited as it changes; unset: no digest."""
    slack_archive_after_days: int = 7
    """Archive an incident channel this many days after the incident closed
    (0: never)."""

    def channel_wanted(self, severity: str, kind: str) -> bool:
        """Whether an incident of this severity and type gets a channel."""
        severities = _words(self.slack_incident_channels)
        kinds = _words(self.slack_incident_channel_types)
        return bool(severities) and ("all" in severities or severity in severities) and \
            (not kinds or kind in kinds)


def _words(text: str) -> set[str]:
    return {word.strip().lower() for word in text.split(",") if word.strip()}


def get() -> ChatOpsSettings:
    return ChatOpsSettings.current()
