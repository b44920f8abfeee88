"""Routes of Statuspage's manage API v1 subset under ``/v1/pages/{page_id}``.
The page id is warroom's page id (``warroom statuspage show`` prints it);
reading needs ``statuspage:read``, changing anything ``statuspage:write``
(subscribers, being personal data, need ``statuspage:write`` to list)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from warroom.auth.deps import public, requires, sees_contacts
from warroom.auth.permissions import Permission
from warroom.db import Actor
from warroom.errors import NotFound
from warroom.http import read_session, write_unit
from warroom.openapi import problems
from warroom.statuspage import page, records
from warroom.statuspage import settings as statuspage_settings
from warroom.statuspage.components import service as components
from warroom.statuspage.manage import actions, reads, shapes
from warroom.statuspage.manage.auth import statuspage_caller
from warroom.statuspage.manage.errors import StatuspageRoute, error_response
from warroom.statuspage.manage.params import read_params, section
from warroom.statuspage.manage.schemas import (
    ComponentBody,
    IncidentBody,
    NewIncidentBody,
    SubscriberBody,
    body_of,
)
from warroom.statuspage.models import PublicIncident
from warroom.statuspage.notices import incidents
from warroom.statuspage.subscribers import service as subscribers

PREFIX = "/v1/pages/{page_id}"
router = APIRouter(tags=["Statuspage manage API v1"], route_class=StatuspageRoute)
Reader = Annotated[Actor, requires(Permission.statuspage_read, authenticate=statuspage_caller)]
Writer = Annotated[Actor, requires(Permission.statuspage_write, authenticate=statuspage_caller)]
Params = Annotated[dict[str, Any], Depends(read_params)]
PageNumber = Annotated[int, Query(ge=1, le=100_000)]
PerPage = Annotated[int, Query(ge=1, le=100)]
Search = Annotated[str | None, Query(max_length=200)]
BODY = problems(400, 413, 422)
SUPPORTED = ("GET/POST incidents, GET incidents/unresolved|scheduled|upcoming|"
             "active_maintenance, GET/PATCH/PUT/DELETE incidents/{id}, GET components, "
             "GET/PATCH/PUT components/{id}, GET/POST subscribers")
INCIDENT_EXAMPLE = "incident[name]=...&incident[status]=investigating"


@router.get(PREFIX + "/incidents")
def list_incidents(page_id: str, request: Request, actor: Reader, q: Search = None,
                   page: PageNumber = 1, per_page: PerPage = 100) -> Response:
    """Every incident and maintenance, newest first."""
    return _list(request, page_id, "all", q, page, per_page)


@router.get(PREFIX + "/incidents/{incident_id}")
def get_incident(page_id: str, incident_id: str, request: Request, actor: Reader,
                 q: Search = None, page: PageNumber = 1, per_page: PerPage = 100) -> Response:
    """One incident by id, or a list: ``unresolved``, ``scheduled``,
    ``upcoming``, ``active_maintenance``."""
    if incident_id in reads.LISTS:
        return _list(request, page_id, incident_id, q, page, per_page)
    _ready(request)
    with read_session(request) as session:
        code = _page(request, session, page_id)
        return _answer(200, _incident(session, code, _find(session, incident_id)))


@router.post(PREFIX + "/incidents", status_code=201, responses=BODY,
             openapi_extra=body_of(NewIncidentBody, INCIDENT_EXAMPLE))
def create_incident(page_id: str, request: Request, actor: Writer, params: Params) -> Response:
    """Open a realtime incident, or schedule maintenance (with scheduled_for)."""
    _ready(request)
    with write_unit(request, actor) as uow:
        code = _page(request, uow.session, page_id)
        row = actions.create_incident(uow, section(params, "incident"))
        uow.session.flush()
        shaped = _incident(uow.session, code, row)
    return _answer(201, shaped)


@router.patch(PREFIX + "/incidents/{incident_id}", responses=BODY,
              openapi_extra=body_of(IncidentBody, "incident[status]=monitoring&incident[body]=..."))
@router.put(PREFIX + "/incidents/{incident_id}", responses=BODY,
            openapi_extra=body_of(IncidentBody, "incident[status]=monitoring&incident[body]=..."))
def update_incident(page_id: str, incident_id: str, request: Request, actor: Writer,
                    params: Params) -> Response:
    """A status, body or component change posts an update; name and
    impact_override edit the incident."""
    _ready(request)
    with write_unit(request, actor) as uow:
        code = _page(request, uow.session, page_id)
        row = _find(uow.session, incident_id)
        actions.update_incident(uow, row, section(params, "incident"))
        uow.session.flush()
        shaped = _incident(uow.session, code, row)
    return _answer(200, shaped)


@router.delete(PREFIX + "/incidents/{incident_id}")
def delete_incident(page_id: str, incident_id: str, request: Request,
                    actor: Writer) -> Response:
    """Gone from the page, the feeds and every list; warroom keeps the record
    and the audit log says who deleted it. Answers the deleted incident."""
    _ready(request)
    with write_unit(request, actor) as uow:
        code = _page(request, uow.session, page_id)
        row = _find(uow.session, incident_id)
        shaped = _incident(uow.session, code, row)
        incidents.hide(uow, incident=row)
    return _answer(200, shaped)


@router.get(PREFIX + "/components")
def list_components(page_id: str, request: Request, actor: Reader, page: PageNumber = 1,
                    per_page: PerPage = 100) -> Response:
    _ready(request)
    with read_session(request) as session:
        code = _page(request, session, page_id)
        listed = shapes.components(code, components.get_all(session))
    return _answer(200, listed[(page - 1) * per_page:page * per_page])


@router.get(PREFIX + "/components/{component_id}")
def get_component(page_id: str, component_id: str, request: Request,
                  actor: Reader) -> Response:
    _ready(request)
    with read_session(request) as session:
        code = _page(request, session, page_id)
        row = components.get_by_name_or_raise(session, name=component_id)
        return _answer(200, shapes.component(code, row))


@router.patch(PREFIX + "/components/{component_id}", responses=BODY,
              openapi_extra=body_of(ComponentBody, "component[status]=major_outage"))
@router.put(PREFIX + "/components/{component_id}", responses=BODY,
            openapi_extra=body_of(ComponentBody, "component[status]=major_outage"))
def update_component(page_id: str, component_id: str, request: Request, actor: Writer,
                     params: Params) -> Response:
    """Set a component's status (Statuspage's words), name or description."""
    _ready(request)
    with write_unit(request, actor) as uow:
        code = _page(request, uow.session, page_id)
        row = components.get_by_name_or_raise(uow.session, name=component_id)
        actions.update_component(uow, row, section(params, "component"))
        uow.session.flush()
        shaped = shapes.component(code, row)
    return _answer(200, shaped)


@router.get(PREFIX + "/subscribers")
def list_subscribers(page_id: str, request: Request, actor: Writer,
                     type: str | None = Query(None, pattern="^(email|webhook)$"),
                     state: str = Query("active",
                                        pattern="^(active|unconfirmed|unsubscribed|all)$"),
                     page: PageNumber = 1, per_page: PerPage = 100) -> Response:
    """Subscribers; addresses only for callers who may see contact details."""
    status = {"active": subscribers.ACTIVE, "unconfirmed": subscribers.PENDING,
              "unsubscribed": subscribers.UNSUBSCRIBED}.get(state)
    _ready(request)
    with read_session(request) as session:
        _page(request, session, page_id)
        rows, _ = subscribers.get_all(session, kind=type, status=status, limit=per_page,
                                      offset=(page - 1) * per_page)
        shown = sees_contacts(actor)
        return _answer(200, [shapes.subscriber(row, sees_contacts=shown) for row in rows])


@router.post(PREFIX + "/subscribers", status_code=201, responses=BODY,
             openapi_extra=body_of(SubscriberBody, "subscriber[email]=someone@example.com"))
def create_subscriber(page_id: str, request: Request, actor: Writer,
                      params: Params) -> Response:
    """An email subscriber, sent warroom's confirmation link first."""
    _ready(request)
    with write_unit(request, actor) as uow:
        _page(request, uow.session, page_id)
        row = actions.subscribe(uow, section(params, "subscriber"))
        uow.session.flush()
        shaped = shapes.subscriber(row, sees_contacts=sees_contacts(actor))
    return _answer(201, shaped)


@router.api_route("/v1/{section}/{name}/{rest:path}",
                  methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False,
                  dependencies=[public()])
def unsupported(section: str, name: str, rest: str, request: Request) -> Response:
    """Any other path under /v1/pages/<id>/: Statuspage's error, naming what
    warroom supports. (Its three path parameters keep it behind every real
    route, so a real path's other methods stay a 405 naming the path's own.)"""
    path = f"/v1/{section}/{name}/{rest}"[:200]
    return error_response(404, f"warroom's Statuspage API does not support {request.method} "
                               f"{path}. It supports, under /v1/pages/<page id>/: "
                               f"{SUPPORTED}.")


def _list(request: Request, page_id: str, which: str, q: str | None, number: int,
          per_page: int) -> Response:
    _ready(request)
    with read_session(request) as session:
        code = _page(request, session, page_id)
        rows = reads.listing(session, which=which, q=q, page=number, per_page=per_page)
        url = statuspage_settings.get().page_url
        return _answer(200, [shapes.incident(e, code, url) for e in shapes.entries(session, rows)])


def _page(request: Request, session: Session, page_id: str) -> str:
    """The page's id, after checking the path names it (404 naming it if not)."""
    code = page.get(session).page_code
    if page_id.strip() != code:
        raise NotFound(f"There is no page {page_id[:50]!r} here; this warroom's page id is "
                       f"{code!r} (`warroom statuspage show` prints it).")
    return code


def _ready(request: Request) -> None:
    """A fresh database gets its default components before anyone looks."""
    request.app.state.statuspage.current()


def _find(session: Session, code: str) -> PublicIncident:
    row = records.get_by_code(session, code=code)
    if row is None:
        raise NotFound(f"There is no incident {code[:50]!r} on this page.")
    return row


def _incident(session: Session, code: str, row: PublicIncident) -> dict[str, Any]:
    (entry,) = shapes.entries(session, [row])
    return shapes.incident(entry, code, statuspage_settings.get().page_url)


def _answer(status: int, content: Any) -> Response:
    return Response(orjson.dumps(content), status_code=status, media_type="application/json")
