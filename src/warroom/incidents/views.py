"""Shape an incident for the API and CLI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.auth import service as users
from warroom.incidents import catalog, hooks, service
from warroom.incidents.phases import Phase, legal_next
from warroom.incidents.schemas import IncidentOut, RoleOut, Targets

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from warroom.incidents.models import Incident


def present(session: Session, incident: Incident, *, now: datetime,
            with_extras: bool = True) -> IncidentOut:
    severity = catalog.severity(incident.severity)
    role_names = {r.id: r.name for r in catalog.roles()}
    names = _usernames(session, incident)
    due = service.response_due(incident)
    acknowledged = incident.acknowledged_at
    extra: dict[str, object] = {}
    if with_extras:
        for found in hooks.view_extras.collect(session, incident):
            extra.update(found)
    return IncidentOut(
        id=incident.ref, number=incident.id, title=incident.title,
        description=incident.description, type=incident.type, severity=incident.severity,
        severity_name=severity.name, phase=incident.phase,
        legal_next_phases=[p.value for p in legal_next(Phase(incident.phase))],
        services=incident.services or [], labels=incident.labels or {},
        is_drill=incident.is_drill, personal_data_breach=incident.personal_data_breach,
        declared_in_error=incident.declared_in_error, source=incident.source,
        created_by=incident.created_by, started_at=incident.started_at,
        detected_at=incident.detected_at, declared_at=incident.declared_at,
        acknowledged_at=acknowledged, acknowledged_by=incident.acknowledged_by,
        contained_at=incident.contained_at, resolved_at=incident.resolved_at,
        closed_at=incident.closed_at, updated_at=incident.updated_at,
        roles=[RoleOut(role=r.role, name=role_names.get(r.role, r.role),
                       primary=names.get(r.primary_user_id), backup=names.get(r.backup_user_id),
                       assigned_at=r.assigned_at, assigned_by=r.assigned_by)
               for r in incident.roles],
        related=service.related(session, incident=incident),
        targets=Targets(
            response_target=severity.response_target.text, response_due_at=due,
            response_breached=(acknowledged or now) > due,
            minutes_to_acknowledge=_minutes(incident.declared_at, acknowledged),
            minutes_to_contain=_minutes(incident.detected_at, incident.contained_at),
            minutes_to_resolve=_minutes(incident.started_at, incident.resolved_at)),
        extra=extra,
    )


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return round((end - start).total_seconds() / 60, 2) if end else None


def _usernames(session: Session, incident: Incident) -> dict[int | None, str]:
    ids = {r.primary_user_id for r in incident.roles} | {r.backup_user_id for r in incident.roles}
    found: dict[int | None, str] = {}
    for user_id in {user_id for user_id in ids if user_id is not None}:
        user = users.get(session, user_id=user_id)
        if user:
            found[user_id] = user.username
    return found
