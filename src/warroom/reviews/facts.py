"""The review's facts, read from the record (never typed): the incident's
identity and times, its key events with who, pages, messages, status page
notices, playbook steps and response figures."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from warroom.comms import service as comms
from warroom.incidents import catalog, timeline
from warroom.oncall.escalation import service as escalation
from warroom.playbooks import service as playbooks
from warroom.reviews import figures

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.incidents.models import Incident, TimelineEvent

KEY_KINDS = ("declared", "ack", "role", "phase", "milestone", "severity", "review",
             "action_item", "statuspage")


def collect(session: Session, incident: Incident) -> dict[str, Any]:
    events = timeline.get_all(session, incident_id=incident.id, limit=100_000)
    end = incident.resolved_at or incident.closed_at
    pages = escalation.pages(session, incident_id=incident.id)
    messages = comms.get_all(session, incident_id=incident.id)
    steps = playbooks.get_steps(session, incident_id=incident.id)
    severity = catalog.severity(incident.severity)
    return {
        "incident": incident.ref, "title": incident.title, "type": incident.type,
        "severity": incident.severity, "severity_name": severity.name,
        "is_drill": incident.is_drill, "services": list(incident.services or []),
        "started_at": incident.started_at, "detected_at": incident.detected_at,
        "declared_at": incident.declared_at, "acknowledged_at": incident.acknowledged_at,
        "acknowledged_by": incident.acknowledged_by, "contained_at": incident.contained_at,
        "resolved_at": incident.resolved_at, "closed_at": incident.closed_at,
        "duration_seconds": (end - incident.started_at).total_seconds() if end else None,
        "key_events": [_event(e) for e in events if e.kind in KEY_KINDS],
        "pages": {"sent": len(pages), "people": len({p.user_id for p in pages}),
                  "answered": incident.acknowledged_at is not None,
                  "answered_by": incident.acknowledged_by},
        "comms": [{"template": m.template, "subject": m.subject, "sent_at": m.sent_at,
                   "sent_by": m.sent_by} for m in messages],
        "status_notices": [_event(e) for e in events if e.kind == "statuspage"],
        "playbook_steps": _steps(steps),
        "figures": [f.__dict__ for f in figures.compute(session, incident)],
    }


def _event(event: TimelineEvent) -> dict[str, Any]:
    return {"at": event.at, "kind": event.kind, "actor": event.actor, "summary": event.summary}


def _steps(steps: list[Any]) -> dict[str, Any]:
    counts = Counter("overridden" if s.overridden_at else s.status for s in steps)
    return {"total": len(steps), "done": counts["succeeded"], "skipped": counts["skipped"],
            "overridden": counts["overridden"], "failed": counts["failed"],
            "pending": len(steps) - sum(counts[k] for k in ("succeeded", "skipped",
                                                           "overridden", "failed")),
            "skipped_steps": [{"step": f"{s.playbook}:{s.step_id}", "title": s.title}
                              for s in steps if s.status == "skipped"],
            "overridden_steps": [{"step": f"{s.playbook}:{s.step_id}", "title": s.title,
                                  "by": s.overridden_by, "reason": s.override_reason}
                                 for s in steps if s.overridden_at]}
