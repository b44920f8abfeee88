"""What the incident channel is told: key timeline events as lines, and the
alerts that keep joining the incident as one message, edited.

Key events (``WARROOM_SLACK_CHANNEL_VERBOSITY=key``, the default) are the
declaration (the control message), acknowledgement, phase, severity, role
changes and closing; ``all`` adds field updates. An event that happens
before Slack has created the channel is not posted: the control message,
posted once the channel exists, shows the incident as it is then.

An alert storm never becomes a message per alert: the ``chatops.alerts``
cycle counts the incident's alerts and, at most once per
``WARROOM_SLACK_ALERT_SUMMARY_SECONDS``, posts one "N alerts" message per
incident, then edits that same message.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from warroom.auth import service as users
from warroom.chatops import incident_channels, posts, settings
from warroom.chatops.models import ChatChannel, ChatMessage
from warroom.chatops.provider import ApiCall
from warroom.incidents import catalog
from warroom.incidents import service as incidents
from warroom.intake import service as intake

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident

ALERTS = "alerts"


def tell(uow: UnitOfWork, incident: Incident, text: str, *, key_event: bool = True) -> None:
    """A line in the incident's channel, if it has one yet and the verbosity
    asks for this kind of event."""
    if not key_event and settings.get().slack_channel_verbosity != "all":
        return
    row = incident_channels.for_incident(uow.session, incident.id)
    if row is None or row.channel is None or row.archived_at is not None:
        return
    posts.say(uow, incident_channels.provider(), channel=row.channel, text=text,
              incident_id=incident.id)


def acknowledged(uow: UnitOfWork, incident: Incident, by: str) -> None:
    tell(uow, incident, f"{incident.ref} acknowledged by {by}")


def transitioned(uow: UnitOfWork, incident: Incident, current: str) -> None:
    tell(uow, incident, f"{incident.ref} is closed" if current == "closed"
         else f"{incident.ref} moved to {current}")


def severity_changed(uow: UnitOfWork, incident: Incident, previous: str, current: str) -> None:
    tell(uow, incident, f"{incident.ref} severity {previous} → {current}")


def role_assigned(uow: UnitOfWork, incident: Incident, role: str,
                  primary_user_id: int | None) -> None:
    name = users.usernames(uow.session, ids={primary_user_id}).get(primary_user_id) \
        if primary_user_id else None
    label = next((r.name for r in catalog.roles() if r.id == role), role)
    tell(uow, incident, f"{incident.ref}: {label} is now {name or 'nobody'}")


def updated(uow: UnitOfWork, incident: Incident, changes: dict[str, Any]) -> None:
    if changes:
        tell(uow, incident, f"{incident.ref} updated: {', '.join(sorted(changes))}",
             key_event=False)


def tell_alerts(uow: UnitOfWork) -> datetime | None:
    """Sum up the alerts that joined each channelled open incident since the
    channel was last told: one message per incident, then edits, no more
    often than the summary interval."""
    now = uow.now()
    every = timedelta(seconds=max(1, settings.get().slack_alert_summary_seconds))
    rows = list(uow.session.scalars(select(ChatChannel).where(
        ChatChannel.channel.is_not(None), ChatChannel.archived_at.is_(None))))
    due: datetime | None = None
    for row in rows:
        incident = incidents.get(uow.session, incident_id=row.incident_id)
        if incident is None or not incident.is_open:
            continue
        due = now + every if due is None else min(due, now + every)
        if row.alerts_told_at is not None and row.alerts_told_at > now - every:
            due = min(due, row.alerts_told_at + every)
            continue
        _, count = intake.get_all(uow.session, filters=intake.Filters(incident=incident.id),
                                  limit=0)
        if count > row.alerts_told and _summarise(uow, row, incident, count):
            row.alerts_told, row.alerts_told_at = count, now
    return due


def _summarise(uow: UnitOfWork, row: ChatChannel, incident: Incident, count: int) -> bool:
    assert row.channel is not None
    chat = incident_channels.provider()
    text = f":rotating_light: {count} alerts on {incident.ref} (as of {uow.now():%H:%M} UTC)"
    message = uow.session.scalar(select(ChatMessage).where(
        ChatMessage.incident_id == incident.id, ChatMessage.purpose == ALERTS))
    if message is None:
        key = f"chatops:{ALERTS}:{chat.name}:{incident.id}"
        posts.queue(uow, chat, chat.post(row.channel, text), key=key, kind="chat_message",
                    incident_id=incident.id, recipient=row.channel)
        uow.session.add(ChatMessage(provider=chat.name, incident_id=incident.id,
                                    purpose=ALERTS, channel=row.channel, ts=None,
                                    outbox_key=key, created_at=uow.now()))
        return True
    if message.ts is None:
        return False  # the first summary is still on its way; edit it once it has a ts
    posts.queue(uow, chat, ApiCall("chat.update", {"channel": message.channel,
                                                   "ts": message.ts, "text": text}),
                key=f"chatops:alerts-edit:{message.id}:{count}", kind="chat_update",
                incident_id=incident.id, recipient=message.channel)
    return True
