"""The status page admin screen, ``/status-admin``: the components and their
state, the open public notices and maintenance windows, the forms that change
them, and a preview of what the public page says right now.

Reading needs statuspage:read and changing anything public statuspage:write,
as through the API (``warroom.statuspage.api``); posting an update to a notice
is also open to whoever holds a role on the open incident it points at that
grants statuspage:write (the communications lead), as the API's updates
route. Each form calls the status page's services in a unit of work acting as
the signed-in person; a refusal re-renders the screen with the sentence beside
the form (4xx) and nothing of it is saved.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from warroom.auth.deps import requires_on_incident
from warroom.auth.permissions import Permission
from warroom.console import notice_forms
from warroom.console.screens import render, see_other
from warroom.console.session import check_csrf, console_requires, session_actor
from warroom.db import Actor
from warroom.errors import Problem
from warroom.http import client_ip
from warroom.statuspage import present, records
from warroom.statuspage.api import linked_roles
from warroom.statuspage.components import service as components
from warroom.statuspage.notices import maintenance
from warroom.statuspage.records import INCIDENT, MAINTENANCE
from warroom.statuspage.vocabulary import (
    COMPONENT_LABELS,
    INCIDENT_LABELS,
    OPEN_MAINTENANCE,
    ComponentStatus,
    MaintenanceStatus,
)

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, console_requires(Permission.statuspage_read)]
Writer = Annotated[Actor, console_requires(Permission.statuspage_write)]
LinkedWriter = Annotated[Actor, requires_on_incident(Permission.statuspage_write, linked_roles,
                                                     authenticate=session_actor)]
CSRF = [Depends(check_csrf)]
HERE = "/status-admin"
PUBLIC_PAGE = "/status"
Names = Annotated[list[str] | None, Form(max_length=200)]


def _unit(request: Request, actor: Actor) -> Any:
    return request.app.state.database.unit_of_work(actor, source_ip=client_ip(request),
                                                   clock=request.app.state.clock)


def _status(problem: Problem) -> int:
    return problem.status if problem.status < 500 else 400


@router.get(HERE)
def status_admin(request: Request, actor: Reader) -> Response:
    return _page(request, actor, form={}, errors={})


def _page(request: Request, actor: Actor, *, form: dict[str, Any], errors: dict[str, str],
          status: int = 200) -> Response:
    public = request.app.state.statuspage.current()  # loads the default components once
    now = request.app.state.clock.now()
    with request.app.state.database.read() as session:
        shown = components.get_all(session)
        notices = [present.entry(session, n) for n in records.unresolved(session)]
        windows = [present.entry(session, w) for w in records.get_all(
            session, kind=MAINTENANCE, statuses=tuple(s.value for s in OPEN_MAINTENANCE),
            limit=200)]
        recent = [present.entry(session, n) for n in records.get_all(
            session, kind=INCIDENT, finished=True, limit=5)]
        session.expunge_all()
    return render(request, actor, "status_admin.html", {
        "components": shown, "notices": notices, "windows": windows, "recent": recent,
        "preview": public.data, "public_page": PUBLIC_PAGE, "now": now,
        "component_statuses": [(s.value, COMPONENT_LABELS[s]) for s in ComponentStatus],
        "notice_statuses": [(s, INCIDENT_LABELS[s]) for s in notice_forms.STATUSES],
        "moves": {w.id: [(s.value, INCIDENT_LABELS[s.value])
                         for s in maintenance.MOVES[MaintenanceStatus(w.status)]]
                  for w in windows},
        "labels": INCIDENT_LABELS, "component_labels": COMPONENT_LABELS,
        "form": form, "errors": errors}, status=status)


def _act(request: Request, actor: Actor, field: str, action: Any, *,
         form: dict[str, Any] | None = None) -> Response:
    """Run ``action(uow)``; on a refusal show the screen with the sentence by
    the form named ``field`` and what was typed still in it."""
    request.app.state.statuspage.current()  # default components, before the unit of work
    try:
        with _unit(request, actor) as uow:
            action(uow)
    except Problem as problem:
        return _page(request, actor, form=form or {}, errors={field: problem.detail},
                     status=_status(problem))
    return see_other(HERE)


@router.post(HERE + "/components/{component}", dependencies=CSRF)
def set_component(request: Request, component: str, actor: Writer,
                  status: Annotated[str, Form(max_length=40)] = "") -> Response:
    """Move one component (recorded in its uptime history, audited)."""
    def move(uow: Any) -> None:
        row = components.get_by_name_or_raise(uow.session, name=component)
        if not status:
            raise Problem("Pick the component's status.", status=400, title="Bad Request")
        components.update(uow, component=row, changes={"status": status})

    return _act(request, actor, f"component-{component}", move)


@router.post(HERE + "/notices", dependencies=CSRF)
def open_notice(request: Request, actor: Writer,
                name: Annotated[str, Form(max_length=300)] = "",
                status: Annotated[str, Form(max_length=20)] = "investigating",
                message: Annotated[str, Form(max_length=20000)] = "",
                affected: Names = None,
                affected_status: Annotated[str, Form(max_length=40)] = "") -> Response:
    """Open a public notice, optionally moving the components it affects."""
    form = {"notice_name": name, "notice_status": status, "notice_message": message,
            "affected": affected or [], "affected_status": affected_status}

    def create(uow: Any) -> None:
        wanted = _wanted(affected, affected_status)
        notice_forms.open_notice(uow, name=name, message=message, status=status,
                                 wanted=wanted)

    return _act(request, actor, "notice-open", create, form=form)


def _wanted(names: list[str] | None, status: str) -> dict[str, str]:
    chosen = [n for n in names or [] if n.strip()]
    if chosen and not status:
        raise Problem("Pick the status the affected components move to.", status=400,
                      title="Bad Request")
    return dict.fromkeys(chosen, status)


@router.post(HERE + "/notices/{code}/updates", dependencies=CSRF)
def post_update(request: Request, code: str, actor: LinkedWriter,
                status: Annotated[str, Form(max_length=20)] = "",
                message: Annotated[str, Form(max_length=20000)] = "") -> Response:
    """An update (or the resolution) on an open notice; an empty message
    takes the page's default words for the status."""
    def post(uow: Any) -> None:
        notice = records.get_by_code_or_raise(uow.session, code=code)
        notice_forms.post_update(uow, notice=notice, status=status, message=message)

    return _act(request, actor, f"notice-{code}", post,
                form={f"message-{code}": message, f"status-{code}": status})


@router.post(HERE + "/maintenance", dependencies=CSRF)
def schedule(request: Request, actor: Writer,
             name: Annotated[str, Form(max_length=300)] = "",
             starts: Annotated[str, Form(max_length=40)] = "",
             ends: Annotated[str, Form(max_length=40)] = "",
             message: Annotated[str, Form(max_length=20000)] = "",
             affected: Names = None) -> Response:
    """Announce a window; it starts and ends by itself on the clock."""
    form = {"window_name": name, "starts": starts, "ends": ends, "window_message": message,
            "window_affected": affected or []}

    def announce(uow: Any) -> None:
        if not name.strip():
            raise Problem("Name the maintenance window.", status=400, title="Bad Request")
        maintenance.schedule(uow, name=name, scheduled_for=_moment(starts, "start"),
                             scheduled_until=_moment(ends, "end"),
                             component_names=[n for n in affected or [] if n.strip()],
                             body=message.strip() or None, source="console")

    return _act(request, actor, "maintenance", announce, form=form)


def _moment(text: str, what: str) -> datetime:
    """A ``datetime-local`` field's value, read in UTC (the screen says so)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Problem(f"Give the window's {what} as a date and time in UTC, such as "
                      "2026-12-24T02:00.", status=400, title="Bad Request") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@router.post(HERE + "/maintenance/{code}/move", dependencies=CSRF)
def move_window(request: Request, code: str, actor: Writer,
                status: Annotated[str, Form(max_length=20)] = "",
                message: Annotated[str, Form(max_length=20000)] = "") -> Response:
    """Move a window by hand: start early, verify, complete."""
    def move(uow: Any) -> None:
        window = records.get_by_code_or_raise(uow.session, code=code, kind=MAINTENANCE)
        if not status:
            raise Problem("Pick where the window moves.", status=400, title="Bad Request")
        maintenance.move(uow, window=window, status=status, body=message.strip() or None)

    return _act(request, actor, f"maintenance-{code}", move)
