"""Text messages and voice calls through a configurable HTTP gateway.

warroom does not speak any one SMS vendor's API; it POSTs one JSON request
per message to ``WARROOM_SMS_GATEWAY_URL``, and a small adapter (or a
gateway that accepts this shape) does the rest::

    POST <WARROOM_SMS_GATEWAY_URL>
    content-type: application/json
    authorization: Bearer <WARROOM_SMS_GATEWAY_TOKEN>        (when set)
    idempotency-key, webhook-id: <message key, the same on every retry>
    webhook-timestamp, webhook-signature: Standard Webhooks HMAC-SHA256
                                          (when WARROOM_SMS_GATEWAY_SECRET is set)

    {"type": "sms" | "voice", "to": "+15551234567", "text": "...",
     "message_id": "<message key>", "ack_url": "<one-click acknowledge link>" | null}

For ``voice`` the gateway reads ``text`` aloud; a gateway that supports it may
offer "press 1 to acknowledge" by POSTing to ``ack_url``. Any 2xx answer is
success; 4xx other than 408/409/425/429 is permanent (dead letter); the rest
is retried with backoff. The gateway's URL passes the outbound destination
policy like any other (a gateway on this host or the private network must be
named in ``WARROOM_OUTBOUND_ALLOW``).
"""

from __future__ import annotations

import time

import orjson
from pydantic import SecretStr

from warroom.config import Settings, WarroomSettings
from warroom.notify.channels import signing
from warroom.notify.channels.base import DeliveryResult, Envelope
from warroom.notify.channels.webhook import post

MAX_SMS_TEXT = 1600


class GatewaySettings(WarroomSettings):
    sms_gateway_url: str | None = None
    """Where SMS and voice messages are POSTed (see the request shape in docs/oncall.md)."""
    sms_gateway_token: SecretStr | None = None
    """Sent as ``Authorization: Bearer`` to the gateway."""
    sms_gateway_secret: SecretStr | None = None
    """Signs gateway requests per Standard Webhooks."""
    sms_gateway_timeout_seconds: float = 10.0


class GatewayChannel:
    """One channel object per message type the gateway handles."""

    def __init__(self, name: str) -> None:
        self.name = name

    def send(self, envelope: Envelope, settings: Settings) -> DeliveryResult:
        gateway = GatewaySettings.current()
        if not gateway.sms_gateway_url:
            return DeliveryResult(False, None, "WARROOM_SMS_GATEWAY_URL is not set, so "
                                  f"{self.name} messages cannot be sent", permanent=True)
        secret = gateway.sms_gateway_secret.get_secret_value() \
            if gateway.sms_gateway_secret else None
        problem = signing.secret_problem(secret)
        if problem:
            return DeliveryResult(False, None, f"WARROOM_SMS_GATEWAY_SECRET: {problem}",
                                  permanent=True)
        text = envelope.body or envelope.subject or ""
        body = orjson.dumps({"type": self.name, "to": envelope.destination,
                             "text": text[:MAX_SMS_TEXT], "message_id": envelope.key,
                             "ack_url": (envelope.payload or {}).get("ack_url")})
        headers = {"content-type": "application/json", "user-agent": "warroom",
                   "idempotency-key": envelope.key,
                   **signing.headers(secret, message_id=envelope.key, timestamp=int(time.time()),
                                     body=body)}
        if gateway.sms_gateway_token:
            headers["authorization"] = f"Bearer {gateway.sms_gateway_token.get_secret_value()}"
        return post(gateway.sms_gateway_url, body, headers,
                    gateway.sms_gateway_timeout_seconds)
