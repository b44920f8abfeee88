"""Incident channel names, as Slack allows them, and a name that is free.

Slack channel names are lowercase, at most 80 characters of ``[a-z0-9-_]``.
An incident's channel is ``inc-42-websocket-outage``; when Slack answers
``name_taken`` (a channel of an earlier install, or one a person made), the
create is tried again with ``-2``, ``-3``... within the same delivery, so the
dependent calls wait for one answer only.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

if TYPE_CHECKING:
    from slack_sdk.web import SlackResponse, WebClient

LIMIT = 80
ATTEMPTS = 20
"""How many suffixed names to try before giving the error back to the outbox."""


def for_incident(incident_id: int, title: str) -> str:
    """``inc-42-websocket-outage``: the ref, then the title in Slack's alphabet."""
    slug = re.sub(r"[^a-z0-9_]+", "-", title.lower()).strip("-_")
    slug = re.sub(r"-{2,}", "-", slug)
    name = f"inc-{incident_id}-{slug}".rstrip("-") if slug else f"inc-{incident_id}"
    return name[:LIMIT].rstrip("-_")


def suffixed(name: str, number: int) -> str:
    tail = f"-{number}"
    return name[:LIMIT - len(tail)].rstrip("-_") + tail


def create(client: WebClient, args: dict[str, Any]) -> SlackResponse:
    """``conversations.create``, moving on to a suffixed name while Slack
    says the name is taken."""
    name = str(args.get("name", ""))
    for number in range(1, ATTEMPTS + 1):
        wanted = name if number == 1 else suffixed(name, number)
        try:
            return client.api_call("conversations.create", json={**args, "name": wanted})
        except SlackApiError as failed:
            if failed.response.get("error") != "name_taken" or number == ATTEMPTS:
                raise
    raise AssertionError("unreachable")
