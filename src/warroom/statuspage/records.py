"""The notices as they are stored: their two kinds and the reads every part
of the status page shares (by code, lists, each notice's updates and
components); a notice deleted through the Statuspage manage API (``hidden_at``)
is left out of every one of them. Writing them is ``incidents`` and ``maintenance``; publishing
and the subscribers' notifications only read, through here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import UnaryExpression, select

from warroom.errors import NotFound
from warroom.statuspage.models import AffectedComponent, Component, IncidentUpdate, PublicIncident
from warroom.statuspage.vocabulary import FINISHED

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

INCIDENT = "incident"
MAINTENANCE = "maintenance"


def get_by_code(session: Session, *, code: str, kind: str | None = None
                ) -> PublicIncident | None:
    query = select(PublicIncident).where(PublicIncident.code == str(code).strip(),
                                         PublicIncident.hidden_at.is_(None))
    if kind:
        query = query.where(PublicIncident.kind == kind)
    return session.scalar(query)


def get_by_code_or_raise(session: Session, *, code: str, kind: str = INCIDENT
                         ) -> PublicIncident:
    found = get_by_code(session, code=code, kind=kind)
    if found is None:
        what = "public incident" if kind == INCIDENT else "maintenance"
        raise NotFound(f"There is no {what} {code!r} on the status page.")
    return found


def get_all(session: Session, *, kind: str, statuses: tuple[str, ...] | None = None,
            finished: bool | None = None, limit: int = 50,
            offset: int = 0) -> list[PublicIncident]:
    """Newest first (maintenance: latest window first)."""
    query = select(PublicIncident).where(PublicIncident.kind == kind,
                                         PublicIncident.hidden_at.is_(None))
    if statuses:
        query = query.where(PublicIncident.status.in_(statuses))
    if finished is not None:
        done = PublicIncident.status.in_(FINISHED)
        query = query.where(done if finished else ~done)
    order: tuple[UnaryExpression[Any], ...] = (PublicIncident.scheduled_for.desc(),
                                               PublicIncident.id.desc())
    if kind == INCIDENT:
        order = (PublicIncident.created_at.desc(), PublicIncident.id.desc())
    return list(session.scalars(query.order_by(*order).limit(limit).offset(offset)))


def unresolved(session: Session) -> list[PublicIncident]:
    return get_all(session, kind=INCIDENT, finished=False, limit=500)


def updates_of(session: Session, incident_ids: list[int]) -> dict[int, list[IncidentUpdate]]:
    """Each incident's updates, newest first."""
    found: dict[int, list[IncidentUpdate]] = {i: [] for i in incident_ids}
    if incident_ids:
        for update in session.scalars(select(IncidentUpdate)
                                      .where(IncidentUpdate.incident_id.in_(incident_ids))
                                      .order_by(IncidentUpdate.id.desc())):
            found[update.incident_id].append(update)
    return found


def components_of(session: Session, incident_ids: list[int]) -> dict[int, list[Component]]:
    found: dict[int, list[Component]] = {i: [] for i in incident_ids}
    if incident_ids:
        rows = session.execute(select(AffectedComponent.incident_id, Component)
                               .join(Component, Component.id == AffectedComponent.component_id)
                               .where(AffectedComponent.incident_id.in_(incident_ids))
                               .order_by(Component.position, Component.name))
        for incident_id, component in rows:
            found[incident_id].append(component)
    return found
