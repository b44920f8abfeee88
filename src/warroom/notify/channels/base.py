"""What a channel receives and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from warroom.config import Settings


@dataclass(frozen=True)
class Envelope:
    """A message as the worker hands it to a channel (decrypted, detached
    from the database session)."""

    id: int
    key: str
    kind: str
    channel: str
    destination: str
    subject: str | None
    body: str
    payload: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)
    signing_secret: str | None = None
    attempt: int = 1
    recipient: str | None = None


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    status_code: int | None = None
    error: str | None = None
    permanent: bool = False
    """True when retrying cannot help (a 404 from a webhook, a rejected address)."""
    retry_after: float | None = None
    """Seconds the destination asked to be left alone (``429 Retry-After``):
    the next attempt waits at least this long, whatever the backoff says."""


class Channel(Protocol):
    name: str

    def send(self, envelope: Envelope, settings: Settings) -> DeliveryResult: ...
