"""Generic JSON webhook, signed per Standard Webhooks, with an idempotency key."""

from __future__ import annotations

import time

import httpx
import orjson

from warroom.config import Settings
from warroom.notify.channels import signing
from warroom.notify.channels.base import DeliveryResult, Envelope

# Client errors that retrying may fix (timeouts, rate limits, conflicts).
_RETRYABLE_4XX = {408, 409, 425, 429}


class WebhookChannel:
    name = "webhook"

    def send(self, envelope: Envelope, settings: Settings) -> DeliveryResult:
        body = orjson.dumps(envelope.payload if envelope.payload is not None
                            else {"text": envelope.body})
        headers = {
            "content-type": "application/json",
            "user-agent": "warroom",
            "idempotency-key": envelope.key,
            **signing.headers(envelope.signing_secret, message_id=envelope.key,
                              timestamp=int(time.time()), body=body),
            **envelope.headers,
        }
        return post(envelope.destination, body, headers, settings.webhook_timeout_seconds)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> DeliveryResult:
    """POST and classify the outcome; shared by every HTTP-based channel."""
    try:
        response = _client().post(url, content=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as failed:
        return DeliveryResult(False, None, f"{type(failed).__name__}: {failed}")
    if response.is_success:
        return DeliveryResult(True, response.status_code)
    permanent = 400 <= response.status_code < 500 and response.status_code not in _RETRYABLE_4XX
    return DeliveryResult(False, response.status_code,
                          f"HTTP {response.status_code}: {response.text[:300]}",
                          permanent=permanent)


_shared: httpx.Client | None = None


def _client() -> httpx.Client:
    """One pooled client per process: keeps connections warm for fast pages."""
    global _shared
    if _shared is None:
        _shared = httpx.Client(limits=httpx.Limits(max_connections=64,
                                                   max_keepalive_connections=32),
                               follow_redirects=False)
    return _shared
