"""Transport-neutral: one Slack request (a slash command, an interaction, an
event) handed to the same service code in HTTP and Socket Mode.

HTTP mode parses a signed form into a payload; Socket Mode receives the
payload in an envelope. Both then call :func:`handle` with Slack's envelope
type (``slash_commands``, ``interactive``, ``events_api``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.chatops import service
from warroom.chatops.provider import Reply
from warroom.chatops.slack import PROVIDER

if TYPE_CHECKING:
    from collections.abc import Mapping

    from warroom.clock import Clock
    from warroom.db import Database

SLASH_COMMANDS = "slash_commands"
INTERACTIVE = "interactive"
EVENTS_API = "events_api"


def handle(database: Database, clock: Clock, kind: str, payload: Mapping[str, Any]) -> Reply:
    """Run one request; events are acknowledged and not acted on yet."""
    if kind == SLASH_COMMANDS:
        return service.command(database, clock, PROVIDER, PROVIDER.command_fields(payload))
    if kind == INTERACTIVE:
        return service.interaction(database, clock, PROVIDER,
                                   PROVIDER.interaction_payload(payload))
    return Reply(None)
