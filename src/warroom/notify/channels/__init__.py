"""Delivery channels by name. Each channel turns an envelope into one attempt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.notify.channels.email import EmailChannel
from warroom.notify.channels.slack import SlackChannel
from warroom.notify.channels.sms import GatewayChannel
from warroom.notify.channels.webhook import WebhookChannel

if TYPE_CHECKING:
    from warroom.notify.channels.base import Channel

CHANNELS: dict[str, Channel] = {
    "email": EmailChannel(),
    "webhook": WebhookChannel(),
    "slack": SlackChannel(),
    "sms": GatewayChannel("sms"),
    "voice": GatewayChannel("voice"),
}


def register(channel: Channel) -> None:
    CHANNELS[channel.name] = channel
