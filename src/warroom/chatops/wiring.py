"""Join ChatOps to the outbox and the incident lifecycle.

The ``slack_api`` channel joins the outbox's channels; a delivered
announcement keeps its ``ts`` (``outbox.delivered``); an acknowledgement from
any path edits the incident's announcements (``incident.acknowledged``), just
before its unit commits, so the edit shows the phase the acknowledgement
moved the incident into.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.chatops import channel, channel_events, digest, incident_channels, posts
from warroom.incidents import hooks as incident_hooks
from warroom.notify import channels
from warroom.notify import hooks as notify_hooks

if TYPE_CHECKING:
    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident
    from warroom.incidents.phases import Phase
    from warroom.notify.models import OutboxMessage


def connect() -> None:
    channels.register(channel.CHANNEL)
    incident_hooks.acknowledged.connect(acknowledged)
    notify_hooks.delivered.connect(delivered)
    incident_hooks.declared.connect(declared)
    incident_hooks.transitioned.connect(transitioned)
    incident_hooks.severity_changed.connect(severity_changed)
    incident_hooks.role_assigned.connect(role_assigned)
    incident_hooks.updated.connect(updated)


def acknowledged(uow: UnitOfWork, incident: Incident, *, by: str) -> None:
    uow.before_commit(f"chatops.refresh:{incident.id}",
                      lambda unit: posts.refresh(unit, incident))
    channel_events.acknowledged(uow, incident, by)
    _follow(uow, incident)


def delivered(uow: UnitOfWork, message: OutboxMessage) -> None:
    if message.channel != channel.NAME:
        return
    receipt = channel.take_receipt(message.key)
    if receipt is not None:
        posts.delivered(uow, message, receipt)
        incident_channels.delivered(uow, message, receipt)


def declared(uow: UnitOfWork, incident: Incident, *, context: dict[str, Any]) -> None:
    if incident_channels.wanted(incident):
        incident_channels.open_channel(uow, incident)
    digest.post(uow, incident)


def transitioned(uow: UnitOfWork, incident: Incident, *, previous: Phase,
                 current: Phase) -> None:
    channel_events.transitioned(uow, incident, current.value)
    _follow(uow, incident)


def severity_changed(uow: UnitOfWork, incident: Incident, *, previous: str,
                     current: str) -> None:
    channel_events.severity_changed(uow, incident, previous, current)
    _follow(uow, incident)


def role_assigned(uow: UnitOfWork, incident: Incident, *, role: str,
                  primary_user_id: int | None, backup_user_id: int | None) -> None:
    channel_events.role_assigned(uow, incident, role, primary_user_id)
    _follow(uow, incident)


def updated(uow: UnitOfWork, incident: Incident, *, changes: dict[str, Any]) -> None:
    channel_events.updated(uow, incident, changes)


def _follow(uow: UnitOfWork, incident: Incident) -> None:
    """The incident channel's topic and control message follow the incident,
    just before the unit commits (once, however many hooks fired)."""
    uow.before_commit(f"chatops.channel:{incident.id}",
                      lambda unit: _refresh(unit, incident))


def _refresh(uow: UnitOfWork, incident: Incident) -> None:
    incident_channels.refresh(uow, incident)
    digest.follow(uow, incident)
