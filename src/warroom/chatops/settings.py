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


def get() -> ChatOpsSettings:
    return ChatOpsSettings.current()
