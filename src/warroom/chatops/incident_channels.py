"""An incident's own Slack channel: created on declaration, set up once
Slack has answered, kept up to date as the incident changes.

Everything goes through the outbox. ``conversations.create`` is queued with
the declaration; its answer (the new channel's id) is known only when the
worker delivers it, so the calls that need the id (invite, topic, the
control message, bookmarks) are queued from the ``outbox.delivered``
listener, as :func:`warroom.chatops.posts.delivered` does for edits. The
control message is pinned once it is delivered, and edited, like the
topic, when the phase, severity, roles or acknowledgement change.

Security and compliance incidents (``catalog.SECURITY_TYPES``) and personal
data breaches get a private channel: only the invited see them.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from sqlalchemy import select

from warroom.auth import service as users
from warroom.chatops import channel_names, posts, settings
from warroom.chatops.models import ChatChannel, ChatIdentity, ChatMessage
from warroom.chatops.provider import ApiCall
from warroom.config import get_settings
from warroom.incidents import catalog
from warroom.incidents import service as incidents
from warroom.oncall.escalation import service as escalation
from warroom.statuspage import settings as statuspage_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.chatops.provider import ChatProvider
    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident
    from warroom.notify.models import OutboxMessage

CONTROL = "control"
COMMANDER = "incident_commander"


def provider() -> ChatProvider:
    return posts.PROVIDERS["slack"]


def wanted(incident: Incident) -> bool:
    return settings.get().channel_wanted(incident.severity, incident.type)


def is_private(incident: Incident) -> bool:
    return incident.type in catalog.SECURITY_TYPES or incident.personal_data_breach


def open_channel(uow: UnitOfWork, incident: Incident) -> ChatChannel:
    """Queue the channel's creation, once per incident."""
    existing = for_incident(uow.session, incident.id)
    if existing is not None:
        return existing
    chat = provider()
    key = f"chatops:channel:{chat.name}:{incident.id}"
    name = channel_names.for_incident(incident.id, incident.title)
    private = is_private(incident)
    posts.queue(uow, chat, ApiCall("conversations.create", {"name": name,
                                                            "is_private": private}),
                key=key, kind="chat_channel", incident_id=incident.id, recipient=name)
    row = ChatChannel(provider=chat.name, incident_id=incident.id, name=name,
                      is_private=private, channel=None, outbox_key=key, alerts_told=0,
                      created_at=uow.now())
    uow.session.add(row)
    return row


def for_incident(session: Session, incident_id: int) -> ChatChannel | None:
    return session.scalar(select(ChatChannel).where(ChatChannel.incident_id == incident_id))


def delivered(uow: UnitOfWork, message: OutboxMessage, receipt: tuple[str, str]) -> None:
    """A created channel is set up; a delivered control message is pinned."""
    row = uow.session.scalar(select(ChatChannel).where(ChatChannel.outbox_key == message.key))
    if row is not None:
        row.channel, row.name = receipt[0], receipt[1] or row.name
        incident = incidents.get(uow.session, incident_id=row.incident_id)
        if incident is not None:
            _set_up(uow, row, incident)
        return
    control = uow.session.scalar(select(ChatMessage).where(
        ChatMessage.outbox_key == message.key, ChatMessage.purpose == CONTROL))
    if control is not None and control.ts is not None:
        call(uow, "pins.add", {"channel": control.channel, "timestamp": control.ts},
              key=f"chatops:pin:{control.id}", incident_id=control.incident_id,
              recipient=control.channel)


def _set_up(uow: UnitOfWork, row: ChatChannel, incident: Incident) -> None:
    assert row.channel is not None
    channel, chat = row.channel, provider()
    invitees = people(uow.session, incident)
    if invitees:
        call(uow, "conversations.invite", {"channel": channel, "users": ",".join(invitees),
                                            "force": True},
              key=f"chatops:invite:{row.id}", incident_id=incident.id, recipient=channel)
    _topic(uow, row, incident)
    key = f"chatops:{CONTROL}:{chat.name}:{incident.id}"
    posts.queue(uow, chat, chat.post(channel, f"{incident.ref}: {incident.title}",
                                     posts.card(incident)),
                key=key, kind="chat_control", incident_id=incident.id, recipient=channel)
    uow.session.add(ChatMessage(provider=chat.name, incident_id=incident.id, purpose=CONTROL,
                                channel=channel, ts=None, outbox_key=key,
                                created_at=uow.now()))
    for number, (title, link) in enumerate(bookmarks(incident)):
        call(uow, "bookmarks.add", {"channel_id": channel, "title": title, "type": "link",
                                     "link": link},
              key=f"chatops:bookmark:{row.id}:{number}", incident_id=incident.id,
              recipient=channel)


def bookmarks(incident: Incident) -> list[tuple[str, str]]:
    console = f"{get_settings().base_url}/incidents/{incident.ref}"
    return [(f"{incident.ref} in warroom", console),
            ("Status page", statuspage_settings.get().page_url),
            ("Playbook", f"{console}#playbook")]


def people(session: Session, incident: Incident) -> list[str]:
    """Slack ids of the role holders and the people paged for the incident
    who are linked (``chat_identities``), in a stable order."""
    ids = {i for held in incident.roles for i in (held.primary_user_id, held.backup_user_id)
           if i}
    ids |= {page.user_id for page in escalation.pages(session, incident_id=incident.id)}
    if not ids:
        return []
    return sorted(session.scalars(select(ChatIdentity.external_id).where(
        ChatIdentity.provider == provider().name, ChatIdentity.user_id.in_(ids))))


def topic(session: Session, incident: Incident) -> str:
    """``sev1 · triage · commander alice``."""
    held = next((a for a in incident.roles if a.role == COMMANDER), None)
    commander = users.usernames(session, ids={held.primary_user_id}).get(
        held.primary_user_id) if held and held.primary_user_id else None
    return f"{incident.severity} · {incident.phase} · commander {commander or 'unassigned'}"


def refresh(uow: UnitOfWork, incident: Incident) -> None:
    """The topic and the control message follow the incident (each edit once
    per state, however many hooks fired in the unit)."""
    row = for_incident(uow.session, incident.id)
    if row is None or row.channel is None:
        return
    _topic(uow, row, incident)
    control = uow.session.scalar(select(ChatMessage).where(
        ChatMessage.incident_id == incident.id, ChatMessage.purpose == CONTROL))
    if control is None or control.ts is None:
        return
    chat = provider()
    state = _digest(f"{incident.severity}:{incident.phase}:{incident.acknowledged_at}:"
                    f"{topic(uow.session, incident)}:{incident.updated_at}")
    posts.queue_edit(uow, chat, control, incident,
                     key=f"chatops:control-edit:{control.id}:{state}")


def _topic(uow: UnitOfWork, row: ChatChannel, incident: Incident) -> None:
    assert row.channel is not None
    text = topic(uow.session, incident)
    state = _digest(f"{text}:{incident.updated_at}")
    call(uow, "conversations.setTopic", {"channel": row.channel, "topic": text},
         key=f"chatops:topic:{row.id}:{state}", incident_id=incident.id,
         recipient=row.channel)


def call(uow: UnitOfWork, method: str, args: dict[str, object], *, key: str,
          incident_id: int, recipient: str) -> None:
    posts.queue(uow, provider(), ApiCall(method, dict(args)), key=key, kind="chat_channel",
                incident_id=incident_id, recipient=recipient)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]
