"""Admin routes of the status page, including the seed playbook's two calls
(``/api/v1/admin/status`` and ``/api/v1/admin/maintenance``). Reading needs
``statuspage:read``; changing anything public needs ``statuspage:write``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from warroom.auth.deps import requires, requires_on_incident
from warroom.auth.permissions import Permission
from warroom.db import Actor
from warroom.errors import Conflict
from warroom.http import DbInt, read_session, write_unit
from warroom.incidents import service as internal_incidents
from warroom.statuspage import present, records, service
from warroom.statuspage.components import service as components
from warroom.statuspage.notices import incidents, maintenance
from warroom.statuspage.records import INCIDENT, MAINTENANCE
from warroom.statuspage.schemas import (
    AdminMaintenanceIn,
    AdminStatusIn,
    ComponentEdit,
    ComponentIn,
    ComponentOut,
    EntryOut,
    IncidentEdit,
    IncidentIn,
    IncidentUpdateIn,
    MaintenanceEdit,
    MaintenanceIn,
    MaintenanceUpdateIn,
    PageOut,
    SubscriberIn,
    SubscriberOut,
)
from warroom.statuspage.subscribers import service as subscribers
from warroom.statuspage.vocabulary import ACTIVE_MAINTENANCE

router = APIRouter(tags=["status page"])
Reader = Annotated[Actor, requires(Permission.statuspage_read)]
Writer = Annotated[Actor, requires(Permission.statuspage_write)]


def linked_roles(session: Session, params: dict[str, Any], user_id: int) -> set[str]:
    """The caller's roles on the internal incident a public incident points at."""
    entry = records.get_by_code(session, code=params.get("code", ""), kind=INCIDENT)
    internal = entry.internal_incident_id if entry is not None else None
    linked = internal_incidents.get(session, incident_id=internal) if internal else None
    return internal_incidents.roles_held(session, incident=linked, user_id=user_id)


LinkedWriter = Annotated[Actor, requires_on_incident(Permission.statuspage_write, linked_roles)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[DbInt, Query(ge=0)]
Open = Annotated[str | None, Query(pattern="^(open|finished)$",
                                   description="open: not resolved/completed yet")]


@router.post("/api/v1/admin/status", response_model=PageOut)
def report_status(body: AdminStatusIn, request: Request, actor: Writer) -> PageOut:
    """Seed 002's status page update: component statuses plus a message that
    opens, updates or resolves the page's current status notice."""
    with write_unit(request, actor) as uow:
        notice = service.report_status(uow, report=service.StatusReport(**body.model_dump()))
        return present.overview(uow.session, current=notice)


@router.post("/api/v1/admin/maintenance", response_model=PageOut)
def maintenance_mode(body: AdminMaintenanceIn, request: Request, actor: Writer) -> PageOut:
    """Seed 002's maintenance mode: on (banner, components under maintenance)
    or off (components back to their previous statuses)."""
    with write_unit(request, actor) as uow:
        service.set_maintenance_mode(uow, enabled=body.enabled, message=body.message,
                                     component_names=body.components)
        return present.overview(uow.session)


@router.get("/api/v1/statuspage", response_model=PageOut)
def overview(request: Request, actor: Reader) -> PageOut:
    _ready(request)
    with read_session(request) as session:
        return present.overview(session)


@router.get("/api/v1/statuspage/components", response_model=list[ComponentOut])
def list_components(request: Request, actor: Reader) -> list[ComponentOut]:
    _ready(request)
    with read_session(request) as session:
        return [present.component(c) for c in components.get_all(session)]


@router.post("/api/v1/statuspage/components", status_code=201, response_model=ComponentOut)
def create_component(body: ComponentIn, request: Request, actor: Writer) -> ComponentOut:
    _ready(request)
    with write_unit(request, actor) as uow:
        return present.component(components.create(uow, **body.model_dump()))


@router.get("/api/v1/statuspage/components/{component}", response_model=ComponentOut)
def get_component(component: str, request: Request, actor: Reader) -> ComponentOut:
    with read_session(request) as session:
        return present.component(components.get_by_name_or_raise(session, name=component))


@router.patch("/api/v1/statuspage/components/{component}", response_model=ComponentOut)
def edit_component(component: str, body: ComponentEdit, request: Request,
                   actor: Writer) -> ComponentOut:
    with write_unit(request, actor) as uow:
        row = components.get_by_name_or_raise(uow.session, name=component)
        components.update(uow, component=row, changes=body.model_dump(exclude_unset=True))
        return present.component(row)


@router.delete("/api/v1/statuspage/components/{component}", status_code=204)
def delete_component(component: str, request: Request, actor: Writer) -> Response:
    with write_unit(request, actor) as uow:
        components.delete(uow, component=components.get_by_name_or_raise(uow.session,
                                                                         name=component))
    return Response(status_code=204)


@router.get("/api/v1/statuspage/incidents", response_model=list[EntryOut])
def list_incidents(request: Request, actor: Reader, status: Open = None, limit: Limit = 50,
                   offset: Offset = 0) -> list[EntryOut]:
    """Public incidents, newest first."""
    return _list(request, INCIDENT, status, limit, offset)


@router.post("/api/v1/statuspage/incidents", status_code=201, response_model=EntryOut)
def create_incident(body: IncidentIn, request: Request, actor: Writer) -> EntryOut:
    """Open a public incident; its text is written here, never copied from the
    internal incident it may point at."""
    _ready(request)
    with write_unit(request, actor) as uow:
        row = incidents.create(uow, name=body.name, impact_override=body.impact,
                               internal_ref=body.internal_incident,
                               posting=incidents.posting(
                                   uow.session, status=body.status, body=body.body,
                                   wanted=body.components,
                                   deliver_notifications=body.deliver_notifications))
        return present.entry(uow.session, row)


@router.get("/api/v1/statuspage/incidents/{code}", response_model=EntryOut)
def get_incident(code: str, request: Request, actor: Reader) -> EntryOut:
    with read_session(request) as session:
        return present.entry(session, records.get_by_code_or_raise(session, code=code))


@router.patch("/api/v1/statuspage/incidents/{code}", response_model=EntryOut)
def edit_incident(code: str, body: IncidentEdit, request: Request, actor: Writer) -> EntryOut:
    with write_unit(request, actor) as uow:
        row = records.get_by_code_or_raise(uow.session, code=code)
        incidents.edit(uow, incident=row, changes=body.model_dump(exclude_unset=True))
        return present.entry(uow.session, row)


@router.delete("/api/v1/statuspage/incidents/{code}", status_code=204)
def delete_incident(code: str, request: Request, actor: Writer) -> Response:
    with write_unit(request, actor) as uow:
        incidents.delete(uow, incident=records.get_by_code_or_raise(uow.session, code=code))
    return Response(status_code=204)


@router.post("/api/v1/statuspage/incidents/{code}/updates", status_code=201,
             response_model=EntryOut)
def post_incident_update(code: str, body: IncidentUpdateIn, request: Request,
                         actor: LinkedWriter) -> EntryOut:
    """Post an update; the comms lead of the linked incident may too."""
    with write_unit(request, actor) as uow:
        row = records.get_by_code_or_raise(uow.session, code=code)
        incidents.post_update(uow, incident=row, posting=incidents.posting(
            uow.session, status=body.status,
            body=body.body or incidents.default_body(body.status), wanted=body.components,
            deliver_notifications=body.deliver_notifications))
        return present.entry(uow.session, row)


@router.get("/api/v1/statuspage/maintenances", response_model=list[EntryOut])
def list_maintenances(request: Request, actor: Reader, status: Open = None,
                      limit: Limit = 50, offset: Offset = 0) -> list[EntryOut]:
    """Maintenance windows, latest window first."""
    return _list(request, MAINTENANCE, status, limit, offset)


@router.post("/api/v1/statuspage/maintenances", status_code=201, response_model=EntryOut)
def schedule_maintenance(body: MaintenanceIn, request: Request, actor: Writer) -> EntryOut:
    """Announce a window; it starts and ends by itself on the clock."""
    _ready(request)
    with write_unit(request, actor) as uow:
        row = maintenance.schedule(
            uow, name=body.name, scheduled_for=body.scheduled_for,
            scheduled_until=body.scheduled_until, component_names=body.components,
            body=body.body, auto_transition=body.auto_transition,
            verify_minutes=body.verify_minutes,
            deliver_notifications=body.deliver_notifications)
        return present.entry(uow.session, row)


@router.get("/api/v1/statuspage/maintenances/{code}", response_model=EntryOut)
def get_maintenance(code: str, request: Request, actor: Reader) -> EntryOut:
    with read_session(request) as session:
        return present.entry(session, records.get_by_code_or_raise(session, code=code,
                                                                     kind=MAINTENANCE))


@router.patch("/api/v1/statuspage/maintenances/{code}", response_model=EntryOut)
def edit_maintenance(code: str, body: MaintenanceEdit, request: Request,
                     actor: Writer) -> EntryOut:
    with write_unit(request, actor) as uow:
        row = records.get_by_code_or_raise(uow.session, code=code, kind=MAINTENANCE)
        maintenance.edit(uow, window=row, changes=body.model_dump(exclude_unset=True))
        return present.entry(uow.session, row)


@router.delete("/api/v1/statuspage/maintenances/{code}", status_code=204)
def delete_maintenance(code: str, request: Request, actor: Writer) -> Response:
    """Cancel a window that has not started (or remove a finished one)."""
    with write_unit(request, actor) as uow:
        row = records.get_by_code_or_raise(uow.session, code=code, kind=MAINTENANCE)
        if row.status in ACTIVE_MAINTENANCE:
            raise Conflict(f"Maintenance {code} is {row.status}; complete it first (POST "
                           f"/api/v1/statuspage/maintenances/{code}/updates).")
        incidents.delete(uow, incident=row)
    return Response(status_code=204)


@router.post("/api/v1/statuspage/maintenances/{code}/updates", status_code=201,
             response_model=EntryOut)
def post_maintenance_update(code: str, body: MaintenanceUpdateIn, request: Request,
                            actor: Writer) -> EntryOut:
    """Move a window by hand (start early, verify, complete, resume)."""
    with write_unit(request, actor) as uow:
        row = records.get_by_code_or_raise(uow.session, code=code, kind=MAINTENANCE)
        maintenance.move(uow, window=row, status=body.status, body=body.body,
                         deliver_notifications=body.deliver_notifications)
        return present.entry(uow.session, row)


@router.get("/api/v1/statuspage/subscribers", response_model=list[SubscriberOut])
def list_subscribers(request: Request, actor: Writer, kind: str | None = Query(None),
                     status: str | None = Query(None), limit: Limit = 100,
                     offset: Offset = 0) -> list[SubscriberOut]:
    """Subscribers (addresses are personal data: commanders and admins only)."""
    with read_session(request) as session:
        rows, _ = subscribers.get_all(session, kind=kind, status=status, limit=limit,
                                      offset=offset)
        return [present.subscriber(s) for s in rows]


@router.post("/api/v1/statuspage/subscribers", status_code=201, response_model=SubscriberOut)
def add_subscriber(body: SubscriberIn, request: Request, actor: Writer) -> SubscriberOut:
    """An email address (sent a confirmation link first) or a signed webhook
    (active at once; its secret is in this answer only)."""
    with write_unit(request, actor) as uow:
        if body.kind == subscribers.WEBHOOK:
            row, secret = subscribers.add_webhook(uow, url=body.url or "", secret=body.secret)
            return present.subscriber(row, secret=secret)
        return present.subscriber(subscribers.subscribe_email(uow, email=body.email or ""))


@router.delete("/api/v1/statuspage/subscribers/{code}", status_code=204)
def remove_subscriber(code: str, request: Request, actor: Writer) -> Response:
    with write_unit(request, actor) as uow:
        subscribers.remove(uow, subscriber=subscribers.get_by_code_or_raise(uow.session,
                                                                           code=code))
    return Response(status_code=204)


def _list(request: Request, kind: str, status: str | None, limit: int,
          offset: int) -> list[EntryOut]:
    _ready(request)
    finished = None if status is None else status == "finished"
    with read_session(request) as session:
        rows = records.get_all(session, kind=kind, finished=finished, limit=limit,
                                 offset=offset)
        return [present.entry(session, r) for r in rows]


def _ready(request: Request) -> None:
    """A fresh database gets its default components before anyone looks."""
    request.app.state.statuspage.current()
