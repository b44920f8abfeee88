"""Declare, change and close incidents.

Every change here writes a timeline event and an audit entry in the caller's
unit of work and fires the matching hook, so paging, playbooks and the status
page follow along in the same transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, bindparam, func, or_, select

from warroom.audit import service as audit
from warroom.auth import service as users
from warroom.errors import Conflict, Invalid, NotFound, one_of
from warroom.incidents import catalog, hooks, integrity, timeline
from warroom.incidents.models import Incident, IncidentLink, RoleAssignment
from warroom.incidents.phases import (
    MILESTONES,
    MILESTONES_ON_ENTRY,
    OPEN_PHASES,
    Phase,
    is_legal,
    legal_next,
    parse,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork

REF = re.compile(r"^(?:inc-)?(\d{1,12})$", re.IGNORECASE)
MAX_LABELS = 64
MAX_LABEL_KEY = 128
MAX_LABEL_VALUE = 1024
MAX_SERVICES = 32
EDITABLE_MILESTONES = MILESTONES
_TABLE = Incident.__table__
_STATES = select(_TABLE.c.id, _TABLE.c.phase, _TABLE.c.severity) \
    .where(_TABLE.c.id.in_(bindparam("ids", expanding=True)))


@dataclass
class Declaration:
    """What a person or an alert says when declaring an incident."""

    type: str
    severity: str
    description: str = ""
    title: str | None = None
    services: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    is_drill: bool = False
    personal_data_breach: bool = False
    related: list[str] = field(default_factory=list)
    started_at: datetime | None = None
    detected_at: datetime | None = None
    source: str = "manual"
    context: dict[str, Any] = field(default_factory=dict)
    """Passed to ``hooks.declared`` listeners (routing rule, playbook, policy...)."""


@dataclass
class Filters:
    phase: list[str] = field(default_factory=list)
    severity: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    status: str | None = None  # open | closed
    text: str | None = None
    is_drill: bool | None = None
    service: str | None = None


def get(session: Session, *, incident_id: int) -> Incident | None:
    return session.get(Incident, incident_id)


def many(session: Session, *, ids: Iterable[int]) -> dict[int, Incident]:
    """Incidents by id in one query, for a batch that works on many at once
    (read only: incidents change through this service)."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {i.id: i for i in session.scalars(select(Incident).where(Incident.id.in_(wanted)))}


def states(session: Session, *, ids: Iterable[int | None]) -> dict[int, tuple[str, str]]:
    """(phase, severity) of many incidents in one Core statement: what alert
    intake needs to attach a storm of alerts, without loading the rows."""
    wanted = sorted({incident_id for incident_id in ids if incident_id is not None})
    if not wanted:
        return {}
    rows = session.connection().execute(_STATES, {"ids": wanted})
    return {row.id: (row.phase, row.severity) for row in rows}


def ids_outside_phases(phases: Iterable[str]) -> Select[int]:
    """The ids of the incidents in none of ``phases``, as a subquery: another
    domain filters its own rows by incident phase in one statement without
    joining this domain's table (``Row.incident_id.in_(...)``)."""
    return select(Incident.id).where(Incident.phase.not_in(list(phases)))


def ids_after(last_id: int, *, limit: int) -> Select[int]:
    """The next ``limit`` incident ids after ``last_id``, in order: for a batch
    that walks every incident (recomputing derived figures)."""
    return select(Incident.id).where(Incident.id > last_id).order_by(Incident.id).limit(limit)


def get_by_ref(session: Session, *, ref: str) -> Incident | None:
    match = REF.match(str(ref).strip())
    return session.get(Incident, int(match.group(1))) if match else None


def get_by_ref_or_raise(session: Session, *, ref: str) -> Incident:
    incident = get_by_ref(session, ref=ref)
    if incident is None:
        raise NotFound(f"There is no incident {ref!r}; incident ids look like INC-42.")
    return incident


def get_for_update(uow: UnitOfWork, *, ref: str) -> Incident:
    """The incident, locked against concurrent changes until commit."""
    match = REF.match(str(ref).strip())
    incident = (uow.session.get(Incident, int(match.group(1)), with_for_update=True)
                if match else None)
    if incident is None:
        raise NotFound(f"There is no incident {ref!r}; incident ids look like INC-42.")
    return incident


def get_all(session: Session, *, filters: Filters, limit: int = 50,
            offset: int = 0) -> tuple[list[Incident], int]:
    query = select(Incident)
    if filters.phase:
        query = query.where(Incident.phase.in_([_phase(p).value for p in filters.phase]))
    if filters.severity:
        query = query.where(Incident.severity.in_([catalog.severity(s).id
                                                   for s in filters.severity]))
    if filters.type:
        query = query.where(Incident.type.in_([catalog.incident_type(t).value
                                               for t in filters.type]))
    if filters.status == "open":
        query = query.where(Incident.phase != Phase.closed)
    elif filters.status == "closed":
        query = query.where(Incident.phase == Phase.closed)
    elif filters.status is not None:
        raise Invalid(one_of(filters.status, ["open", "closed"], "status filter"))
    if filters.is_drill is not None:
        query = query.where(Incident.is_drill.is_(filters.is_drill))
    if filters.text:
        pattern = f"%{_escape_like(filters.text.strip())}%"
        query = query.where(or_(Incident.title.ilike(pattern, escape="\\"),
                                Incident.description.ilike(pattern, escape="\\")))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if filters.service:
        rows = [i for i in session.scalars(query.order_by(Incident.id.desc()))
                if filters.service in (i.services or [])]
        return rows[offset:offset + limit], len(rows)
    rows = list(session.scalars(query.order_by(Incident.id.desc()).limit(limit).offset(offset)))
    return rows, total


def declare(uow: UnitOfWork, *, declaration: Declaration) -> Incident:
    """Open a new incident in the detection phase."""
    now = uow.now()
    kind = catalog.incident_type(declaration.type)
    severity = catalog.severity(declaration.severity)
    description = declaration.description.strip()
    title = (declaration.title or "").strip() or _title_from(description, kind, severity)
    detected_at = declaration.detected_at or now
    started_at = declaration.started_at or detected_at
    _check_not_future(now, started_at=started_at, detected_at=detected_at)
    if started_at > detected_at:
        raise Invalid("started_at cannot be later than detected_at.")
    incident = Incident(
        title=title[:300], description=description, type=kind.value, severity=severity.id,
        phase=Phase.detection.value, services=_services(declaration.services),
        labels=_labels(declaration.labels), is_drill=declaration.is_drill,
        personal_data_breach=declaration.personal_data_breach, source=declaration.source,
        created_by=uow.actor.label, started_at=started_at, detected_at=detected_at,
        declared_at=now, updated_at=now)
    uow.session.add(incident)
    uow.session.flush()
    integrity.changed(uow, incident.id, declared=True)
    for ref in declaration.related:
        link(uow, incident=incident, other_ref=ref)
    drill = " (drill)" if incident.is_drill else ""
    timeline.add(uow, incident_id=incident.id, kind="declared",
                 summary=f"{incident.ref} declared{drill}: {severity.id} ({severity.name}) "
                         f"{kind.value} - {incident.title}",
                 data={"severity": severity.id, "type": kind.value, "source": incident.source})
    audit.record(uow, action="incident.declare", target=f"incident:{incident.ref}",
                 after=snapshot(incident))
    hooks.declared.fire(uow, incident, context=declaration.context)
    return incident


def update(uow: UnitOfWork, *, incident: Incident, changes: dict[str, Any]) -> Incident:
    """Change descriptive fields; severity changes get their own timeline kind."""
    before = snapshot(incident)
    applied: dict[str, Any] = {}
    for name, value in changes.items():
        if value is None:
            continue
        if name == "severity":
            new = catalog.severity(value).id
            if new != incident.severity:
                change_severity(uow, incident=incident, severity=new, reason=changes.get("reason"))
            continue
        if name not in _EDITABLE:
            continue
        value = _EDITABLE[name](value)
        if getattr(incident, name) != value:
            setattr(incident, name, value)
            applied[name] = value
    if applied:
        _touch(uow, incident)
        timeline.add(uow, incident_id=incident.id, kind="update",
                     summary="Changed " + ", ".join(sorted(applied)), data={"changes": applied})
        audit.record(uow, action="incident.update", target=f"incident:{incident.ref}",
                     before=before, after=snapshot(incident))
        hooks.updated.fire(uow, incident, changes=applied)
    return incident


def change_severity(uow: UnitOfWork, *, incident: Incident, severity: str,
                    reason: str | None = None) -> Incident:
    """Raise or lower the severity. Lowering needs a reason: it slows the
    escalation and the response target, so the timeline must say why."""
    new = catalog.severity(severity)
    previous = incident.severity
    if new.id == previous:
        return incident
    lowered = new.rank > int(previous.removeprefix("sev"))
    reason = (reason or "").strip() or None
    if lowered and reason is None:
        raise Invalid(f"reason: lowering {incident.ref} from {previous} to {new.id} needs a "
                      "reason; it slows the escalation and is kept on the timeline.",
                      errors=[{"field": "reason", "message": "is required to lower the "
                               "severity"}])
    incident.severity = new.id
    _touch(uow, incident)
    direction = "lowered" if lowered else "raised"
    because = f": {reason}" if reason else ""
    timeline.add(uow, incident_id=incident.id, kind="severity",
                 summary=f"Severity {direction} from {previous} to {new.id}{because}",
                 data={"from": previous, "to": new.id, "reason": reason})
    audit.record(uow, action="incident.severity", target=f"incident:{incident.ref}",
                 before={"severity": previous}, after={"severity": new.id, "reason": reason})
    hooks.severity_changed.fire(uow, incident, previous=previous, current=new.id)
    return incident


def transition(uow: UnitOfWork, *, incident: Incident, target: str, note: str | None = None,
               override_reason: str | None = None) -> Incident:
    """Move to ``target`` if the table allows it and no listener objects."""
    current = Phase(incident.phase)
    wanted = _phase(target)
    if wanted == current:
        raise Conflict(f"{incident.ref} is already in {current.value}.",
                       phase=current.value, legal_next=[p.value for p in legal_next(current)])
    if not is_legal(current, wanted):
        options = [p.value for p in legal_next(current)]
        allowed = " or ".join(options) if options else "nothing: it is closed"
        raise Conflict(f"{incident.ref} is in {current.value}; it can move to {allowed}, "
                       f"not {wanted.value}.", phase=current.value, legal_next=options)
    hooks.before_transition.fire(uow, incident, wanted, override_reason=override_reason)
    _enter(uow, incident, current, wanted, note=note)
    return incident


def acknowledge(uow: UnitOfWork, *, incident: Incident, by: str | None = None) -> bool:
    """Someone is on it: stamp the acknowledgement (first one wins) and move a
    freshly detected incident into triage. False if it was already acknowledged
    or is closed (there is nothing left to acknowledge)."""
    by = by or uow.actor.label
    if incident.acknowledged_at is not None or incident.phase == Phase.closed:
        return False
    incident.acknowledged_at = uow.now()
    incident.acknowledged_by = by
    _touch(uow, incident)
    timeline.add(uow, incident_id=incident.id, kind="ack", actor=by,
                 summary=f"Acknowledged by {by}")
    audit.record(uow, action="incident.acknowledge", target=f"incident:{incident.ref}",
                 after={"acknowledged_by": by, "acknowledged_at": incident.acknowledged_at})
    hooks.acknowledged.fire(uow, incident, by=by)
    if incident.phase == Phase.detection:
        _enter(uow, incident, Phase.detection, Phase.triage, note=None)
    return True


def mark_declared_in_error(uow: UnitOfWork, *, incident: Incident, reason: str) -> Incident:
    """Close an incident that never was one; it stays on record, flagged."""
    if not reason.strip():
        raise Invalid("Say why the incident was declared in error.")
    if incident.phase == Phase.closed:
        raise Conflict(f"{incident.ref} is already closed.")
    previous = Phase(incident.phase)
    incident.declared_in_error = True
    incident.phase = Phase.closed.value
    incident.closed_at = uow.now()
    _touch(uow, incident)
    timeline.add(uow, incident_id=incident.id, kind="phase",
                 summary=f"Closed as declared in error: {reason}",
                 data={"from": previous.value, "to": "closed", "declared_in_error": True})
    audit.record(uow, action="incident.declared_in_error", target=f"incident:{incident.ref}",
                 before={"phase": previous.value}, after={"phase": "closed", "reason": reason})
    hooks.transitioned.fire(uow, incident, previous=previous, current=Phase.closed)
    return incident


def assign_role(uow: UnitOfWork, *, incident: Incident, role: str, primary: str | None,
                backup: str | None) -> RoleAssignment:
    """Give a role a primary and a backup person (either may be empty)."""
    role_def = catalog.role(role)
    primary_user = users.get_by_username_or_raise(uow.session, username=primary) if primary \
        else None
    backup_user = users.get_by_username_or_raise(uow.session, username=backup) if backup else None
    if primary_user and backup_user and primary_user.id == backup_user.id:
        raise Invalid("The primary and the backup must be different people.")
    assignment = uow.session.scalar(select(RoleAssignment).where(
        RoleAssignment.incident_id == incident.id, RoleAssignment.role == role_def.id))
    before = None
    if assignment is None:
        assignment = RoleAssignment(role=role_def.id)
        incident.roles.append(assignment)
    else:
        before = {"primary": _username(uow, assignment.primary_user_id),
                  "backup": _username(uow, assignment.backup_user_id)}
    assignment.primary_user_id = primary_user.id if primary_user else None
    assignment.backup_user_id = backup_user.id if backup_user else None
    assignment.assigned_at = uow.now()
    assignment.assigned_by = uow.actor.label
    _touch(uow, incident)
    uow.session.flush()
    after = {"primary": primary_user.username if primary_user else None,
             "backup": backup_user.username if backup_user else None}
    timeline.add(uow, incident_id=incident.id, kind="role",
                 summary=f"{role_def.name}: primary {after['primary'] or '-'}, "
                         f"backup {after['backup'] or '-'}",
                 data={"role": role_def.id, **after})
    audit.record(uow, action="incident.assign_role",
                 target=f"incident:{incident.ref}/role:{role_def.id}", before=before, after=after)
    hooks.role_assigned.fire(uow, incident, role=role_def.id,
                             primary_user_id=assignment.primary_user_id,
                             backup_user_id=assignment.backup_user_id)
    return assignment


def roles_held(session: Session, *, incident: Incident | None, user_id: int) -> set[str]:
    """The roles a person holds (primary or backup) on an open incident; none
    once it is closed, so what a role grants ends with its incident."""
    if incident is None or not incident.is_open:
        return set()
    return {a.role for a in incident.roles if user_id in (a.primary_user_id, a.backup_user_id)}


def add_note(uow: UnitOfWork, *, incident: Incident, text: str) -> None:
    text = text.strip()
    if not text:
        raise Invalid("A note needs some text.")
    timeline.add(uow, incident_id=incident.id, kind="note", summary=text)
    _touch(uow, incident)
    audit.record(uow, action="incident.note", target=f"incident:{incident.ref}",
                 after={"text": text})


def edit_milestone(uow: UnitOfWork, *, incident: Incident, name: str, value: datetime | None,
                   reason: str) -> Incident:
    """Correct a milestone (people learn the real start time later)."""
    if name not in EDITABLE_MILESTONES:
        raise Invalid(one_of(name, list(EDITABLE_MILESTONES), "milestone"))
    if not reason.strip():
        raise Invalid("Say why the milestone is being changed; the reason is kept.")
    if value is None and name in ("started_at", "detected_at", "declared_at"):
        raise Invalid(f"{name} cannot be cleared.")
    if value is not None:
        _check_not_future(uow.now(), **{name: value})
    previous = getattr(incident, name)
    setattr(incident, name, value)
    _check_order(incident)
    hooks.milestone_changed.fire(uow, incident, name=name, previous=previous, current=value)
    _touch(uow, incident)
    timeline.add(uow, incident_id=incident.id, kind="milestone",
                 summary=f"{name} changed from {_fmt(previous)} to {_fmt(value)}: {reason}",
                 data={"milestone": name, "from": _iso(previous), "to": _iso(value),
                       "reason": reason})
    audit.record(uow, action="incident.milestone", target=f"incident:{incident.ref}",
                 before={name: previous}, after={name: value, "reason": reason})
    return incident


def link(uow: UnitOfWork, *, incident: Incident, other_ref: str,
         kind: str = "related") -> IncidentLink | None:
    other = get_by_ref_or_raise(uow.session, ref=other_ref)
    if other.id == incident.id:
        raise Invalid("An incident cannot be related to itself.")
    low, high = sorted((incident.id, other.id))
    existing = uow.session.scalar(select(IncidentLink).where(
        IncidentLink.low_id == low, IncidentLink.high_id == high))
    if existing:
        return None
    row = IncidentLink(low_id=low, high_id=high, kind=kind, created_at=uow.now())
    uow.session.add(row)
    for mine, theirs in ((incident, other), (other, incident)):
        timeline.add(uow, incident_id=mine.id, kind="link",
                     summary=f"Linked to {theirs.ref} ({kind})",
                     data={"incident": theirs.ref, "kind": kind})
    audit.record(uow, action="incident.link", target=f"incident:{incident.ref}",
                 after={"related": other.ref, "kind": kind})
    return row


def unlink(uow: UnitOfWork, *, incident: Incident, other_ref: str) -> None:
    other = get_by_ref_or_raise(uow.session, ref=other_ref)
    low, high = sorted((incident.id, other.id))
    existing = uow.session.scalar(select(IncidentLink).where(
        IncidentLink.low_id == low, IncidentLink.high_id == high))
    if existing is None:
        raise NotFound(f"{incident.ref} is not linked to {other.ref}.")
    uow.session.delete(existing)
    timeline.add(uow, incident_id=incident.id, kind="link", summary=f"Unlinked from {other.ref}")
    audit.record(uow, action="incident.unlink", target=f"incident:{incident.ref}",
                 before={"related": other.ref})


def related(session: Session, *, incident: Incident) -> list[dict[str, str]]:
    rows = session.scalars(select(IncidentLink).where(
        or_(IncidentLink.low_id == incident.id, IncidentLink.high_id == incident.id))
        .order_by(IncidentLink.id))
    return [{"incident": f"INC-{r.high_id if r.low_id == incident.id else r.low_id}",
             "kind": r.kind} for r in rows]


def count_open_by(session: Session) -> list[tuple[str, str, int]]:
    """(severity, phase, count) for open incidents, for /metrics."""
    rows = session.execute(select(Incident.severity, Incident.phase, func.count())
                           .where(Incident.phase.in_([p.value for p in OPEN_PHASES]))
                           .group_by(Incident.severity, Incident.phase))
    return [(s, p, n) for s, p, n in rows]


def response_due(incident: Incident) -> datetime:
    return catalog.severity(incident.severity).response_target.due(incident.declared_at)


def snapshot(incident: Incident) -> dict[str, Any]:
    return {
        "ref": incident.ref, "title": incident.title, "type": incident.type,
        "severity": incident.severity, "phase": incident.phase,
        "services": incident.services, "labels": incident.labels,
        "is_drill": incident.is_drill, "personal_data_breach": incident.personal_data_breach,
        "declared_in_error": incident.declared_in_error,
        **{name: getattr(incident, name) for name in MILESTONES},
    }


def _enter(uow: UnitOfWork, incident: Incident, current: Phase, wanted: Phase,
           *, note: str | None) -> None:
    now = uow.now()
    stamped = []
    for milestone in MILESTONES_ON_ENTRY.get(wanted, ()):
        if getattr(incident, milestone) is None:
            setattr(incident, milestone, now)
            stamped.append(milestone)
    if "acknowledged_at" in stamped:
        incident.acknowledged_by = uow.actor.label
    incident.phase = wanted.value
    _touch(uow, incident)
    suffix = f": {note}" if note else ""
    timeline.add(uow, incident_id=incident.id, kind="phase",
                 summary=f"Phase {current.value} -> {wanted.value}{suffix}",
                 data={"from": current.value, "to": wanted.value, "milestones": stamped,
                       "note": note})
    audit.record(uow, action="incident.transition", target=f"incident:{incident.ref}",
                 before={"phase": current.value},
                 after={"phase": wanted.value, "milestones": stamped, "note": note})
    hooks.transitioned.fire(uow, incident, previous=current, current=wanted)


def _touch(uow: UnitOfWork, incident: Incident) -> None:
    """Stamp the change and have its final state sealed into the audit chain."""
    incident.updated_at = uow.now()
    integrity.changed(uow, incident.id)


def _phase(value: str) -> Phase:
    phase = parse(value)
    if phase is None:
        raise Invalid(one_of(value, [p.value for p in Phase], "phase"))
    return phase


def _title_from(description: str, kind: catalog.IncidentType,
                severity: catalog.Severity) -> str:
    first_line = description.splitlines()[0].strip() if description else ""
    if first_line:
        return first_line if len(first_line) <= 120 else first_line[:117] + "..."
    return f"{severity.name} {kind.value.replace('_', ' ')}"


def _services(services: list[str]) -> list[str]:
    cleaned = []
    for service in services:
        name = str(service).strip()
        if not name:
            continue
        if len(name) > 100:
            raise Invalid(f"Service name {name[:20]!r}... is longer than 100 characters.")
        if name not in cleaned:
            cleaned.append(name)
    if len(cleaned) > MAX_SERVICES:
        raise Invalid(f"An incident can name at most {MAX_SERVICES} services.")
    return cleaned


def _labels(labels: dict[str, Any]) -> dict[str, str]:
    if len(labels) > MAX_LABELS:
        raise Invalid(f"An incident can carry at most {MAX_LABELS} labels, got {len(labels)}.")
    cleaned = {}
    for key, value in labels.items():
        key = str(key)
        text = "" if value is None else str(value)
        if not key or len(key) > MAX_LABEL_KEY:
            raise Invalid(f"Label names must be 1-{MAX_LABEL_KEY} characters; {key[:20]!r} "
                          "is not.")
        if len(text) > MAX_LABEL_VALUE:
            raise Invalid(f"Label {key!r} is longer than {MAX_LABEL_VALUE} characters.")
        cleaned[key] = text
    return cleaned


def _title(title: Any) -> str:
    text = str(title).strip()
    if not text:
        raise Invalid("title cannot be empty.")
    return text


def _unchanged(value: Any) -> Any:
    return value


_EDITABLE: dict[str, Callable[[Any], Any]] = {
    "type": lambda value: catalog.incident_type(value).value, "services": _services,
    "labels": _labels, "title": _title, "description": _unchanged,
    "personal_data_breach": _unchanged, "is_drill": _unchanged}
"""The descriptive fields update() changes, each with how its value is checked."""


def _check_not_future(now: datetime, **moments: datetime | None) -> None:
    slack = timedelta(minutes=5)  # clocks of other machines drift a little
    for name, moment in moments.items():
        if moment is not None and moment > now + slack:
            raise Invalid(f"{name} ({_fmt(moment)}) is in the future.")


def _check_order(incident: Incident) -> None:
    """Milestones must not run backwards (started <= detected <= declared ...)."""
    previous_name, previous = None, None
    for name in MILESTONES:
        moment = getattr(incident, name)
        if moment is None:
            continue
        if previous is not None and moment < previous:
            raise Invalid(f"{name} ({_fmt(moment)}) cannot be earlier than {previous_name} "
                          f"({_fmt(previous)}).")
        previous_name, previous = name, moment


def _username(uow: UnitOfWork, user_id: int | None) -> str | None:
    user = users.get(uow.session, user_id=user_id) if user_id else None
    return user.username if user else None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _fmt(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "unset"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
