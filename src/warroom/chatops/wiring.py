"""Join ChatOps to the outbox and the incident lifecycle.

The ``slack_api`` channel joins the outbox's channels; a delivered
announcement keeps its ``ts`` (``outbox.delivered``); an acknowledgement from
any path edits the incident's announcements (``incident.acknowledged``), just
before its unit commits, so the edit shows the phase the acknowledgement
moved the incident into.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.chatops import channel, posts
from warroom.incidents import hooks as incident_hooks
from warroom.notify import channels
from warroom.notify import hooks as notify_hooks

if TYPE_CHECKING:
    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident
    from warroom.notify.models import OutboxMessage


def connect() -> None:
    channels.register(channel.CHANNEL)
    incident_hooks.acknowledged.connect(acknowledged)
    notify_hooks.delivered.connect(delivered)


def acknowledged(uow: UnitOfWork, incident: Incident, *, by: str) -> None:
    uow.before_commit(f"chatops.refresh:{incident.id}",
                      lambda unit: posts.refresh(unit, incident))


def delivered(uow: UnitOfWork, message: OutboxMessage) -> None:
    if message.channel != channel.NAME:
        return
    receipt = channel.take_receipt(message.key)
    if receipt is not None:
        posts.delivered(uow, message, receipt)
