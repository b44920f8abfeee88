"""The small interface a chat tool is reached through, so that commands,
identities and the messages warroom posts do not depend on Slack.

A provider verifies that a request came from the chat tool, turns it into an
:class:`Invocation` (who asked what, where), finds a chat user's verified
email, and shapes the messages warroom posts (queued through the outbox as
:class:`ApiCall` payloads of its delivery channel).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime


@dataclass(frozen=True)
class Invocation:
    """One command or button press, as the chat tool sent it."""

    provider: str
    user_id: str
    user_name: str
    channel_id: str
    text: str
    team_id: str = ""
    response_url: str | None = None


@dataclass(frozen=True)
class Reply:
    """The immediate answer to an invocation: only the asker sees an
    ephemeral one; ``None`` text means nothing to say (the change is posted
    to the channel through the outbox)."""

    text: str | None
    ephemeral: bool = True
    blocks: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ApiCall:
    """A Web API call to queue: the method and its arguments."""

    method: str
    args: dict[str, Any]


@dataclass(frozen=True)
class IncidentCard:
    """What a posted incident message shows; the provider lays it out."""

    ref: str
    title: str
    severity: str
    phase: str
    kind: str
    console_url: str | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None


class ChatUnavailable(Exception):
    """The chat tool could not answer a lookup (down, rate-limited, refused)."""


class ChatProvider(Protocol):
    name: str
    delivery_channel: str
    """The outbox channel that carries this provider's API calls."""

    def verify(self, headers: Mapping[str, str], body: bytes, now: datetime) -> None:
        """Raise ``Unauthorized`` (or ``BadRequest``) unless the request is
        the chat tool's own, signed and recent."""

    def command(self, body: bytes) -> Invocation: ...

    def interaction(self, body: bytes) -> Invocation: ...

    def email_of(self, user_id: str) -> str | None:
        """The chat user's verified email, asked of the chat tool (None when
        it has none); raises :class:`ChatUnavailable` when the tool cannot
        answer, so a passing outage is not remembered as "unlinked"."""

    def post(self, channel: str, text: str, card: IncidentCard | None = None) -> ApiCall: ...

    def edit(self, channel: str, ts: str, card: IncidentCard) -> ApiCall: ...

    def mention(self, text: str) -> str | None:
        """The chat user id a ``@mention`` in command text names, if it is one."""
