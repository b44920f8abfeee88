"""What a message template can say about an incident.

Everything a seed template leaves in brackets ("[User impact description]",
"[Action 1 with timestamp]") gets a value: the person sending may give it, and
otherwise it is taken from the incident (its roles, its timeline, the steps due
now) or says plainly that it is not known yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.auth import service as users
from warroom.comms import settings as comms_settings
from warroom.comms.templates import manifest
from warroom.config import get_settings as core_settings
from warroom.hooks import Hook
from warroom.incidents import catalog, timeline
from warroom.incidents.phases import RESOLVED_PHASES

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from warroom.incidents.models import Incident

def _next_steps(session: Session, incident: Incident) -> list[str]:
    """The next steps one domain knows of (the playbook runner: the steps due now)."""
    return []


next_step_sources = Hook("comms.next_steps", _next_steps,
                         "Next steps a status update lists.")

ACTION_KINDS = ("phase", "step", "role", "note", "statuspage")
MAX_ACTIONS = 10


def build(session: Session, incident: Incident, *, fields: dict[str, Any],
          update_number: int | None, now: datetime) -> dict[str, Any]:
    """The template context: incident data, people, and the message fields."""
    people = role_people(session, incident)
    commander = people.get("incident_commander")
    resolved = incident.phase in RESOLVED_PHASES
    values = incident_values(incident)
    defaults: dict[str, Any] = {
        "brief": incident.title,
        "impact": _first_line(incident.description) or "Under assessment",
        "current_status": f"The incident is in the {incident.phase.replace('_', ' ')} phase.",
        "status": manifest().status_words.get(incident.phase, incident.phase),
        "root_cause": "Identified" if resolved else "Investigating",
        "eta": "Unknown",
        "actions": actions_taken(session, incident),
        "next_steps": next_steps(session, incident),
        "customer_impact": "Under assessment",
        "detected_by": incident.created_by,
        "public_impact": "a service disruption",
        "message": None,
    }
    given = {key: value for key, value in fields.items() if value not in (None, "", [])}
    return {
        **defaults, **given,
        "incident": values,
        "people": people,
        "commander": commander["name"] if commander else "Not assigned",
        "commander_contact": (commander or {}).get("email"),
        "communications_lead": (people.get("communications_lead") or {}).get(
            "name", "Not assigned"),
        "team_activated": bool(people),
        "update_number": update_number,
        "resolved": resolved,
        "public_status": "resolved" if resolved else "degraded",
        "affected": values["service_names"],
        "organisation": comms_settings.get().comms_organisation,
        "now": now,
    }


def role_people(session: Session, incident: Incident) -> dict[str, dict[str, str | None]]:
    """The primary person of each assigned role: name and email."""
    found: dict[str, dict[str, str | None]] = {}
    for assignment in incident.roles:
        user = users.get(session, user_id=assignment.primary_user_id) \
            if assignment.primary_user_id else None
        if user is not None:
            found[assignment.role] = {"name": user.display_name or user.username,
                                      "username": user.username, "email": user.email}
    return found


def actions_taken(session: Session, incident: Incident) -> list[str]:
    """The latest things done, from the timeline, each with its time."""
    events = [e for e in timeline.get_all(session, incident_id=incident.id)
              if e.kind in ACTION_KINDS and (e.kind != "step" or _succeeded(e.data))]
    return [f"{e.at:%H:%M} UTC {e.summary}" for e in events[-MAX_ACTIONS:]]


def next_steps(session: Session, incident: Incident) -> list[str]:
    found = [step for steps in next_step_sources.collect(session, incident) for step in steps]
    if not found:
        phase = incident.phase.replace("_", " ")
        found = [f"Continue the {phase} phase"]
    return found[:MAX_ACTIONS]


def incident_values(incident: Incident) -> dict[str, Any]:
    """The incident as plain values a template may read."""
    severity = catalog.severity(incident.severity)
    services = ", ".join(incident.services or []) or "our service"
    return {
        "ref": incident.ref, "title": incident.title, "description": incident.description,
        "type": incident.type, "type_name": incident.type.replace("_", " ").title(),
        "severity": severity.id, "severity_name": severity.name,
        "severity_number": severity.rank, "phase": incident.phase,
        "services": list(incident.services or []), "service_names": services,
        "labels": dict(incident.labels or {}), "is_drill": incident.is_drill,
        "personal_data_breach": incident.personal_data_breach,
        "started_at": incident.started_at, "detected_at": incident.detected_at,
        "declared_at": incident.declared_at, "resolved_at": incident.resolved_at,
        "url": f"{core_settings().base_url}/incidents/{incident.ref}",
    }


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0].strip() if text and text.strip() else ""


def _succeeded(data: dict[str, Any] | None) -> bool:
    return data is not None and data.get("status") == "succeeded"
