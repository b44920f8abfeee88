"""Slack-compatible incoming webhooks (Slack, Mattermost, Rocket.Chat...).

The message is ``{"text": ..., "blocks": [...]}``: ``text`` is the fallback
shown in notifications, ``blocks`` the Block Kit layout (pages carry an
Acknowledge button with the one-click link and an Open button with the
incident link). A message queued without blocks is sent as text alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

from warroom.config import Settings, WarroomSettings
from warroom.notify.channels.webhook import post

if TYPE_CHECKING:
    from warroom.notify.channels.base import DeliveryResult, Envelope


class SlackSettings(WarroomSettings):
    slack_timeout_seconds: float = 10.0
    """Per-attempt timeout for Slack-compatible incoming webhooks."""


class SlackChannel:
    name = "slack"

    def send(self, envelope: Envelope, settings: Settings) -> DeliveryResult:
        payload = envelope.payload or {}
        if "text" not in payload and "blocks" not in payload:
            title = f"*{envelope.subject}*\n" if envelope.subject else ""
            payload = {"text": f"{title}{envelope.body}"}
        headers = {"content-type": "application/json", "user-agent": "warroom",
                   "idempotency-key": envelope.key}
        return post(envelope.destination, orjson.dumps(payload), headers,
                    SlackSettings.current().slack_timeout_seconds)
