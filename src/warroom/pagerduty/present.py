"""warroom's objects in PagerDuty's shapes (REST API v2).

Every object carries PagerDuty's ``id``, ``type``, ``summary``, ``self`` (its
URL under this API) and ``html_url`` (where a person sees it: an incident's
is the console's ``/incidents/INC-n``). References (``*_reference``) are the
same five fields, as PagerDuty sends them inside other objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from warroom.incidents.phases import Phase
from warroom.pagerduty import ids
from warroom.pagerduty import settings as pd_settings

if TYPE_CHECKING:
    from warroom.auth.models import User
    from warroom.incidents.models import Incident, TimelineEvent
    from warroom.oncall.policies.document import Policy
    from warroom.oncall.schedules.models import Schedule

PREFIX = "/pagerduty"
TRIGGERED = (Phase.detection,)
RESOLVED = (Phase.lessons_learned, Phase.closed)
ACKNOWLEDGED = tuple(p for p in Phase if p not in TRIGGERED and p not in RESOLVED)
STATUS_PHASES = {"triggered": TRIGGERED, "acknowledged": ACKNOWLEDGED, "resolved": RESOLVED}
PD_ROLES = {"viewer": "observer", "responder": "limited_user", "commander": "user",
            "admin": "admin"}
LOG_TYPES = {"declared": "trigger", "ack": "acknowledge", "note": "annotate",
             "role": "assign", "escalation": "escalate", "severity": "urgency_change"}
NO_SERVICE = "default"


def stamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Links:
    """Where objects live: ``base`` is warroom's public URL."""

    base: str

    def api(self, path: str) -> str:
        return f"{self.base}{PREFIX}/{path}"

    def reference(self, kind: str, pd_id: str, summary: str, path: str,
                  html_url: str | None) -> dict[str, Any]:
        return {"id": pd_id, "type": kind, "summary": summary, "self": self.api(path),
                "html_url": html_url}

    def incident_url(self, incident: Incident) -> str:
        return f"{self.base}/incidents/{incident.ref}"

    def oncall_url(self) -> str:
        return f"{self.base}/oncall"


def status(incident: Incident) -> str:
    phase = Phase(incident.phase)
    if phase in RESOLVED:
        return "resolved"
    if phase in TRIGGERED and incident.acknowledged_at is None:
        return "triggered"
    return "acknowledged"


def urgency(severity: str) -> str:
    high = pd_settings.get().pagerduty_urgency_severity["high"]
    return "high" if _rank(severity) <= _rank(high) else "low"


def _rank(severity: str) -> int:
    digits = severity.removeprefix("sev")
    return int(digits) if digits.isdigit() else 99


def service_name(incident: Incident) -> str:
    return (incident.services or [NO_SERVICE])[0]


def service_ref(links: Links, name: str, kind: str = "service_reference") -> dict[str, Any]:
    pd_id = ids.named(ids.SERVICE, name)
    return links.reference(kind, pd_id, name, f"services/{pd_id}",
                           f"{links.base}/incidents?service={name}")


def service(links: Links, name: str, policy: str | None) -> dict[str, Any]:
    return {**service_ref(links, name, "service"), "name": name, "description": name,
            "status": "active", "auto_resolve_timeout": None, "acknowledgement_timeout": None,
            "escalation_policy": policy_ref(links, policy) if policy else None,
            "teams": [], "incident_urgency_rule": {"type": "constant", "urgency": "high"}}


def user_ref(links: Links, user: User, kind: str = "user_reference") -> dict[str, Any]:
    pd_id = ids.numbered(ids.USER, user.id)
    return links.reference(kind, pd_id, user.display_name or user.username, f"users/{pd_id}",
                           links.oncall_url())


def user(links: Links, person: User, *, with_email: bool) -> dict[str, Any]:
    return {**user_ref(links, person, "user"), "name": person.display_name or person.username,
            "email": person.email if with_email else None, "time_zone": "UTC",
            "role": PD_ROLES.get(person.role, "limited_user"), "description": person.username,
            "job_title": None, "teams": [], "contact_methods": [], "notification_rules": []}


def policy_ref(links: Links, name: str,
               kind: str = "escalation_policy_reference") -> dict[str, Any]:
    pd_id = ids.named(ids.POLICY, name)
    return links.reference(kind, pd_id, name, f"escalation_policies/{pd_id}",
                           links.oncall_url())


def policy(links: Links, found: Policy, targets: list[list[dict[str, Any]]],
           services: list[str]) -> dict[str, Any]:
    rules = []
    offsets = [*found.offsets()[1:], None]
    for index, (step, step_targets) in enumerate(zip(found.steps, targets, strict=True)):
        after = offsets[index]
        delay = (after - found.offsets()[index]) // 60 if after is not None else step.delay // 60
        rules.append({"id": f"{ids.named(ids.POLICY, found.name)}R{index + 1}",
                      "escalation_delay_in_minutes": max(int(delay), 0),
                      "targets": step_targets})
    return {**policy_ref(links, found.name, "escalation_policy"), "name": found.name,
            "description": found.description, "num_loops": found.repeat,
            "on_call_handoff_notifications": "if_has_services", "escalation_rules": rules,
            "services": [service_ref(links, name) for name in services], "teams": []}


def schedule_ref(links: Links, schedule: Schedule,
                 kind: str = "schedule_reference") -> dict[str, Any]:
    pd_id = ids.numbered(ids.SCHEDULE, schedule.id)
    return links.reference(kind, pd_id, schedule.name, f"schedules/{pd_id}",
                           links.oncall_url())


def schedule(links: Links, found: Schedule, people: list[User],
             policies: list[str]) -> dict[str, Any]:
    return {**schedule_ref(links, found, "schedule"), "name": found.name,
            "time_zone": found.time_zone, "description": found.description,
            "users": [user_ref(links, person) for person in people],
            "escalation_policies": [policy_ref(links, name) for name in policies],
            "teams": []}


def incident_ref(links: Links, incident: Incident,
                 kind: str = "incident_reference") -> dict[str, Any]:
    pd_id = ids.numbered(ids.INCIDENT, incident.id)
    drill = "[DRILL] " if incident.is_drill else ""
    return links.reference(kind, pd_id, f"[#{incident.id}] {drill}{incident.title}",
                           f"incidents/{pd_id}", links.incident_url(incident))


@dataclass(frozen=True)
class Detail:
    """What an incident's PagerDuty shape needs beyond the incident row."""

    incident_key: str | None
    policy: str | None
    assignees: list[User]
    acknowledger: User | None
    changed_by: User | None
    """Who last changed the status, if a person (else the service did)."""


def incident(links: Links, row: Incident, detail: Detail) -> dict[str, Any]:
    current = status(row)
    changed = (row.resolved_at if current == "resolved"
               else row.acknowledged_at if current == "acknowledged" else row.declared_at)
    ack = []
    if current == "acknowledged":
        by = (user_ref(links, detail.acknowledger) if detail.acknowledger is not None
              else None)
        ack = [{"at": stamp(row.acknowledged_at), "acknowledger": by}]
    assignments = [] if current == "resolved" else [
        {"at": stamp(row.declared_at), "assignee": user_ref(links, person)}
        for person in detail.assignees]
    return {
        **incident_ref(links, row, "incident"),
        "incident_number": row.id,
        "title": row.title,
        "description": row.title,
        "created_at": stamp(row.declared_at),
        "updated_at": stamp(row.updated_at),
        "status": current,
        "incident_key": detail.incident_key,
        "service": service_ref(links, service_name(row)),
        "assignments": assignments,
        "assigned_via": "escalation_policy" if detail.policy else None,
        "acknowledgements": ack,
        "last_status_change_at": stamp(changed or row.updated_at),
        "last_status_change_by": user_ref(links, detail.changed_by)
        if detail.changed_by is not None else service_ref(links, service_name(row)),
        "first_trigger_log_entry": None,
        "escalation_policy": policy_ref(links, detail.policy) if detail.policy else None,
        "teams": [],
        "pending_actions": [],
        "urgency": urgency(row.severity),
        "priority": {"id": row.severity.upper(), "type": "priority_reference",
                     "summary": row.severity.upper(), "self": None, "html_url": None},
        "resolved_at": stamp(row.resolved_at) if current == "resolved" else None,
        "body": {"type": "incident_body", "details": row.description},
        "is_drill": row.is_drill,
    }


def log_entry(links: Links, row: Incident, event: TimelineEvent) -> dict[str, Any]:
    kind = LOG_TYPES.get(event.kind, "annotate")
    data = event.data or {}
    if event.kind == "phase" and data.get("to") in (Phase.lessons_learned, Phase.closed):
        kind = "resolve"
    pd_id = ids.numbered(ids.LOG_ENTRY, event.id)
    entry = links.reference(f"{kind}_log_entry", pd_id, event.summary,
                            f"log_entries/{pd_id}", f"{links.incident_url(row)}#event-{event.id}")
    return {**entry, "created_at": stamp(event.at),
            "agent": {"type": "user_reference" if "@" not in event.actor
                      and ":" not in event.actor else "service_reference",
                      "summary": event.actor, "id": None, "self": None, "html_url": None},
            "channel": {"type": "api" if kind != "annotate" else "note",
                        "summary": event.summary},
            "incident": incident_ref(links, row), "service": service_ref(links,
                                                                          service_name(row)),
            "teams": [], "contexts": [], "event_details": {"description": event.summary}}


def note(links: Links, event: TimelineEvent, author: User | None) -> dict[str, Any]:
    return {"id": ids.numbered(ids.NOTE, event.id),
            "user": user_ref(links, author) if author is not None else None,
            "channel": {"summary": "The PagerDuty REST API"},
            "content": event.summary, "created_at": stamp(event.at)}


def page(key: str, items: list[Any], *, limit: int, offset: int, total: int | None,
         more: bool) -> dict[str, Any]:
    return {key: items, "limit": limit, "offset": offset, "more": more, "total": total}
