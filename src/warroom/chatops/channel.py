"""The ``slack_api`` outbox channel: Slack Web API calls (``chat.postMessage``,
``chat.update``) delivered, retried and dead-lettered like every message.

An envelope's payload is ``{"method": ..., "args": {...}}`` and its
destination the Web API's base URL. A ``429`` answer's ``Retry-After`` is
handed to the outbox, which waits at least that long before the next
attempt. The outbox keeps nothing of an answer but its status and a fixed
reason; the one thing warroom needs from a posted message, its ``ts`` (to
edit it later), is kept in :data:`RECEIPTS` until the worker records the
attempt in the same process (the ``outbox.delivered`` listener in
``wiring``). If the worker dies between the two, the message is sent again
when its lease ends.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any

import httpx
from slack_sdk.errors import SlackApiError

from warroom import outbound
from warroom.chatops import channel_names, settings, slack
from warroom.notify import service as outbox
from warroom.notify.channels.base import DeliveryResult

if TYPE_CHECKING:
    from warroom.config import Settings
    from warroom.notify.channels.base import Envelope

NAME = "slack_api"
RECEIPTS: dict[str, tuple[str, str]] = {}
"""Outbox key -> (channel, ts) of a message Slack accepted, or (id, name) of a
channel it created, until recorded."""
_receipts_lock = threading.Lock()
_PERMANENT = {"channel_not_found", "not_in_channel", "invalid_auth", "not_authed",
              "account_inactive", "token_revoked", "no_permission", "missing_scope",
              "message_not_found", "cant_update_message", "is_archived", "invalid_blocks",
              "msg_too_long", "no_text", "invalid_arguments", "name_taken",
              "invalid_name", "already_pinned", "already_in_channel", "cant_invite_self",
              "restricted_action", "already_archived"}


def take_receipt(key: str) -> tuple[str, str] | None:
    with _receipts_lock:
        return RECEIPTS.pop(key, None)


class SlackApiChannel:
    name = NAME

    def send(self, envelope: Envelope, settings_: Settings) -> DeliveryResult:
        payload = envelope.payload or {}
        method, args = payload.get("method"), payload.get("args")
        if not isinstance(method, str) or not isinstance(args, dict):
            return DeliveryResult(False, None, "not a Slack Web API call", permanent=True)
        if settings.get().slack_bot_token is None:
            return DeliveryResult(False, None, "WARROOM_SLACK_BOT_TOKEN is not set",
                                  permanent=True)
        if envelope.headers.get(outbox.DRILL_HEADER):
            args = _drill_marked(args)
        try:
            client = slack.web_client(envelope.destination)
            answer = channel_names.create(client, args) if method == "conversations.create" \
                else client.api_call(method, json=args)
        except SlackApiError as failed:
            return _failure(method, failed)
        except outbound.DestinationRefused as refused:
            return DeliveryResult(False, None, f"refused by the outbound destination policy: "
                                  f"{refused.detail}", permanent=True)
        except httpx.HTTPError as failed:
            return DeliveryResult(False, None, outbound.failure_reason(failed))
        channel, ts = answer.get("channel"), answer.get("ts")
        created = channel if isinstance(channel, dict) else None
        if created is not None:  # conversations.create: (id, name) of the new channel
            channel, ts = created.get("id"), created.get("name")
        if isinstance(channel, str) and isinstance(ts, str):
            with _receipts_lock:
                RECEIPTS[envelope.key] = (channel, ts)
        return DeliveryResult(True, answer.status_code)


def _drill_marked(args: dict[str, Any]) -> dict[str, Any]:
    """A drill's message says so in Slack too: ``[DRILL]`` in front of its
    text and of its first section (what Slack shows when there are blocks)."""
    marked = dict(args)
    text = marked.get("text")
    if isinstance(text, str) and not text.startswith(outbox.DRILL_MARK):
        marked["text"] = f"{outbox.DRILL_MARK} {text}"
    blocks = marked.get("blocks")
    if isinstance(blocks, list) and blocks and isinstance(blocks[0], dict):
        section = blocks[0].get("text")
        if isinstance(section, dict) and isinstance(section.get("text"), str) and \
                not section["text"].startswith(outbox.DRILL_MARK):
            first = {**blocks[0], "text": {**section,
                                           "text": f"{outbox.DRILL_MARK} {section['text']}"}}
            marked["blocks"] = [first, *blocks[1:]]
    return marked


def _failure(method: str, failed: SlackApiError) -> DeliveryResult:
    status = failed.response.status_code
    headers = {name.lower(): value for name, value in (failed.response.headers or {}).items()}
    error = failed.response.get("error") if isinstance(failed.response.data, dict) else None
    code = error if isinstance(error, str) and re.fullmatch(r"[a-z_]{1,60}", error) else None
    reason = f"Slack {method}: " + (code or f"HTTP {status}")
    if status == 429 or code == "ratelimited":
        return DeliveryResult(False, status, reason, retry_after=_seconds(
            headers.get("retry-after")))
    permanent = code in _PERMANENT or (400 <= status < 500 and status not in (408, 409, 425))
    return DeliveryResult(False, status, reason, permanent=permanent)


def _seconds(value: object) -> float | None:
    try:
        return max(0.0, float(str(value))) if value is not None else None
    except ValueError:
        return None


CHANNEL = SlackApiChannel()
