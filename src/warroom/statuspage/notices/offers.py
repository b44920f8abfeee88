"""Notices left open after their incident ends.

A responder who resolves INC-7 at 4 a.m. rarely remembers that the public
page still says "investigating". So when an internal incident resolves
(``lessons_learned``) or closes, each unresolved public notice linked to it
is offered for resolution: on the incident's view (``extra.statuspage[].offer``),
as a prompt in ``warroom incident transition``, and, if it is still open
``WARROOM_STATUSPAGE_RESOLVE_REMINDER_MINUTES`` later, as a reminder on the
incident's timeline (once per resolution, by the worker's cycle).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from warroom.incidents import timeline
from warroom.incidents.hooks import Offer
from warroom.incidents.phases import Phase
from warroom.statuspage import records
from warroom.statuspage import settings as statuspage_settings
from warroom.statuspage.models import PublicIncident
from warroom.statuspage.notices import incidents
from warroom.statuspage.notices.incidents import Posting
from warroom.statuspage.records import INCIDENT
from warroom.statuspage.vocabulary import FINISHED, IncidentStatus

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident

ENDED = (Phase.lessons_learned, Phase.closed)


def has_ended(incident: Incident) -> bool:
    return incident.phase in ENDED


def open_notices(session: Session, incident_id: int) -> list[PublicIncident]:
    return list(session.scalars(
        select(PublicIncident)
        .where(PublicIncident.internal_incident_id == incident_id,
               PublicIncident.kind == INCIDENT, PublicIncident.status.not_in(FINISHED),
               PublicIncident.hidden_at.is_(None))
        .order_by(PublicIncident.id)))


def on_transition(uow: UnitOfWork, incident: Incident, *, previous: Phase,
                  current: Phase) -> None:
    """Queue the reminder when the incident ends; drop it when it reopens."""
    due = None
    if current in ENDED:
        minutes = statuspage_settings.get().statuspage_resolve_reminder_minutes
        due = uow.now() + timedelta(minutes=minutes)
    for notice in open_notices(uow.session, incident.id):
        if due is None or notice.resolve_offer_due_at is None:
            notice.resolve_offer_due_at = due


def remind_due(uow: UnitOfWork) -> datetime | None:
    """The worker's cycle: one timeline reminder per notice whose time came."""
    due = uow.session.scalars(
        select(PublicIncident)
        .where(PublicIncident.resolve_offer_due_at <= uow.now(),
               PublicIncident.status.not_in(FINISHED),
               PublicIncident.internal_incident_id.is_not(None))
        .with_for_update())
    for notice in due:
        assert notice.internal_incident_id is not None  # the query selects linked notices only
        notice.resolve_offer_due_at = None
        timeline.add(uow, incident_id=notice.internal_incident_id, kind="statuspage",
                     summary=f"Public notice {notice.code} ({notice.name!r}) is still "
                             f"{notice.status} although this incident has ended; "
                             f"resolve it: {_how(notice)}",
                     data={"public_id": notice.code, "status": notice.status,
                           "reminder": "resolve"})
    return uow.session.scalar(select(func.min(PublicIncident.resolve_offer_due_at)))


def offers(session: Session, incident: Incident) -> list[Offer]:
    """What ``warroom incident transition`` offers once the incident ended."""
    if not has_ended(incident):
        return []
    return [Offer(question=f"Public notice {n.code} ({n.name!r}) still says {n.status}. "
                           "Resolve it now?",
                  hint=f"Public notice {n.code} still says {n.status}: {_how(n)}",
                  accept=_resolver(n.code)) for n in open_notices(session, incident.id)]


def _resolver(code: str) -> Callable[[UnitOfWork], str]:
    def accept(uow: UnitOfWork) -> str:
        notice = records.get_by_code_or_raise(uow.session, code=code)
        if notice.status in FINISHED:
            return f"Public notice {code} was already resolved."
        incidents.post_update(uow, incident=notice, posting=Posting(
            status=IncidentStatus.resolved,
            body=incidents.default_body(IncidentStatus.resolved)))
        return f"Public notice {code} is resolved."
    return accept


def _how(notice: PublicIncident) -> str:
    return (f"`warroom status incident update {notice.code} --status resolved` or POST "
            f"/api/v1/statuspage/incidents/{notice.code}/updates")
