"""The messages warroom posts to chat, always through the outbox.

Incident announcements are remembered in ``chat_messages`` so that they can
be edited later: once Slack has answered with the message's ``ts`` (recorded
by :func:`delivered`), any acknowledgement, from whatever path (the API, the
console, an SMS link, a button), queues a ``chat.update`` that says who
acknowledged and when. An acknowledgement that lands before the
announcement's delivery is applied as soon as the ``ts`` is known.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from warroom.chatops import settings, slack
from warroom.chatops.models import ChatMessage
from warroom.chatops.provider import IncidentCard
from warroom.config import get_settings
from warroom.incidents import service as incidents
from warroom.notify import service as outbox

if TYPE_CHECKING:
    from warroom.chatops.provider import ApiCall, ChatProvider
    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident
    from warroom.notify.models import OutboxMessage

PROVIDERS: dict[str, ChatProvider] = {slack.PROVIDER.name: slack.PROVIDER}
ANNOUNCEMENT = "announce"


def card(incident: Incident) -> IncidentCard:
    return IncidentCard(ref=incident.ref, title=incident.title, severity=incident.severity,
                        phase=incident.phase, kind=incident.type,
                        console_url=f"{get_settings().base_url}/incidents/{incident.ref}",
                        acknowledged_by=incident.acknowledged_by,
                        acknowledged_at=incident.acknowledged_at)


def announce(uow: UnitOfWork, provider: ChatProvider, *, incident: Incident,
             channel: str, text: str) -> None:
    """Post the incident's card (with its Acknowledge button) to a channel,
    once per incident and channel, and remember it for later edits."""
    key = f"chatops:{ANNOUNCEMENT}:{provider.name}:{incident.id}:{channel}"
    existing = uow.session.scalar(select(ChatMessage).where(ChatMessage.outbox_key == key))
    if existing is not None:
        return
    _queue(uow, provider, provider.post(channel, text, card(incident)), key=key,
           kind="chat_announcement", incident_id=incident.id, recipient=channel)
    uow.session.add(ChatMessage(provider=provider.name, incident_id=incident.id,
                                purpose=ANNOUNCEMENT, channel=channel, ts=None,
                                outbox_key=key, created_at=uow.now()))


def say(uow: UnitOfWork, provider: ChatProvider, *, channel: str, text: str,
        incident_id: int | None = None) -> None:
    """A plain line in a channel (what a command did, for everyone there)."""
    _queue(uow, provider, provider.post(channel, text), key=None, kind="chat_message",
           incident_id=incident_id, recipient=channel)


def refresh(uow: UnitOfWork, incident: Incident) -> None:
    """Edit every delivered announcement of the incident to its current state."""
    rows = uow.session.scalars(select(ChatMessage).where(
        ChatMessage.incident_id == incident.id, ChatMessage.purpose == ANNOUNCEMENT,
        ChatMessage.ts.is_not(None)))
    for row in rows:
        _edit(uow, row, incident)


def delivered(uow: UnitOfWork, message: OutboxMessage, receipt: tuple[str, str]) -> None:
    """Slack accepted a message: keep its ``ts``; if the incident was
    acknowledged meanwhile, edit it straight away."""
    row = uow.session.scalar(select(ChatMessage).where(ChatMessage.outbox_key == message.key))
    if row is None:
        return
    row.channel, row.ts = receipt
    incident = incidents.get(uow.session, incident_id=row.incident_id)
    if incident is not None and incident.acknowledged_at is not None:
        _edit(uow, row, incident)


def _edit(uow: UnitOfWork, row: ChatMessage, incident: Incident) -> None:
    provider = PROVIDERS.get(row.provider)
    if provider is None or row.ts is None:
        return
    state = f"{incident.phase}:{incident.acknowledged_at or ''}"
    queue_edit(uow, provider, row, incident, key=f"chatops:edit:{row.id}:{state}")


def queue_edit(uow: UnitOfWork, provider: ChatProvider, row: ChatMessage, incident: Incident,
               *, key: str) -> None:
    """Queue an edit of ``row``'s message to the incident's current state,
    superseding any earlier edit of it not sent yet.

    The worker sends a batch in parallel, so two queued edits of one message
    could land in either order and leave Slack showing the older state.
    Cancelling the earlier ones (the worker checks right before each send)
    means only the newest is sent; an edit already on the wire when a newer
    one is queued is the one narrow overlap left."""
    assert row.ts is not None
    if outbox.is_queued(uow.session, key=key):
        return  # this state was queued already
    group = f"chatops:edits-of:{row.id}"
    outbox.cancel_group(uow, group_key=group, reason="superseded by a newer edit")
    _queue(uow, provider, provider.edit(row.channel, row.ts, card(incident)), key=key,
           kind="chat_update", incident_id=incident.id, recipient=row.channel,
           group_key=group)


def _queue(uow: UnitOfWork, provider: ChatProvider, call: ApiCall, *, key: str | None,
           kind: str, incident_id: int | None, recipient: str,
           group_key: str | None = None) -> None:
    outbox.enqueue(uow, message=outbox.Outgoing(
        channel=provider.delivery_channel, destination=settings.get().slack_api_url,
        kind=kind, body=str(call.args.get("text", "")),
        payload={"method": call.method, "args": call.args}, incident_id=incident_id,
        recipient=recipient, key=key, group_key=group_key))


def queue(uow: UnitOfWork, provider: ChatProvider, call: ApiCall, *, key: str | None,
          kind: str, incident_id: int | None, recipient: str) -> None:
    """Queue any Web API call through the outbox (a key makes it once only)."""
    _queue(uow, provider, call, key=key, kind=kind, incident_id=incident_id,
           recipient=recipient)
