"""Shape status page records for operators (API and CLI alike)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.incidents import service as internal_incidents
from warroom.statuspage import page, records, service
from warroom.statuspage import settings as statuspage_settings
from warroom.statuspage.components import service as components
from warroom.statuspage.schemas import ComponentOut, EntryOut, PageOut, SubscriberOut, UpdateOut
from warroom.statuspage.vocabulary import indicator

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.statuspage.models import Component, PublicIncident, Subscriber


def component(row: Component) -> ComponentOut:
    return ComponentOut(id=row.code, name=row.name, description=row.description,
                        group=row.group_name, position=row.position, status=row.status,
                        showcase=row.showcase, only_show_if_degraded=row.only_show_if_degraded,
                        created_at=row.created_at, updated_at=row.updated_at)


def entry(session: Session, row: PublicIncident) -> EntryOut:
    updates = records.updates_of(session, [row.id])[row.id]
    touched = records.components_of(session, [row.id])[row.id]
    internal = internal_incidents.get(session, incident_id=row.internal_incident_id) \
        if row.internal_incident_id else None
    return EntryOut(
        id=row.code, kind=row.kind, name=row.name, status=row.status, impact=row.impact,
        internal_incident=internal.ref if internal else None, created_at=row.created_at,
        updated_at=row.updated_at, resolved_at=row.resolved_at,
        scheduled_for=row.scheduled_for, scheduled_until=row.scheduled_until,
        auto_transition=row.auto_transition, components=[c.name for c in touched],
        updates=[UpdateOut(id=u.code, status=u.status, body=u.body, created_at=u.created_at,
                           affected_components=u.affected_components) for u in updates],
        public_url=f"{statuspage_settings.get().page_url}/incidents/{row.code}")


def subscriber(row: Subscriber, *, secret: str | None = None) -> SubscriberOut:
    return SubscriberOut(id=row.code, kind=row.kind, destination=row.destination,
                         status=row.status, created_at=row.created_at,
                         confirmed_at=row.confirmed_at, unsubscribed_at=row.unsubscribed_at,
                         secret=secret)


def overview(session: Session, *, current: PublicIncident | None = None) -> PageOut:
    """The page as it stands: indicator, components, maintenance mode and the
    notice open now (the one just posted, when the caller has it)."""
    current = current or service.current_notice(session)
    shown = components.get_all(session)
    level, description = indicator([c.status for c in shown],
                                   [i.impact for i in records.unresolved(session)])
    mode = service.maintenance_mode(session)
    settings = statuspage_settings.get()
    return PageOut(id=page.get(session).page_code, name=settings.statuspage_name,
                   url=settings.page_url, indicator=level, description=description,
                   maintenance_mode=entry(session, mode) if mode else None,
                   components=[component(c) for c in shown],
                   current_incident=entry(session, current) if current else None)
