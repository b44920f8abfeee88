"""HTTP routes for incidents: parse, authorize, call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from warroom.auth.deps import requires
from warroom.auth.permissions import Permission, allows
from warroom.db import Actor
from warroom.errors import Forbidden
from warroom.http import DbInt, Page, read_session, write_unit
from warroom.incidents import catalog, service, timeline
from warroom.incidents.phases import TRANSITIONS, Phase
from warroom.incidents.schemas import (
    DeclaredInErrorIn,
    IncidentCreate,
    IncidentOut,
    IncidentUpdate,
    LinkIn,
    MilestoneEdit,
    NoteIn,
    RoleAssignIn,
    SeverityOut,
    TimelineEventOut,
    TransitionIn,
)
from warroom.incidents.views import present

router = APIRouter(tags=["incidents"])

Reader = Annotated[Actor, requires(Permission.incident_read)]
Writer = Annotated[Actor, requires(Permission.incident_write)]
Commander = Annotated[Actor, requires(Permission.incident_command)]


@router.get("/api/v1/severities", response_model=list[SeverityOut])
def list_severities(actor: Reader) -> list[SeverityOut]:
    """The four severities with their response targets and escalation tiers."""
    return [SeverityOut(
        id=s.id, name=s.name, aliases=s.aliases, definition=s.definition, criteria=s.criteria,
        examples=s.examples, response_target=s.response_target.text,
        response_target_minutes=s.response_target.minutes,
        engagement_target=s.engagement_target.text,
        engagement_target_minutes=s.engagement_target.minutes, escalation=s.escalation,
        escalation_tier=s.escalation_tier, update_cadence_minutes=s.update_cadence_minutes)
        for s in catalog.severities()]


@router.get("/api/v1/incident-types")
def list_types(actor: Reader) -> list[dict[str, str]]:
    return [{"id": t.value, "description": catalog.TYPE_DESCRIPTIONS[t]}
            for t in catalog.IncidentType]


@router.get("/api/v1/incident-roles")
def list_roles(actor: Reader) -> list[dict[str, object]]:
    return [r.model_dump() for r in catalog.roles()]


@router.get("/api/v1/phases")
def list_phases(actor: Reader) -> list[dict[str, object]]:
    """The lifecycle and its transition table."""
    return [{"id": p.value, "next": [n.value for n in TRANSITIONS[p]]} for p in Phase]


@router.post("/api/v1/incidents", status_code=201, response_model=IncidentOut)
def declare(body: IncidentCreate, request: Request, response: Response,
            actor: Writer) -> IncidentOut:
    """Declare an incident."""
    with write_unit(request, actor) as uow:
        incident = service.declare(uow, declaration=service.Declaration(
            **body.model_dump(exclude_none=True), source="api"))
        response.headers["Location"] = f"/api/v1/incidents/{incident.ref}"
        return present(uow.session, incident, now=uow.now())


@router.post("/api/v1/admin/incidents", status_code=201, response_model=IncidentOut)
def declare_admin(body: IncidentCreate, request: Request, response: Response,
                  actor: Writer) -> IncidentOut:
    """The seed playbook's declaration call; same as ``POST /api/v1/incidents``."""
    return declare(body, request, response, actor)


@router.get("/api/v1/incidents", response_model=Page[IncidentOut])
def list_incidents(
    request: Request, actor: Reader,
    phase: Annotated[list[str] | None, Query()] = None,
    severity: Annotated[list[str] | None, Query()] = None,
    type: Annotated[list[str] | None, Query()] = None,
    status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    drill: bool | None = None,
    service_name: Annotated[str | None, Query(alias="service", max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[DbInt, Query(ge=0)] = 0,
) -> Page[IncidentOut]:
    """Incidents, newest first. Filters combine with AND; repeat a filter to OR values."""
    filters = service.Filters(phase=phase or [], severity=severity or [], type=type or [],
                              status=status, text=q, is_drill=drill, service=service_name)
    with read_session(request) as session:
        rows, total = service.get_all(session, filters=filters, limit=limit, offset=offset)
        now = request.app.state.clock.now()
        return Page[IncidentOut](items=[present(session, i, now=now, with_extras=False)
                                        for i in rows],
                                 total=total, limit=limit, offset=offset)


@router.get("/api/v1/incidents/{ref}", response_model=IncidentOut)
def get_incident(ref: str, request: Request, actor: Reader) -> IncidentOut:
    with read_session(request) as session:
        incident = service.get_by_ref_or_raise(session, ref=ref)
        return present(session, incident, now=request.app.state.clock.now())


@router.patch("/api/v1/incidents/{ref}", response_model=IncidentOut)
def update_incident(ref: str, body: IncidentUpdate, request: Request,
                    actor: Writer) -> IncidentOut:
    with write_unit(request, actor) as uow:
        incident = service.get_for_update(uow, ref=ref)
        service.update(uow, incident=incident, changes=body.model_dump(exclude_unset=True))
        return present(uow.session, incident, now=uow.now())


@router.post("/api/v1/incidents/{ref}/transition", response_model=IncidentOut)
def transition(ref: str, body: TransitionIn, request: Request, actor: Writer) -> IncidentOut:
    """Move to another phase. Closing, and overriding a failed gate, need a commander."""
    if (body.phase.strip().lower() == Phase.closed or body.override_reason) and not allows(
            actor.role or "viewer", Permission.incident_command):
        raise Forbidden("Closing an incident or overriding a gate needs the commander role.")
    with write_unit(request, actor) as uow:
        incident = service.get_for_update(uow, ref=ref)
        service.transition(uow, incident=incident, target=body.phase, note=body.note,
                           override_reason=body.override_reason)
        return present(uow.session, incident, now=uow.now())


@router.post("/api/v1/incidents/{ref}/acknowledge", response_model=IncidentOut)
def acknowledge(ref: str, request: Request,
                actor: Annotated[Actor, requires(Permission.page_ack)]) -> IncidentOut:
    """Say you are on it: stops escalation and records who and when."""
    with write_unit(request, actor) as uow:
        incident = service.get_for_update(uow, ref=ref)
        service.acknowledge(uow, incident=incident)
        return present(uow.session, incident, now=uow.now())


@router.post("/api/v1/incidents/{ref}/roles", response_model=IncidentOut)
def assign_role(ref: str, body: RoleAssignIn, request: Request,
                actor: Commander) -> IncidentOut:
    with write_unit(request, actor) as uow:
        incident = service.get_for_update(uow, ref=ref)
        service.assign_role(uow, incident=incident, role=body.role, primary=body.primary,
                            backup=body.backup)
        return present(uow.session, incident, now=uow.now())


@router.post("/api/v1/incidents/{ref}/notes", status_code=201,
             response_model=list[TimelineEventOut])
def add_note(ref: str, body: NoteIn, request: Request, actor: Writer) -> list[TimelineEventOut]:
    with write_unit(request, actor) as uow:
        incident = service.get_for_update(uow, ref=ref)
        service.add_note(uow, incident=incident, text=body.text)
        uow.session.flush()
        events = timeline.page(uow.session, incident_id=incident.id, kind="note", limit=1)
        return [TimelineEventOut.model_validate(e, from_attributes=True) for e in events]


@router.get("/api/v1/incidents/{ref}/timeline", response_model=list[TimelineEventOut])
def read_timeline(ref: str, request: Request, actor: Reader,
                  kind: Annotated[str | None, Query(max_length=30)] = None,
                  after_id: Annotated[DbInt, Query(ge=0)] = 0,
                  limit: Annotated[int, Query(ge=1, le=5000)] = 1000) -> list[TimelineEventOut]:
    with read_session(request) as session:
        incident = service.get_by_ref_or_raise(session, ref=ref)
        events = timeline.get_all(session, incident_id=incident.id, kind=kind, limit=limit,
                                  after_id=after_id)
        return [TimelineEventOut.model_validate(e, from_attributes=True) for e in events]


@router.post("/api/v1/incidents/{ref}/milestones", response_model=IncidentOut)
def edit_milestone(ref: str, body: MilestoneEdit, request: Request,
                   actor: Commander) -> IncidentOut:
    """Correct a milestone time; the reason is kept on the timeline and audit log."""
    with write_unit(request, actor) as uow:
        incident = service.get_for_update(uow, ref=ref)
        service.edit_milestone(uow, incident=incident, name=body.milestone, value=body.value,
                               reason=body.reason)
        return present(uow.session, incident, now=uow.now())


@router.post("/api/v1/incidents/{ref}/declared-in-error", response_model=IncidentOut)
def declared_in_error(ref: str, body: DeclaredInErrorIn, request: Request,
                      actor: Commander) -> IncidentOut:
    """Close an incident that was not one. Incidents are never deleted."""
    with write_unit(request, actor) as uow:
        incident = service.get_for_update(uow, ref=ref)
        service.mark_declared_in_error(uow, incident=incident, reason=body.reason)
        return present(uow.session, incident, now=uow.now())


@router.post("/api/v1/incidents/{ref}/links", response_model=IncidentOut)
def link(ref: str, body: LinkIn, request: Request, actor: Writer) -> IncidentOut:
    with write_unit(request, actor) as uow:
        incident = service.get_for_update(uow, ref=ref)
        service.link(uow, incident=incident, other_ref=body.incident)
        return present(uow.session, incident, now=uow.now())


@router.delete("/api/v1/incidents/{ref}/links/{other}", response_model=IncidentOut)
def unlink(ref: str, other: str, request: Request, actor: Writer) -> IncidentOut:
    with write_unit(request, actor) as uow:
        incident = service.get_for_update(uow, ref=ref)
        service.unlink(uow, incident=incident, other_ref=other)
        return present(uow.session, incident, now=uow.now())
