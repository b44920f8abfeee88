"""Generic JSON webhook, signed per Standard Webhooks, with an idempotency key.

Every HTTP channel posts through :func:`post`, which goes through the
outbound destination policy (:mod:`warroom.outbound`) and keeps nothing of
what the destination answered but its status code: the attempt history, the
outbox and the timeline are read by people who may not see the destination,
and a body could be anything the worker can reach.
"""

from __future__ import annotations

import time
from http import HTTPStatus
from typing import TYPE_CHECKING

import httpx
import orjson
import structlog

from warroom import outbound
from warroom.notify.channels import signing
from warroom.notify.channels.base import DeliveryResult, Envelope

if TYPE_CHECKING:
    from warroom.config import Settings

log = structlog.get_logger("warroom.outbound")

# Client errors that retrying may fix (timeouts, rate limits, conflicts).
_RETRYABLE_4XX = {408, 409, 425, 429}


class WebhookChannel:
    name = "webhook"

    def send(self, envelope: Envelope, settings: Settings) -> DeliveryResult:
        problem = signing.secret_problem(envelope.signing_secret)
        if problem:
            return DeliveryResult(False, None, problem, permanent=True)
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
    result = _post(url, body, headers, timeout)
    log.info("outbound request", destination=outbound.origin(url),
             status_code=result.status_code, ok=result.ok)
    return result


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> DeliveryResult:
    try:
        response = outbound.client().post(url, content=body, headers=headers, timeout=timeout)
    except outbound.DestinationRefused as refused:
        return DeliveryResult(False, None, f"refused by the outbound destination policy: "
                              f"{refused.detail}", permanent=True)
    except httpx.HTTPError as failed:
        return DeliveryResult(False, None, outbound.failure_reason(failed))
    if response.is_success:
        return DeliveryResult(True, response.status_code)
    permanent = 400 <= response.status_code < 500 and response.status_code not in _RETRYABLE_4XX
    return DeliveryResult(False, response.status_code, status_reason(response.status_code),
                          permanent=permanent)


def status_reason(code: int) -> str:
    """``HTTP 503 Service Unavailable``: the standard phrase, never the
    destination's own words."""
    try:
        return f"HTTP {code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"HTTP {code}"
