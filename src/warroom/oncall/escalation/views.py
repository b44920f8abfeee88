"""The escalation as the incident view and the API show it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.oncall.escalation import service
from warroom.oncall.naming import usernames

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.incidents.models import Incident
    from warroom.oncall.escalation.models import Escalation


def summary(session: Session, escalation: Escalation, *, with_pages: bool = True
            ) -> dict[str, Any]:
    steps = escalation.policy.get("steps", [])
    timers = service.pending_timers(session, escalation=escalation)
    next_step = next((t.due_at for t in timers if t.kind == "step"), None)
    found: dict[str, Any] = {
        "policy": escalation.policy_name, "chosen_by": escalation.chosen_by,
        "state": escalation.state, "started_at": escalation.started_at,
        "next_step": escalation.step_index + 1 if escalation.step_index < len(steps) else None,
        "steps": len(steps), "repeat": escalation.loop,
        "next_step_due_at": next_step if escalation.state == "active" else None,
        "acknowledged_at": escalation.acknowledged_at,
        "acknowledged_by": escalation.acknowledged_by,
        "pending": [{"kind": t.kind, "due_at": t.due_at} for t in timers],
    }
    if with_pages:
        pages = service.pages(session, incident_id=escalation.incident_id)
        names = usernames(session, (p.user_id for p in pages))
        found["pages"] = [{"user": names.get(p.user_id), "at": p.at, "reason": p.reason,
                           "step": p.step_index + 1, "repeat": p.loop} for p in pages]
    return found


def incident_extra(session: Session, incident: Incident) -> dict[str, Any]:
    """Merged into the incident view's ``extra`` (nothing when not paging)."""
    escalation = service.for_incident(session, incident_id=incident.id)
    if escalation is None:
        return {}
    return {"escalation": summary(session, escalation, with_pages=False)}
