"""ChatOps' worker cycles: alert summaries and reminders in incident channels, and
archiving the channels of incidents closed long enough ago."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from warroom.chatops import channel_events, incident_channels, reminders, settings
from warroom.chatops.models import ChatChannel
from warroom.incidents import service as incidents

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.db import UnitOfWork


def archive_closed(uow: UnitOfWork) -> datetime | None:
    """``conversations.archive`` for every channel whose incident closed
    ``WARROOM_SLACK_ARCHIVE_AFTER_DAYS`` ago; answers when the next is due."""
    days = settings.get().slack_archive_after_days
    if days <= 0:
        return None
    now, after = uow.now(), timedelta(days=days)
    due: datetime | None = None
    for row in uow.session.scalars(select(ChatChannel).where(
            ChatChannel.channel.is_not(None), ChatChannel.archived_at.is_(None))):
        incident = incidents.get(uow.session, incident_id=row.incident_id)
        if incident is None or incident.closed_at is None or incident.is_open:
            continue
        if incident.closed_at + after > now:
            due = incident.closed_at + after if due is None else min(due,
                                                                    incident.closed_at + after)
            continue
        assert row.channel is not None
        incident_channels.call(uow, "conversations.archive", {"channel": row.channel},
                               key=f"chatops:archive:{row.id}", incident_id=row.incident_id,
                               recipient=row.channel)
        row.archived_at = now
    return due


CYCLES = [("chatops.alerts", channel_events.tell_alerts),
          ("chatops.reminders", reminders.remind),
          ("chatops.archive", archive_closed)]
