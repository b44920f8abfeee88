"""The incident list and the incident page, and every action taken from them.

Each route calls the incidents service in a unit of work acting as the signed-in
person, with the same permission as the matching API route; a refused or
invalid action re-renders the page with the error beside its form and status
4xx, and nothing of it is saved (the unit of work rolls back)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import Response

from warroom.auth import service as users
from warroom.auth.deps import requires_on_incident
from warroom.auth.permissions import INCIDENT_ROLE_GRANTS, Permission
from warroom.comms import service as comms
from warroom.comms import templates as comms_templates
from warroom.console import notice_forms
from warroom.console.live import feed_of
from warroom.console.screens import can, render, see_other
from warroom.console.session import check_csrf, console_requires, session_actor
from warroom.db import Actor
from warroom.errors import Forbidden, Problem
from warroom.http import DbInt, client_ip
from warroom.incidents import catalog, timeline
from warroom.incidents import service as incident_service
from warroom.incidents.phases import Phase
from warroom.incidents.views import present
from warroom.playbooks import catalogue as playbook_catalogue
from warroom.playbooks import service as playbooks
from warroom.playbooks import views as playbook_views
from warroom.statuspage import records as status_records
from warroom.statuspage.records import INCIDENT as PUBLIC_INCIDENT
from warroom.statuspage.vocabulary import IncidentStatus

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, console_requires(Permission.incident_read)]
Writer = Annotated[Actor, console_requires(Permission.incident_write)]
Commander = Annotated[Actor, console_requires(Permission.incident_command)]
Acker = Annotated[Actor, console_requires(Permission.page_ack)]
CSRF = [Depends(check_csrf)]
PAGE_SIZE = 25
TIMELINE_PAGE = 200
"""Timeline events on the incident page; older ones are a link away (a busy
incident has thousands, and rendering them all made the page slow)."""
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
                  kind: Annotated[str, Query(max_length=30)] = "",
                  template: Annotated[str, Query(max_length=40)] = "",
                  beyond: Annotated[DbInt, Query(ge=0)] = 0) -> Response:
    return _incident_page(request, actor, ref, order=order, kind=kind, errors={},
                          comms_template=template, beyond=beyond)


def _incident_page(request: Request, actor: Actor, ref: str, *, order: str = "newest",
                   kind: str = "", beyond: int = 0, errors: dict[str, str], status: int = 200,
                   template: str = "incident.html", comms_template: str = "",
                   form: dict[str, str] | None = None) -> Response:
    now = request.app.state.clock.now()
    with request.app.state.database.read() as session:
        incident = incident_service.get_by_ref_or_raise(session, ref=ref)
        view = present(session, incident, now=now)
        events = timeline.page(session, incident_id=incident.id, kind=kind or None,
                               newest_first=order == "newest", beyond=beyond,
                               limit=TIMELINE_PAGE + 1)
        latest = timeline.latest_id(session)
        people = sorted(u.username for u in users.get_all(session))
        steps = _steps(session, incident, now)
        notice = _linked_notice(session, incident.id)
        held = (incident_service.roles_held(session, incident=incident, user_id=actor.user_id)
                if incident.is_open and actor.user_id is not None else set())
        preview = None
        if comms_template:
            try:
                preview = comms.preview(session, incident=incident, template=comms_template,
                                        fields={})
            except Problem as problem:
                errors = {**errors, "comms-template": problem.detail}
    more = None
    if len(events) > TIMELINE_PAGE:
        events = events[:TIMELINE_PAGE]
        more = f"/incidents/{view.id}?" + urlencode(
            {"order": order, **({"kind": kind} if kind else {}), "beyond": events[-1].id})
    return render(request, actor, template, {
        "incident": view, "events": events, "order": order, "kind": kind,
        "kinds": timeline.KINDS, "now": now, "errors": errors, "people": people,
        "roles": catalog.roles(), "steps": steps, "notice": notice, "preview": preview,
        "comms_template": comms_template, "form": form or {},
        "playbook_names": sorted(loaded.name for loaded in playbook_catalogue.get_all()),
        "actor_sends": any(Permission.comms_send in INCIDENT_ROLE_GRANTS.get(r, ())
                           for r in held),
        "comms_templates": [(t.id, t.title) for t in comms_templates.manifest().templates],
        "notice_statuses": [s.value for s in IncidentStatus],
        "latest_event": latest, "more_events": more, "paged": bool(beyond),
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


def _linked_notice(session: Any, incident_id: int) -> Any:
    """The public status notice pointing at this incident (the newest), if any."""
    linked = [n for n in status_records.get_all(session, kind=PUBLIC_INCIDENT, limit=500)
              if n.internal_incident_id == incident_id]
    return next((n for n in linked if n.status != IncidentStatus.resolved),
                linked[0] if linked else None)


def _act(request: Request, actor: Actor, ref: str, form: str, action: Any, *,
         values: dict[str, str] | None = None, comms_template: str = "") -> Response:
    """Run ``action(uow, incident)``; on a refusal show the page with the error
    by the form named ``form`` and what was typed still in it."""
    try:
        with _unit(request, actor) as uow:
            action(uow, incident_service.get_for_update(uow, ref=ref))
    except Problem as problem:
        return _incident_page(request, actor, ref, errors={form: problem.detail},
                              status=problem.status if problem.status < 500 else 400,
                              form=values, comms_template=comms_template)
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


@router.post("/incidents/{ref}/playbooks", dependencies=CSRF)
def attach_playbook(request: Request, ref: str, actor: Runner,
                    playbook: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Attach another playbook from the catalogue (the API's ``POST .../playbooks``)."""
    return _act(request, actor, ref, "attach", lambda uow, incident: playbooks.attach(
        uow, incident=incident, name=playbook.strip(), how="manual"),
        values={"attach": playbook})


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


Approver = Annotated[Actor, console_requires(Permission.playbook_approve)]


def _step_action(request: Request, actor: Actor, ref: str, step: str, act: Any) -> Response:
    """Run ``act(uow, incident, step)`` on one playbook step, errors by its row."""
    return _act(request, actor, ref, f"step-{step}", lambda uow, incident: act(
        uow, incident, playbooks.get_step_or_raise(uow.session, incident=incident, ref=step)))


@router.post("/incidents/{ref}/steps/{step}/run", dependencies=CSRF)
def run_step(request: Request, ref: str, step: str, actor: Runner) -> Response:
    """Ask the worker to run (or re-check) an automated step now (the API's ``.../run``)."""
    return _step_action(request, actor, ref, step, lambda uow, incident, found:
                        playbooks.request_run(uow, incident=incident, step=found))


@router.post("/incidents/{ref}/steps/{step}/approve", dependencies=CSRF)
def approve_step(request: Request, ref: str, step: str, actor: Approver,
                 note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Allow a destructive step to run (``playbook:approve``, as the API)."""
    return _step_action(request, actor, ref, step, lambda uow, incident, found:
                        playbooks.approve(uow, incident=incident, step=found,
                                          note=note.strip() or None))


@router.post("/incidents/{ref}/steps/{step}/skip", dependencies=CSRF)
def skip_step(request: Request, ref: str, step: str, actor: Runner,
              reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """The step does not apply; the API asks for a reason of 3 characters or more."""
    def skip(uow: Any, incident: Any, found: Any) -> None:
        if len(reason.strip()) < 3:
            raise Problem("Say why the step is skipped (3 characters or more); the reason "
                          "is kept.", status=400, title="Bad Request")
        playbooks.skip(uow, incident=incident, step=found, reason=reason.strip())

    return _step_action(request, actor, ref, step, skip)


@router.post("/incidents/{ref}/steps/{step}/override", dependencies=CSRF)
def override_gate(request: Request, ref: str, step: str, actor: Commander,
                  reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Wave a failing gate through by resolving the incident with a reason: the
    gates' only override is on the move to a resolved phase (as the API's
    transition with ``override_reason``), audited and on the timeline."""
    def override(uow: Any, incident: Any, found: Any) -> None:
        if not reason.strip():
            raise Problem("Say why the gate is overridden; the reason is kept.", status=400,
                          title="Bad Request")
        if not found.gate:
            raise Problem(f"{found.ref} is not a gate.", status=409, title="Conflict")
        incident_service.transition(uow, incident=incident, target=Phase.lessons_learned,
                                    note=None, override_reason=reason.strip())

    return _step_action(request, actor, ref, step, override)


def _roles_held(session: Any, params: dict[str, Any], user_id: int) -> set[str]:
    """The person's roles on the incident in the path: its comms lead may send
    and post to its public notice, as through the API."""
    incident = incident_service.get_by_ref(session, ref=params.get("ref", ""))
    return incident_service.roles_held(session, incident=incident, user_id=user_id)


Sender = Annotated[Actor, requires_on_incident(Permission.comms_send, _roles_held,
                                               authenticate=session_actor)]
NoticeWriter = Annotated[Actor, requires_on_incident(Permission.statuspage_write, _roles_held,
                                                     authenticate=session_actor)]
StatusWriter = Annotated[Actor, console_requires(Permission.statuspage_write)]


@router.post("/incidents/{ref}/comms", dependencies=CSRF)
def send_message(request: Request, ref: str, actor: Sender,
                 template: Annotated[str, Form(max_length=40)] = "",
                 to: Annotated[str, Form(max_length=4000)] = "") -> Response:
    """Send a template rendered for this incident (the API's ``POST .../comms``)."""
    targets = [t.strip() for t in to.replace("\n", ",").split(",") if t.strip()]

    def send(uow: Any, incident: Any) -> None:
        if not template:
            raise Problem("Pick a template.", status=400, title="Bad Request")
        if not targets:
            raise Problem("Name at least one recipient, such as role:communications_lead.",
                          status=400, title="Bad Request")
        comms.send(uow, incident=incident, template=template, to=targets, fields={})

    return _act(request, actor, ref, "comms-to" if template else "comms-template", send,
                values={"comms_to": to}, comms_template=template)


@router.post("/incidents/{ref}/status-notice", dependencies=CSRF)
def update_notice(request: Request, ref: str, actor: NoticeWriter,
                  status: Annotated[str, Form(max_length=20)] = "",
                  message: Annotated[str, Form(max_length=20000)] = "") -> Response:
    """Post an update (or the resolution) to the linked public notice."""
    def post(uow: Any, incident: Any) -> None:
        notice = _linked_notice(uow.session, incident.id)
        if notice is None:
            raise Problem(f"{incident.ref} has no public status notice.", status=409,
                          title="Conflict")
        notice_forms.post_update(uow, notice=notice, status=status, message=message)

    return _act(request, actor, ref, "notice", post, values={"notice_message": message})


@router.post("/incidents/{ref}/status-notice/open", dependencies=CSRF)
def open_notice(request: Request, ref: str, actor: StatusWriter,
                name: Annotated[str, Form(max_length=300)] = "",
                message: Annotated[str, Form(max_length=20000)] = "") -> Response:
    """Open a public notice linked to this incident; its words are written
    here, never copied from the internal incident."""
    def create(uow: Any, incident: Any) -> None:
        notice_forms.open_notice(uow, name=name, message=message, internal_ref=incident.ref)

    request.app.state.statuspage.current()  # default components, before the unit of work
    return _act(request, actor, ref, "notice-open", create,
                values={"notice_name": name, "notice_message": message})
