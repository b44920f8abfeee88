"""The incident list and the incident page, and every action taken from them.

Each route calls the incidents service in a unit of work acting as the signed-in
person, with the same permission as the matching API route; a refused or
invalid action re-renders the page with the error beside its form and status
4xx, and nothing of it is saved (the unit of work rolls back)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import Response

from warroom.auth import service as users
from warroom.auth.permissions import Permission
from warroom.console.live import feed_of
from warroom.console.screens import can, render, see_other
from warroom.console.session import check_csrf, console_requires
from warroom.db import Actor
from warroom.errors import Forbidden, Problem
from warroom.http import client_ip
from warroom.incidents import catalog, timeline
from warroom.incidents import service as incident_service
from warroom.incidents.phases import Phase
from warroom.incidents.views import present
from warroom.playbooks import service as playbooks
from warroom.playbooks import views as playbook_views

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, console_requires(Permission.incident_read)]
Writer = Annotated[Actor, console_requires(Permission.incident_write)]
Commander = Annotated[Actor, console_requires(Permission.incident_command)]
Acker = Annotated[Actor, console_requires(Permission.page_ack)]
CSRF = [Depends(check_csrf)]
PAGE_SIZE = 25
SORTS = {
    "newest": (lambda i: i.declared_at, True),
    "oldest": (lambda i: i.declared_at, False),
    "severity": (lambda i: (i.severity, -i.declared_at.timestamp()), False),
    "phase": (lambda i: (list(Phase).index(Phase(i.phase)), i.severity), False),
}


@dataclass
class ListQuery:
    phase: str = ""
    severity: str = ""
    type: str = ""
    service: str = ""
    drill: str = ""
    q: str = ""
    status: str = ""
    sort: str = "newest"
    page: int = 1

    def filters(self) -> incident_service.Filters:
        return incident_service.Filters(
            phase=[self.phase] if self.phase else [],
            severity=[self.severity] if self.severity else [],
            type=[self.type] if self.type else [],
            status=self.status or None, text=self.q or None, service=self.service or None,
            is_drill={"yes": True, "no": False}.get(self.drill))

    def link(self, **changes: Any) -> str:
        values = {**self.__dict__, **changes}
        return "/incidents?" + "&".join(f"{k}={v}" for k, v in values.items()
                                        if v not in ("", None) and not (k == "page" and v == 1))


def _list_query(phase: Annotated[str, Query(max_length=40)] = "",
                severity: Annotated[str, Query(max_length=40)] = "",
                type: Annotated[str, Query(max_length=60)] = "",
                service: Annotated[str, Query(max_length=100)] = "",
                drill: Annotated[str, Query(pattern="^(|yes|no)$")] = "",
                q: Annotated[str, Query(max_length=200)] = "",
                status: Annotated[str, Query(pattern="^(|open|closed)$")] = "",
                sort: Annotated[str, Query(pattern="^(newest|oldest|severity|phase)$")] = "newest",
                page: Annotated[int, Query(ge=1, le=100000)] = 1) -> ListQuery:
    return ListQuery(phase, severity, type, service, drill, q, status, sort, page)


@router.get("/incidents")
def incident_list(request: Request, actor: Reader,
                  query: Annotated[ListQuery, Depends(_list_query)]) -> Response:
    return _list_page(request, actor, query, form={}, errors={})


def _list_page(request: Request, actor: Actor, query: ListQuery, *, form: dict[str, Any],
               errors: dict[str, str], status: int = 200) -> Response:
    now = request.app.state.clock.now()
    with request.app.state.database.read() as session:
        try:
            rows, total = _rows(session, query)
        except Problem as problem:
            rows, total = [], 0
            errors = {**errors, "filters": problem.detail}
        items = [present(session, i, now=now, with_extras=False) for i in rows]
        latest = feed_of(request.app).latest_id(session)
    return render(request, actor, "incidents.html", {
        "items": items, "total": total, "query": query, "now": now, "page_size": PAGE_SIZE,
        "pages": max(1, -(-total // PAGE_SIZE)), "severities": catalog.severities(),
        "types": [(t.value, catalog.TYPE_DESCRIPTIONS[t]) for t in catalog.IncidentType],
        "phases": [p.value for p in Phase], "form": form, "errors": errors,
        "latest_event": latest}, status=status)


def _rows(session: Any, query: ListQuery) -> tuple[list[Any], int]:
    offset = (query.page - 1) * PAGE_SIZE
    if query.sort == "newest":
        return incident_service.get_all(session, filters=query.filters(), limit=PAGE_SIZE,
                                        offset=offset)
    rows, total = incident_service.get_all(session, filters=query.filters(), limit=2000)
    key, reverse = SORTS[query.sort]
    rows.sort(key=key, reverse=reverse)
    return rows[offset:offset + PAGE_SIZE], total


@router.post("/incidents", dependencies=CSRF)
def declare(request: Request, actor: Writer,
            type: Annotated[str, Form(max_length=60)] = "",
            severity: Annotated[str, Form(max_length=40)] = "",
            title: Annotated[str, Form(max_length=300)] = "",
            description: Annotated[str, Form(max_length=10000)] = "",
            services: Annotated[str, Form(max_length=2000)] = "",
            drill: Annotated[str, Form(max_length=10)] = "") -> Response:
    form = {"type": type, "severity": severity, "title": title, "description": description,
            "services": services, "drill": drill}
    errors = {}
    if not type:
        errors["type"] = "Pick the incident type."
    if not severity:
        errors["severity"] = "Pick a severity."
    if not errors:
        try:
            with _unit(request, actor) as uow:
                declaration = incident_service.Declaration(
                    type=type, severity=severity, title=title or None, description=description,
                    services=[s.strip() for s in services.split(",") if s.strip()],
                    is_drill=drill == "yes", source="console")
                incident = incident_service.declare(uow, declaration=declaration)
                ref = incident.ref
            feed_of(request.app).kick()
            return see_other(f"/incidents/{ref}")
        except Problem as problem:
            errors[_field_of(problem.detail, form)] = problem.detail
    return _list_page(request, actor, ListQuery(), form=form, errors=errors, status=400)


def _field_of(detail: str, form: dict[str, Any]) -> str:
    lowered = detail.lower()
    for name in ("severity", "type", "title", "services", "description"):
        if name in lowered:
            return name
    return "declare"


def _unit(request: Request, actor: Actor) -> Any:
    return request.app.state.database.unit_of_work(actor, source_ip=client_ip(request),
                                                   clock=request.app.state.clock)


@router.get("/incidents/{ref}")
def incident_page(request: Request, ref: str, actor: Reader,
                  order: Annotated[str, Query(pattern="^(newest|oldest)$")] = "newest",
                  kind: Annotated[str, Query(max_length=30)] = "") -> Response:
    return _incident_page(request, actor, ref, order=order, kind=kind, errors={})


def _incident_page(request: Request, actor: Actor, ref: str, *, order: str = "newest",
                   kind: str = "", errors: dict[str, str], status: int = 200,
                   template: str = "incident.html") -> Response:
    now = request.app.state.clock.now()
    with request.app.state.database.read() as session:
        incident = incident_service.get_by_ref_or_raise(session, ref=ref)
        view = present(session, incident, now=now)
        events = timeline.get_all(session, incident_id=incident.id, kind=kind or None,
                                  limit=5000)
        people = sorted(u.username for u in users.get_all(session))
        steps = _steps(session, incident, now)
    if order == "newest":
        events.reverse()
    return render(request, actor, template, {
        "incident": view, "events": events, "order": order, "kind": kind,
        "kinds": timeline.KINDS, "now": now, "errors": errors, "people": people,
        "roles": catalog.roles(), "steps": steps,
        "latest_event": max((e.id for e in events), default=0),
        "left": view.targets.response_due_at - now}, status=status)


def _steps(session: Any, incident: Any, now: Any) -> list[dict[str, Any]]:
    """Each playbook step with its state and, for a checklist, its items and
    who ticked which."""
    raw = playbooks.get_steps(session, incident_id=incident.id)
    shown = []
    for step in raw:
        items = list(step.params.get("items") or []) if step.kind == "checklist" else []
        ticks = step.item_ticks or {}
        shown.append({"out": playbook_views.step_out(step, raw, incident, now),
                      "items": [(str(n), text, ticks.get(str(n)))
                                for n, text in enumerate(items, start=1)]})
    return shown


def _act(request: Request, actor: Actor, ref: str, form: str, action: Any) -> Response:
    """Run ``action(uow, incident)``; on a refusal show the page with the error
    by the form named ``form``."""
    try:
        with _unit(request, actor) as uow:
            action(uow, incident_service.get_for_update(uow, ref=ref))
    except Problem as problem:
        return _incident_page(request, actor, ref, errors={form: problem.detail},
                              status=problem.status if problem.status < 500 else 400)
    feed_of(request.app).kick()
    return see_other(f"/incidents/{ref}")


@router.post("/incidents/{ref}/acknowledge", dependencies=CSRF)
def acknowledge(request: Request, ref: str, actor: Acker) -> Response:
    return _act(request, actor, ref, "acknowledge",
                lambda uow, incident: incident_service.acknowledge(uow, incident=incident))


@router.get("/incidents/{ref}/ack")
def acknowledge_page(request: Request, ref: str, actor: Reader) -> Response:
    """The page a page's "acknowledge" link opens: one big button, for a phone."""
    return _incident_page(request, actor, ref, errors={}, template="ack.html")


@router.post("/incidents/{ref}/transition", dependencies=CSRF)
def transition(request: Request, ref: str, actor: Writer,
               phase: Annotated[str, Form(max_length=40)] = "",
               note: Annotated[str, Form(max_length=2000)] = "",
               override_reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    def move(uow: Any, incident: Any) -> None:
        if (phase == Phase.closed or override_reason) and not can(
                actor, Permission.incident_command):
            raise Forbidden("Closing an incident or overriding a gate needs the commander "
                            "role.")
        incident_service.transition(uow, incident=incident, target=phase, note=note or None,
                           override_reason=override_reason or None)

    return _act(request, actor, ref, "transition", move)


@router.post("/incidents/{ref}/roles", dependencies=CSRF)
def assign_role(request: Request, ref: str, actor: Commander,
                role: Annotated[str, Form(max_length=40)] = "",
                primary: Annotated[str, Form(max_length=64)] = "",
                backup: Annotated[str, Form(max_length=64)] = "") -> Response:
    return _act(request, actor, ref, "roles",
                lambda uow, incident: incident_service.assign_role(
                    uow, incident=incident, role=role, primary=primary or None,
                    backup=backup or None))


@router.post("/incidents/{ref}/notes", dependencies=CSRF)
def add_note(request: Request, ref: str, actor: Writer,
             text: Annotated[str, Form(max_length=10000)] = "") -> Response:
    def note(uow: Any, incident: Any) -> None:
        if not text.strip():
            raise Problem("Write the note before adding it.", status=400, title="Bad Request")
        incident_service.add_note(uow, incident=incident, text=text)

    return _act(request, actor, ref, "note", note)


Runner = Annotated[Actor, console_requires(Permission.playbook_run)]


@router.post("/incidents/{ref}/steps/{step}/tick", dependencies=CSRF)
def tick_step(request: Request, ref: str, step: str, actor: Runner) -> Response:
    """A person did the step (the API's ``POST .../steps/{step}/tick``)."""
    return _act(request, actor, ref, f"step-{step}", lambda uow, incident: playbooks.tick(
        uow, incident=incident, step=playbooks.get_step_or_raise(
            uow.session, incident=incident, ref=step)))


@router.post("/incidents/{ref}/steps/{step}/items/{item}", dependencies=CSRF)
def tick_item(request: Request, ref: str, step: str, item: str, actor: Runner) -> Response:
    """Tick one checklist item; the last one finishes the step."""
    return _act(request, actor, ref, f"step-{step}", lambda uow, incident: playbooks.tick_item(
        uow, incident=incident, step=playbooks.get_step_or_raise(
            uow.session, incident=incident, ref=step), item=item))
