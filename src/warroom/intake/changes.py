"""Change events (PagerDuty's ``/v2/change/enqueue``): deploys, config pushes
and the like, kept per service and shown on the incidents they may explain.

A deploy shortly before an outage is the first thing a responder asks about,
so an incident's view lists the changes to its services, and those sent with
the routing key of the integration its alerts came through, in the
``WARROOM_CHANGE_WINDOW_HOURS`` before it started.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select

from warroom.intake import settings as intake_settings
from warroom.intake.models import Alert, ChangeEvent

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident
    from warroom.intake.integrations import Caller
    from warroom.intake.sources.pagerduty import ChangeEvent as ChangeIn

SHOWN = 20


def record(uow: UnitOfWork, *, event: ChangeIn, caller: Caller | None) -> ChangeEvent:
    """Store one change; its time is the sender's, or now (never later than now)."""
    now = uow.now()
    happened = min(event.payload.timestamp or now, now)
    change = ChangeEvent(service=event.payload.source, integration_id=caller.id if caller else None,
                         summary=event.payload.summary[:1024], happened_at=happened,
                         custom_details=event.payload.custom_details,
                         links=list(event.links or []), received_at=now)
    uow.session.add(change)
    uow.session.flush()
    return change


def recent(session: Session, incident: Incident) -> list[ChangeEvent]:
    """Changes that touched the incident's services in the window before it started."""
    window = timedelta(hours=intake_settings.get().change_window_hours)
    services = _services(incident)
    integrations = list(session.scalars(select(Alert.integration_id).distinct().where(
        Alert.incident_id == incident.id, Alert.integration_id.is_not(None))))
    if not services and not integrations:
        return []
    query = select(ChangeEvent).where(
        ChangeEvent.happened_at >= incident.started_at - window,
        ChangeEvent.happened_at <= max(incident.started_at, incident.detected_at),
        or_(ChangeEvent.service.in_(services), ChangeEvent.integration_id.in_(integrations)))
    return list(session.scalars(query.order_by(ChangeEvent.happened_at.desc()).limit(SHOWN)))


def incident_extra(session: Session, incident: Incident) -> dict[str, Any]:
    """``extra.recent_changes`` of the incident view (newest first; left out
    when there are none, like every other domain's entry)."""
    changes = [{"summary": c.summary, "service": c.service,
                "happened_at": c.happened_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "custom_details": c.custom_details, "links": c.links}
               for c in recent(session, incident)]
    return {"recent_changes": changes} if changes else {}


def _services(incident: Incident) -> list[str]:
    """The incident's services, and the ``service``/``source`` labels its
    alerts share (PagerDuty events name what they are about in ``source``)."""
    labels = incident.labels or {}
    named = [*(incident.services or []), labels.get("service"), labels.get("source")]
    return sorted({str(name) for name in named if name})
