"""Incidents as PagerDuty's REST API handles them, through warroom's own
services: opening declares (so paging starts as for any declaration),
acknowledging and resolving go through the incident core and on-call, so
paging stops exactly as with warroom's own acknowledgement; every change is
audited in the caller's unit of work."""

from __future__ import annotations

import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from warroom.audit import service as audit
from warroom.auth import service as users
from warroom.incidents import catalog
from warroom.incidents import service as incidents
from warroom.incidents.phases import TRANSITIONS, Phase
from warroom.oncall.escalation import service as escalations
from warroom.oncall.resolve import Resolver
from warroom.oncall.targets import TargetSpec
from warroom.pagerduty import catalogue, present
from warroom.pagerduty import settings as pd_settings
from warroom.pagerduty.errors import invalid
from warroom.pagerduty.models import OpenedIncident

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from warroom.auth.models import User
    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident

DEDUP = "Open incident with matching dedup key already exists on this service"
STATUS_LIST = "Status must be a list of triggered, acknowledged, or resolved."
URGENCY_LIST = "Urgency must be a list of high or low."


@dataclass
class NewIncident:
    """``POST /incidents``'s ``incident`` object, references already read."""

    title: str
    service: str
    urgency: str = "high"
    details: str = ""
    incident_key: str | None = None
    escalation_policy: str | None = None
    assignees: list[str] = field(default_factory=list)


@dataclass
class Change:
    """One incident's part of ``PUT /incidents[/{id}]``."""

    status: str | None = None
    urgency: str | None = None
    title: str | None = None
    escalation_policy: str | None = None
    assignees: list[str] = field(default_factory=list)
    resolution: str | None = None


def open_incident(uow: UnitOfWork, *, new: NewIncident, requester: User) -> Incident:
    settings = pd_settings.get()
    service = catalogue.resolve_service(uow.session, new.service)
    policy = catalogue.resolve_policy(uow.session, new.escalation_policy) \
        if new.escalation_policy else None
    assignees = [catalogue.resolve_user(uow.session, ref) for ref in new.assignees]
    if policy is not None and assignees:
        raise invalid("Incident can only have assignments or escalation_policy, not both.")
    key = (new.incident_key or "").strip() or uuid.uuid4().hex
    if _open_with_key(uow.session, service, key):
        raise invalid(DEDUP)
    context = {"escalation_policy": policy.name} if policy is not None else {}
    incident = incidents.declare(uow, declaration=incidents.Declaration(
        type=settings.pagerduty_incident_type,
        severity=settings.pagerduty_urgency_severity[new.urgency],
        title=new.title, description=new.details, services=[service],
        source="pagerduty", context=context))
    uow.session.add(OpenedIncident(incident_id=incident.id, service=service, incident_key=key,
                                   created_at=uow.now()))
    audit.record(uow, action="pagerduty.incident.create", target=f"incident:{incident.ref}",
                 after={"service": service, "incident_key": key, "urgency": new.urgency,
                        "from": requester.username})
    if assignees:
        _reassign(uow, incident, assignees)
    return incident


def update_incident(uow: UnitOfWork, *, incident: Incident, change: Change,
                    requester: User) -> Incident:
    """Apply one PagerDuty update: title, urgency, reassignment, then status
    (PagerDuty applies a reassignment before an acknowledgement in one call)."""
    before = {"status": present.status(incident), "severity": incident.severity}
    if change.status is not None and change.status not in ("acknowledged", "resolved"):
        raise invalid("Incident status can only be set to acknowledged or resolved.")
    if present.status(incident) == "resolved" and (change.status or change.urgency
                                                   or change.assignees):
        raise invalid("Incident Already Resolved")
    if change.title is not None:
        incidents.update(uow, incident=incident, changes={"title": change.title})
    if change.urgency is not None:
        _set_urgency(uow, incident, change.urgency, requester)
    if change.assignees:
        _reassign(uow, incident, [catalogue.resolve_user(uow.session, ref)
                                  for ref in change.assignees])
    if change.escalation_policy is not None:
        policy = catalogue.resolve_policy(uow.session, change.escalation_policy)
        escalations.choose_policy(uow, incident=incident, policy_name=policy.name)
    if change.status == "acknowledged":
        escalations.acknowledge_incident(uow, incident=incident, by=requester.username)
    elif change.status == "resolved":
        _resolve(uow, incident, requester, change.resolution)
    audit.record(uow, action="pagerduty.incident.update", target=f"incident:{incident.ref}",
                 before=before, after={"status": present.status(incident),
                                       "severity": incident.severity,
                                       "from": requester.username})
    return incident


def add_note(uow: UnitOfWork, *, incident: Incident, content: str, requester: User) -> None:
    if not content.strip():
        raise invalid("Note content must not be empty.")
    incidents.add_note(uow, incident=incident, text=content)
    audit.record(uow, action="pagerduty.note", target=f"incident:{incident.ref}",
                 after={"from": requester.username})


def list_incidents(session: Session, *, statuses: list[str], urgencies: list[str],
                   since: datetime | None, until: datetime | None,
                   services: list[str]) -> list[Incident]:
    """Matching incidents, oldest first (PagerDuty's order)."""
    bad = [s for s in statuses if s not in present.STATUS_PHASES]
    if bad:
        raise invalid(STATUS_LIST)
    if [u for u in urgencies if u not in pd_settings.URGENCIES]:
        raise invalid(URGENCY_LIST)
    if since is not None and until is not None and since > until:
        raise invalid("'since' must be before 'until'.")
    phases = [p.value for s in statuses for p in present.STATUS_PHASES[s]]
    severities = [s.id for s in catalog.severities() if present.urgency(s.id) in urgencies] \
        if urgencies else []
    if urgencies and not severities:
        return []
    rows, _ = incidents.get_all(session, filters=incidents.Filters(phase=phases,
                                                                   severity=severities),
                                limit=1_000_000)
    wanted = set(services)
    return sorted((row for row in rows
                   if (not statuses or present.status(row) in statuses)
                   and (since is None or row.declared_at >= since)
                   and (until is None or row.declared_at < until)
                   and (not wanted or present.service_name(row) in wanted)),
                  key=lambda row: row.id)


def detail(session: Session, incident: Incident, *, at: datetime) -> present.Detail:
    """The incident's assignees are who its escalation's current step
    reaches (PagerDuty assigns an incident to the level it escalated to)."""
    opened = session.get(OpenedIncident, incident.id)
    escalation = escalations.for_incident(session, incident_id=incident.id)
    latest: list[int] = []
    if escalation is not None:
        steps = escalation.policy.get("steps") or []
        step = steps[min(escalation.step_index, len(steps) - 1)] if steps else {}
        targets = [TargetSpec.model_validate(t) for t in step.get("targets", [])]
        latest = Resolver(session, at).people(targets, tuple(incident.services or ()))
    people = users.get_many(session, ids=latest)
    acknowledger = users.get_by_username(session, username=incident.acknowledged_by) \
        if incident.acknowledged_by else None
    creator = users.get_by_username(session, username=incident.created_by)
    return present.Detail(incident_key=opened.incident_key if opened else None,
                          policy=escalation.policy_name if escalation else None,
                          assignees=[people[i] for i in dict.fromkeys(latest) if i in people],
                          acknowledger=acknowledger,
                          changed_by=acknowledger if present.status(incident) != "triggered"
                          and acknowledger is not None else creator)


def _open_with_key(session: Session, service: str, key: str) -> bool:
    ids = list(session.scalars(select(OpenedIncident.incident_id).where(
        OpenedIncident.service == service, OpenedIncident.incident_key == key)))
    return any(phase not in (Phase.lessons_learned, Phase.closed)
               for phase, _ in incidents.states(session, ids=ids).values())


def _set_urgency(uow: UnitOfWork, incident: Incident, urgency: str, requester: User) -> None:
    if urgency not in pd_settings.URGENCIES:
        raise invalid("Urgency must be one of high or low.")
    if present.urgency(incident.severity) == urgency:
        return
    severity = pd_settings.get().pagerduty_urgency_severity[urgency]
    incidents.change_severity(uow, incident=incident, severity=severity,
                              reason=f"urgency set to {urgency} through the PagerDuty API by "
                                     f"{requester.username}")


def _reassign(uow: UnitOfWork, incident: Incident, people: list[User]) -> None:
    if len(people) > 1:
        raise invalid("warroom reassigns an incident to one user at a time; send one "
                      "assignment.")
    escalations.reassign(uow, incident=incident, to=TargetSpec(user=people[0].username))


def _resolve(uow: UnitOfWork, incident: Incident, requester: User,
             resolution: str | None) -> None:
    """Walk the shortest legal path to resolved (lessons_learned), each step
    through the incident core so its gates, milestones and hooks apply."""
    note = resolution or f"resolved through the PagerDuty API by {requester.username}"
    for phase in _path(Phase(incident.phase), Phase.lessons_learned):
        incidents.transition(uow, incident=incident, target=phase.value, note=note)


def _path(start: Phase, goal: Phase) -> list[Phase]:
    previous: dict[Phase, Phase | None] = {start: None}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        if current == goal:
            break
        for nxt in TRANSITIONS[current]:
            if nxt not in previous:
                previous[nxt] = current
                queue.append(nxt)
    path: list[Phase] = []
    step: Phase | None = goal
    while step is not None and step != start:
        path.append(step)
        step = previous.get(step)
    return list(reversed(path))
