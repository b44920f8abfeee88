"""Slack: signed requests in (HTTP mode), Web API calls out, Block Kit shapes.

Requests are checked as Slack documents (``v0`` HMAC-SHA256 of
``v0:{timestamp}:{body}`` with the app's signing secret), against warroom's
clock rather than the host's, so that a moved test clock and a real one
agree. Web API calls go through ``slack_sdk``'s ``WebClient`` with its
transport replaced by warroom's outbound client: every call then passes the
outbound destination policy (resolve, check, connect to the checked address)
like any other request warroom makes, and slack_sdk's own retries are off
because the outbox retries.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import httpx
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.web import WebClient

from warroom import outbound
from warroom.chatops import settings
from warroom.chatops.provider import ApiCall, ChatUnavailable, IncidentCard, Invocation
from warroom.errors import BadRequest, Unauthorized

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime
    from urllib.request import Request

WINDOW_SECONDS = 5 * 60
"""Slack's replay window: a request signed longer ago than this is refused."""
ACTION_PREFIX = "wr:"
"""Button ``action_id``s are ``wr:<verb>`` with the incident ref as value."""
_MENTION = re.compile(r"^<@([UW][A-Z0-9_]+)(?:\|[^>]*)?>$")


class _At(Clock):
    """slack_sdk's verifier asks a clock for now; this one answers warroom's."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> float:
        return self.moment.timestamp()


class PolicyWebClient(WebClient):
    """``WebClient`` whose requests go through :func:`warroom.outbound.client`.

    slack_sdk builds the request (URL, bearer token, JSON body) and parses
    the answer; only the transport is replaced."""

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        response = outbound.client().post(
            url, content=req.data if isinstance(req.data, bytes) else None,
            headers={name: str(value) for name, value in req.header_items()},
            timeout=self.timeout)
        return {"status": response.status_code, "headers": dict(response.headers),
                "body": response.text}


def web_client(base_url: str | None = None) -> PolicyWebClient:
    current = settings.get()
    token = current.slack_bot_token.get_secret_value() if current.slack_bot_token else None
    return PolicyWebClient(token=token, base_url=base_url or current.slack_api_url,
                           timeout=max(1, round(current.slack_api_timeout_seconds)),
                           retry_handlers=[])


class SlackProvider:
    name = "slack"
    delivery_channel = "slack_api"

    def verify(self, headers: Mapping[str, str], body: bytes, now: datetime) -> None:
        timestamp = headers.get("x-slack-request-timestamp")
        signature = headers.get("x-slack-signature")
        if not timestamp or not signature:
            raise BadRequest("This is not a Slack request: it has no X-Slack-Signature and "
                             "X-Slack-Request-Timestamp headers.")
        secret = settings.get().slack_signing_secret
        if secret is None or not secret.get_secret_value().strip():
            raise Unauthorized("Slack commands are off: WARROOM_SLACK_SIGNING_SECRET is not "
                               "set, so warroom cannot check that a request came from Slack.")
        if not timestamp.isdigit():
            raise Unauthorized("The request's X-Slack-Request-Timestamp is not a Unix time.")
        drift = abs(now.timestamp() - int(timestamp))
        if drift > WINDOW_SECONDS:
            raise Unauthorized(f"The request was signed {round(drift / 60)} minutes away from "
                               "warroom's clock; Slack requests more than 5 minutes old are "
                               "refused (a replay, or a clock out of step).")
        verifier = SignatureVerifier(secret.get_secret_value(), clock=_At(now))
        if not verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
            raise Unauthorized("The request's Slack signature does not match: it was not "
                               "signed with this app's signing secret.")

    def command(self, body: bytes) -> Invocation:
        return self.command_fields(_form(body))

    def command_fields(self, form: Mapping[str, Any]) -> Invocation:
        """A slash command's fields, from HTTP's form or Socket Mode's payload."""
        form = {name: str(value) for name, value in form.items() if value is not None}
        return Invocation(provider=self.name, user_id=form.get("user_id", ""),
                          user_name=form.get("user_name", ""),
                          channel_id=form.get("channel_id", ""), text=form.get("text", ""),
                          team_id=form.get("team_id", ""),
                          response_url=form.get("response_url") or None)

    def interaction(self, body: bytes) -> Invocation:
        try:
            payload = json.loads(_form(body).get("payload", ""))
        except ValueError:
            raise BadRequest("A Slack interaction carries a JSON 'payload' field.") from None
        if not isinstance(payload, dict):
            raise BadRequest("A Slack interaction carries a JSON 'payload' object.")
        return self.interaction_payload(payload)

    def interaction_payload(self, payload: Mapping[str, Any]) -> Invocation:
        """An interaction's JSON payload, from HTTP's form or Socket Mode."""
        actions = payload.get("actions") or [{}]
        action = actions[0] if isinstance(actions[0], dict) else {}
        verb = str(action.get("action_id", "")).removeprefix(ACTION_PREFIX)
        user, channel = _dict(payload.get("user")), _dict(payload.get("channel"))
        return Invocation(provider=self.name, user_id=str(user.get("id", "")),
                          user_name=str(user.get("username") or user.get("name") or ""),
                          channel_id=str(channel.get("id", "")),
                          text=f"{verb} {action.get('value', '')}".strip(),
                          team_id=str(_dict(payload.get("team")).get("id", "")),
                          response_url=payload.get("response_url") or None)

    def email_of(self, user_id: str) -> str | None:
        try:
            answer = web_client().users_info(user=user_id)
        except SlackApiError as failed:
            if failed.response.get("error") == "user_not_found":
                return None
            raise ChatUnavailable(f"Slack users.info: HTTP {failed.response.status_code}") \
                from None
        except (outbound.DestinationRefused, httpx.HTTPError, OSError) as failed:
            raise ChatUnavailable(f"Slack users.info: {type(failed).__name__}") from None
        profile = _dict(_dict(answer.get("user")).get("profile"))
        email = profile.get("email")
        return str(email) if email else None

    def post(self, channel: str, text: str, card: IncidentCard | None = None) -> ApiCall:
        args: dict[str, Any] = {"channel": channel, "text": text}
        if card is not None:
            args["blocks"] = blocks(card)
        return ApiCall("chat.postMessage", args)

    def edit(self, channel: str, ts: str, card: IncidentCard) -> ApiCall:
        return ApiCall("chat.update", {"channel": channel, "ts": ts, "text": summary(card),
                                       "blocks": blocks(card)})

    def mention(self, text: str) -> str | None:
        found = _MENTION.match(text.strip())
        return found.group(1) if found else None


def summary(card: IncidentCard) -> str:
    ack = (f" - acknowledged by {card.acknowledged_by}" if card.acknowledged_by else "")
    return f"{card.ref} [{card.severity}] {card.title} ({card.phase}){ack}"


def blocks(card: IncidentCard) -> list[dict[str, Any]]:
    """The incident message: what it is, then who acknowledged it and when,
    or the buttons to do so (an acknowledged message loses its button)."""
    laid: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": (
        f"*{card.ref}* `{card.severity}` {_escape(card.title)}\n"
        f"{card.kind} · phase *{card.phase}*")}}]
    buttons: list[dict[str, Any]] = []
    if card.acknowledged_by:
        when = f" at {card.acknowledged_at:%H:%M} UTC" if card.acknowledged_at else ""
        laid.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f":white_check_mark: Acknowledged by {_escape(card.acknowledged_by)}{when}")}]})
    else:
        buttons.append({"type": "button", "action_id": f"{ACTION_PREFIX}ack",
                        "text": {"type": "plain_text", "text": "Acknowledge"},
                        "style": "primary", "value": card.ref})
    if card.console_url:
        buttons.append({"type": "button", "action_id": f"{ACTION_PREFIX}open",
                        "text": {"type": "plain_text", "text": "Open in console"},
                        "url": card.console_url})
    if buttons:
        laid.append({"type": "actions", "elements": buttons})
    return laid


def _escape(text: str) -> str:
    """Slack's mrkdwn escapes: a title cannot ping @channel or fake a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _form(body: bytes) -> dict[str, str]:
    try:
        fields = parse_qs(body.decode(), keep_blank_values=True)
    except UnicodeDecodeError:
        raise BadRequest("A Slack request is a UTF-8 form.") from None
    return {name: values[0] for name, values in fields.items() if values}


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


PROVIDER = SlackProvider()
