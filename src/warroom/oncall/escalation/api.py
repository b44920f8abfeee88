"""An incident's escalation over HTTP, and the one-click acknowledge link."""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.responses import Response

from warroom.auth import service as users
from warroom.auth.deps import public, requires
from warroom.auth.permissions import Permission
from warroom.db import Actor
from warroom.errors import Gone, NotFound
from warroom.http import read_session, write_unit
from warroom.incidents import service as incidents
from warroom.oncall.escalation import acklinks, service, views
from warroom.oncall.escalation.schemas import PolicyChoice, Reassignment
from warroom.openapi import problems

router = APIRouter(tags=["escalation"])
Reader = Annotated[Actor, requires(Permission.oncall_read)]
Writer = Annotated[Actor, requires(Permission.incident_write)]
BASE = "/api/v1/incidents/{ref}/escalation"


@router.get(BASE)
def get_escalation(ref: str, request: Request, actor: Reader) -> dict[str, Any]:
    """Policy, state, the next step and when, and every page sent."""
    with read_session(request) as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        escalation = service.for_incident_or_raise(session, incident=incident)
        return views.summary(session, escalation)


@router.post(BASE)
def choose_policy(ref: str, body: PolicyChoice, request: Request,
                  actor: Writer) -> dict[str, Any]:
    """Escalate with this policy from its first step (starts or restarts)."""
    with write_unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        escalation = service.choose_policy(uow, incident=incident, policy_name=body.policy)
        uow.session.flush()
        return views.summary(uow.session, escalation)


@router.post(BASE + "/reassign")
def reassign(ref: str, body: Reassignment, request: Request, actor: Writer) -> dict[str, Any]:
    """Page someone else now; the policy's later steps follow if nobody answers."""
    with write_unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        escalation = service.reassign(uow, incident=incident, to=body.to)
        uow.session.flush()
        return views.summary(uow.session, escalation)


@router.post(BASE + "/acknowledge")
def acknowledge(ref: str, request: Request,
                actor: Annotated[Actor, requires(Permission.page_ack)]) -> dict[str, Any]:
    """Acknowledge (also after a reassignment, when the incident itself was
    acknowledged before)."""
    with write_unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        service.acknowledge_incident(uow, incident=incident, by=actor.label)
        escalation = service.for_incident_or_raise(uow.session, incident=incident)
        return views.summary(uow.session, escalation, with_pages=False)


@router.get(acklinks.PATH + "{token}", dependencies=[public()], response_class=HTMLResponse,
            responses=problems(410))
def show_ack_link(token: str, request: Request) -> Response:
    """What the link will do, with the button that does it (opening a link
    never acknowledges: link previews would)."""
    now = request.app.state.clock.now()
    with read_session(request) as session:
        link = acklinks.read(session, token, now=now)
        incident = incidents.get(session, incident_id=link.incident_id)
        person = users.get(session, user_id=link.user_id)
        if incident is None or person is None:
            raise NotFound("The incident or person of this link no longer exists.")
        earlier = acklinks.used(session, link)
    if earlier is not None:
        raise Gone(f"This link was already used at {earlier.used_at:%Y-%m-%d %H:%M} UTC by "
                   f"{earlier.used_by}.")
    title = escape(f"{incident.ref}: {incident.title}")
    return HTMLResponse(
        f"<!doctype html><title>Acknowledge {escape(incident.ref)}</title>"
        f"<h1>{title}</h1><p>Severity {escape(incident.severity)}, phase "
        f"{escape(incident.phase)}. You, {escape(person.username)}, are being paged.</p>"
        f"<form method=post><button type=submit>Acknowledge {escape(incident.ref)}"
        "</button></form>")


@router.post(acklinks.PATH + "{token}", dependencies=[public()], responses=problems(410))
def use_ack_link(token: str, request: Request) -> Response:
    """Acknowledge as the person the page went to; the link then stops working."""
    with read_session(request) as session:
        link = acklinks.read(session, token, now=request.app.state.clock.now())
        person = users.get(session, user_id=link.user_id)
    if person is None or not person.is_active:
        raise NotFound("The person this link was sent to no longer exists.")
    actor = Actor(name=person.username, kind="user", user_id=person.id, role=person.role)
    with write_unit(request, actor) as uow:
        acklinks.consume(uow, link, person=person)
        incident = incidents.get_for_update(uow, ref=str(link.incident_id))
        stopped = service.acknowledge_incident(uow, incident=incident, by=person.username)
        answer = {"incident": incident.ref, "acknowledged": stopped,
                  "acknowledged_by": incident.acknowledged_by,
                  "acknowledged_at": incident.acknowledged_at}
    if "text/html" in request.headers.get("accept", ""):
        said = "acknowledged" if stopped else f"was already acknowledged by " \
                                               f"{incident.acknowledged_by}"
        return HTMLResponse(f"<!doctype html><p>{escape(incident.ref)} {escape(said)}.</p>")
    return JSONResponse(jsonable(answer))


def jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}
