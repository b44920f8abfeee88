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
    slack_api_url: str = "https://slack.com/api/"
    """The Slack Web API's base URL (a test or a proxy may stand in)."""
    slack_api_timeout_seconds: float = 2.0
    """Per-call timeout of Slack Web API calls; short, because a user lookup
    happens inside Slack's 3-second answer window."""


def get() -> ChatOpsSettings:
    return ChatOpsSettings.current()
