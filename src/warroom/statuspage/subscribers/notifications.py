"""Tell subscribers about a public update, through the outbox, in the same
unit of work as the update (so they hear exactly what was committed).

Email follows seed 002's user communication template; webhooks get the
Statuspage-style JSON (``meta``, ``page``, ``incident``) signed per Standard
Webhooks with each subscriber's own secret.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.auth import links
from warroom.notify.service import Outgoing, enqueue
from warroom.statuspage import page, records
from warroom.statuspage import settings as statuspage_settings
from warroom.statuspage.components import service as components
from warroom.statuspage.publishing import public_json, render
from warroom.statuspage.publishing.pagedata import Entry
from warroom.statuspage.subscribers import service as subscribers
from warroom.statuspage.vocabulary import FINISHED, INCIDENT_LABELS, indicator

if TYPE_CHECKING:
    from warroom.db import UnitOfWork
    from warroom.statuspage.models import IncidentUpdate, PublicIncident, Subscriber

KIND = "statuspage.update"


def announce(uow: UnitOfWork, *, incident: PublicIncident, update: IncidentUpdate) -> int:
    """Queue one message per active subscriber; returns how many."""
    audience = subscribers.active(uow.session)
    if not audience:
        return 0
    entry = Entry(row=incident,  # the update is flushed, so it is among these, newest first
                  updates=records.updates_of(uow.session, [incident.id])[incident.id],
                  components=records.components_of(uow.session, [incident.id])[incident.id])
    state = page.get(uow.session)
    shaped = public_json.incident(entry, state.page_code, statuspage_settings.get().page_url)
    page_json = _page_json(uow, state.page_code)
    link_key = links.current_key(uow.session)
    for subscriber in audience:
        unsubscribe = subscribers.unsubscribe_url(uow, subscriber, key=link_key)
        key = f"{KIND}:{update.code}:{subscriber.code}"
        if subscriber.kind == subscribers.EMAIL:
            message = _email(subscriber, entry, update, unsubscribe, key)
        else:
            message = _webhook(subscriber, page_json, shaped, unsubscribe, key)
        enqueue(uow, message=message)
    return len(audience)


def _email(subscriber: Subscriber, entry: Entry, update: IncidentUpdate, unsubscribe: str,
           key: str) -> Outgoing:
    settings = statuspage_settings.get()
    row = entry.row
    subject, body = render.email("email/update.txt", {
        "maintenance": row.kind == records.MAINTENANCE, "name": row.name,
        "page_name": settings.statuspage_name, "body": update.body,
        "status_label": INCIDENT_LABELS[update.status], "window": render.window_text(row),
        "components": ", ".join(c.name for c in entry.components),
        "finished": update.status in FINISHED, "link": f"{settings.page_url}/incidents/{row.code}",
        "page_url": settings.page_url, "unsubscribe_url": unsubscribe})
    return Outgoing(channel="email", destination=subscriber.destination, kind=KIND,
                    subject=subject, body=body, key=key,
                    headers={"List-Unsubscribe": f"<{unsubscribe}>",
                             "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


def _webhook(subscriber: Subscriber, page_json: dict[str, Any], shaped: dict[str, Any],
             unsubscribe: str, key: str) -> Outgoing:
    payload = {"meta": {"unsubscribe": unsubscribe,
                        "documentation": f"{statuspage_settings.get().page_url}#subscribe"},
               "page": page_json, "incident": shaped}
    return Outgoing(channel="webhook", destination=subscriber.destination, kind=KIND,
                    payload=payload, signing_secret=subscribers.secret_of(subscriber), key=key)


def _page_json(uow: UnitOfWork, page_code: str) -> dict[str, Any]:
    """The page and its indicator as they will be once this unit commits."""
    level, description = indicator([c.status for c in components.get_all(uow.session)],
                                   [i.impact for i in records.unresolved(uow.session)])
    return {"id": page_code, "status_indicator": level, "status_description": description}

