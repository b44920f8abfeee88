"""The digest channel (``WARROOM_SLACK_DIGEST_CHANNEL``, e.g.
``#incident-response``): one message per incident, posted on declaration
and edited (``chat.update``) as the incident changes, so the channel reads as
the list of incidents rather than a stream of events."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from sqlalchemy import select

from warroom.chatops import posts, settings, slack
from warroom.chatops.models import ChatMessage

if TYPE_CHECKING:
    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident

DIGEST = "digest"


def post(uow: UnitOfWork, incident: Incident) -> None:
    channel = settings.get().slack_digest_channel
    if not channel:
        return
    chat = posts.PROVIDERS["slack"]
    key = f"chatops:{DIGEST}:{chat.name}:{incident.id}"
    if uow.session.scalar(select(ChatMessage).where(ChatMessage.outbox_key == key)):
        return
    card = posts.card(incident)
    posts.queue(uow, chat, chat.post(channel, slack.summary(card), card), key=key,
                kind="chat_digest", incident_id=incident.id, recipient=channel)
    uow.session.add(ChatMessage(provider=chat.name, incident_id=incident.id, purpose=DIGEST,
                                channel=channel, ts=None, outbox_key=key,
                                created_at=uow.now()))


def follow(uow: UnitOfWork, incident: Incident) -> None:
    """Edit the incident's digest message to its current state (once per change)."""
    row = uow.session.scalar(select(ChatMessage).where(
        ChatMessage.incident_id == incident.id, ChatMessage.purpose == DIGEST))
    if row is None or row.ts is None:
        return
    chat = posts.PROVIDERS["slack"]
    state = hashlib.sha256(f"{incident.severity}:{incident.phase}:{incident.acknowledged_at}:"
                           f"{incident.updated_at}".encode()).hexdigest()[:16]
    posts.queue_edit(uow, chat, row, incident, key=f"chatops:digest-edit:{row.id}:{state}")
