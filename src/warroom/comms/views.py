"""The ``comms`` entry of the incident view: updates sent and the next one due."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom import clock
from warroom.comms import cadence, service

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.incidents.models import Incident


def summary(session: Session, incident: Incident) -> dict[str, Any]:
    sent = service.get_all(session, incident_id=incident.id)
    state = cadence.status(session, incident=incident, now=clock.now())
    if not sent and state["next_update_due_at"] is None:
        return {}
    updates = [m.update_number for m in sent if m.update_number]
    return {"comms": {
        "messages_sent": len(sent), "last_update_number": max(updates, default=None),
        "cadence_minutes": state["cadence_minutes"],
        "last_update_at": _iso(state["last_update_at"]),
        "next_update_due_at": _iso(state["next_update_due_at"]), "overdue": state["overdue"],
    }}


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None
