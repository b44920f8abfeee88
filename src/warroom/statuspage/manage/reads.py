"""The incident lists of Statuspage's manage API: all, unresolved,
scheduled, upcoming and active maintenance, with ``q`` (a word in the name
or an update) and ``page``/``per_page`` pagination. Hidden notices (deleted
through this API) are never listed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import exists, func, or_, select

from warroom.statuspage.models import IncidentUpdate, PublicIncident
from warroom.statuspage.records import INCIDENT, MAINTENANCE
from warroom.statuspage.vocabulary import ACTIVE_MAINTENANCE, FINISHED, MaintenanceStatus

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import Session

LISTS = ("all", "unresolved", "scheduled", "upcoming", "active_maintenance")


def listing(session: Session, *, which: str, q: str | None, page: int,
            per_page: int) -> list[PublicIncident]:
    """Newest first, as Statuspage lists them."""
    query = select(PublicIncident).where(PublicIncident.hidden_at.is_(None), *_which(which))
    if q and q.strip():
        word = q.strip().lower()
        query = query.where(or_(
            func.lower(PublicIncident.name).contains(word, autoescape=True),
            exists().where(IncidentUpdate.incident_id == PublicIncident.id,
                           func.lower(IncidentUpdate.body).contains(word, autoescape=True))))
    query = query.order_by(PublicIncident.created_at.desc(), PublicIncident.id.desc())
    return list(session.scalars(query.limit(per_page).offset((page - 1) * per_page)))


def _which(which: str) -> list[ColumnElement[bool]]:
    if which == "unresolved":
        return [PublicIncident.kind == INCIDENT, PublicIncident.status.not_in(FINISHED)]
    if which in ("scheduled", "upcoming"):
        return [PublicIncident.kind == MAINTENANCE,
                PublicIncident.status == MaintenanceStatus.scheduled]
    if which == "active_maintenance":
        return [PublicIncident.kind == MAINTENANCE,
                PublicIncident.status.in_([s.value for s in ACTIVE_MAINTENANCE])]
    return []
