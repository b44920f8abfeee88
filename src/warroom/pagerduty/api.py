"""PagerDuty REST API v2 routes under ``/pagerduty``: parse as PagerDuty
does, authorize with warroom's permission table, call the services, answer
in PagerDuty's shapes (see docs/migrating-from-pagerduty.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, cast

from fastapi import APIRouter, Query, Request

from warroom.auth import service as users
from warroom.auth.deps import public, requires, sees_contacts
from warroom.auth.permissions import Permission
from warroom.db import Actor
from warroom.errors import NotFound
from warroom.http import read_session, write_unit
from warroom.incidents import service as incidents
from warroom.incidents import timeline
from warroom.oncall.policies import service as policies
from warroom.oncall.schedules import service as schedules
from warroom.pagerduty import catalogue, ids, present, service
from warroom.pagerduty import settings as pd_settings
from warroom.pagerduty.auth import requester, token_actor
from warroom.pagerduty.errors import NOT_FOUND, PagerDutyError, PagerDutyRoute, invalid
from warroom.pagerduty.schemas import BulkUpdateIn, CreateIn, IncidentChange, NoteIn, UpdateIn

if TYPE_CHECKING:
    from warroom.auth.models import User
    from warroom.oncall.schedules.models import Schedule

PREFIX = present.PREFIX
router = APIRouter(tags=["pagerduty"], route_class=PagerDutyRoute)

Reader = Annotated[Actor, requires(Permission.incident_read, authenticate=token_actor)]
Writer = Annotated[Actor, requires(Permission.incident_write, authenticate=token_actor)]
OnCallReader = Annotated[Actor, requires(Permission.oncall_read, authenticate=token_actor)]
UserReader = Annotated[Actor, requires(Permission.user_read, authenticate=token_actor)]
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
SUPPORTED = ("POST/GET/PUT /incidents, GET/PUT /incidents/{id}, GET/POST /incidents/{id}/notes, "
             "GET /incidents/{id}/log_entries, GET /oncalls, GET /services[/{id}], "
             "GET /escalation_policies[/{id}], GET /schedules[/{id}], GET /users/me, "
             "GET /users/{id}")


def _links(request: Request) -> present.Links:
    return present.Links(request.app.state.settings.base_url)


def _listed(request: Request, name: str) -> list[str]:
    """A PagerDuty array parameter: ``name[]=a&name[]=b`` (or ``name=a``)."""
    return [v.strip() for v in (*request.query_params.getlist(f"{name}[]"),
                                *request.query_params.getlist(name)) if v.strip()]


def _moment(value: str | None, name: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f"Invalid '{name}' parameter: {value!r} is not an ISO 8601 date and "
                      "time.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _window(items: list[Any], limit: int, offset: int, total: bool) -> tuple[list[Any], dict]:
    shown = items[offset:offset + limit]
    return shown, {"limit": limit, "offset": offset, "more": offset + len(shown) < len(items),
                   "total": len(items) if total else None}


def _incident(request: Request, session: Any, incident_id: str) -> Any:
    number = ids.incident_number(incident_id)
    row = incidents.get(session, incident_id=number) if number is not None else None
    if row is None:
        raise PagerDutyError(NOT_FOUND, [f"There is no incident {incident_id!r}; ids look like "
                                         "PI00016 (INC-42 and 42 work too)."])
    return row


def _locked(uow: Any, incident_id: str) -> Any:
    number = ids.incident_number(incident_id)
    if number is None:
        raise PagerDutyError(NOT_FOUND, [f"There is no incident {incident_id!r}."])
    try:
        return incidents.get_for_update(uow, ref=str(number))
    except NotFound as error:  # the core's sentence, in PagerDuty's error object
        raise PagerDutyError(NOT_FOUND, [str(error)]) from None


def _shape(request: Request, session: Any, row: Any) -> dict[str, Any]:
    return present.incident(_links(request), row, service.detail(
        session, row, at=request.app.state.clock.now()))


@router.post(PREFIX + "/incidents", status_code=201)
def create_incident(body: CreateIn, request: Request, actor: Writer) -> dict[str, Any]:
    """Open an incident (the seed's call); paging starts as for any declaration."""
    spec = body.incident
    details = spec.body.details if spec.body is not None else None
    new = service.NewIncident(
        title=spec.title, service=spec.service.id, urgency=spec.urgency,
        details=details if isinstance(details, str) else ("" if details is None
                                                          else str(details)),
        incident_key=spec.incident_key,
        escalation_policy=spec.escalation_policy.id if spec.escalation_policy else None,
        assignees=[a.assignee.id for a in spec.assignments])
    with write_unit(request, actor) as uow:
        person = requester(uow.session, request, actor)
        row = service.open_incident(uow, new=new, requester=person)
        return {"incident": _shape(request, uow.session, row)}


@router.get(PREFIX + "/incidents")
def list_incidents(request: Request, actor: Reader, limit: Limit = 25, offset: Offset = 0,
                   total: bool = False, since: str | None = None,
                   until: str | None = None) -> dict[str, Any]:
    """Incidents, oldest first, filtered by ``statuses[]``, ``urgencies[]``,
    ``service_ids[]`` and ``since``/``until`` (creation time)."""
    with read_session(request) as session:
        names = [catalogue.service_by_id(session, s) for s in _listed(request, "service_ids")]
        rows = service.list_incidents(
            session, statuses=_listed(request, "statuses"),
            urgencies=_listed(request, "urgencies"), since=_moment(since, "since"),
            until=_moment(until, "until"), services=names)
        shown, meta = _window(rows, limit, offset, total)
        return {"incidents": [_shape(request, session, row) for row in shown], **meta}


@router.get(PREFIX + "/incidents/{id}")
def get_incident(id: str, request: Request, actor: Reader) -> dict[str, Any]:
    with read_session(request) as session:
        return {"incident": _shape(request, session, _incident(request, session, id))}


def _change(spec: IncidentChange) -> service.Change:
    return service.Change(
        status=spec.status, urgency=spec.urgency, title=spec.title, resolution=spec.resolution,
        escalation_policy=spec.escalation_policy.id if spec.escalation_policy else None,
        assignees=[a.assignee.id for a in spec.assignments])


@router.put(PREFIX + "/incidents/{id}")
def update_incident(id: str, body: UpdateIn, request: Request, actor: Writer) -> dict[str, Any]:
    """Acknowledge, resolve, reassign, change urgency or title (needs ``From:``)."""
    with write_unit(request, actor) as uow:
        person = requester(uow.session, request, actor)
        row = _locked(uow, id)
        service.update_incident(uow, incident=row, change=_change(body.incident),
                                requester=person)
        return {"incident": _shape(request, uow.session, row)}


@router.put(PREFIX + "/incidents")
def update_incidents(body: BulkUpdateIn, request: Request, actor: Writer) -> dict[str, Any]:
    """Several updates in one call, all or none (needs ``From:``)."""
    with write_unit(request, actor) as uow:
        person = requester(uow.session, request, actor)
        rows = []
        for spec in body.incidents:
            if not spec.id:
                raise invalid("Each incident to update needs its id.")
            row = _locked(uow, spec.id)
            service.update_incident(uow, incident=row, change=_change(spec), requester=person)
            rows.append(row)
        return {"incidents": [_shape(request, uow.session, row) for row in rows]}


@router.post(PREFIX + "/incidents/{id}/notes", status_code=201)
def add_note(id: str, body: NoteIn, request: Request, actor: Writer) -> dict[str, Any]:
    """A note on the incident's timeline (needs ``From:``)."""
    with write_unit(request, actor) as uow:
        person = requester(uow.session, request, actor)
        row = _locked(uow, id)
        service.add_note(uow, incident=row, content=body.note.content, requester=person)
        uow.session.flush()
        event = timeline.get_all(uow.session, incident_id=row.id, kind="note")[-1]
        return {"note": present.note(_links(request), event, person)}


@router.get(PREFIX + "/incidents/{id}/notes")
def list_notes(id: str, request: Request, actor: Reader) -> dict[str, Any]:
    with read_session(request) as session:
        row = _incident(request, session, id)
        events = timeline.get_all(session, incident_id=row.id, kind="note")
        authors = {u.username: u for u in users.get_all(session, include_inactive=True)}
        return {"notes": [present.note(_links(request), e, authors.get(e.actor))
                          for e in events]}


@router.get(PREFIX + "/incidents/{id}/log_entries")
def log_entries(id: str, request: Request, actor: Reader, limit: Limit = 25,
                offset: Offset = 0, total: bool = False) -> dict[str, Any]:
    """The incident's timeline as PagerDuty log entries, newest first."""
    with read_session(request) as session:
        row = _incident(request, session, id)
        events = list(reversed(timeline.get_all(session, incident_id=row.id, limit=5000)))
        shown, meta = _window(events, limit, offset, total)
        return {"log_entries": [present.log_entry(_links(request), row, e) for e in shown],
                **meta}


@router.get(PREFIX + "/oncalls")
def list_oncalls(request: Request, actor: OnCallReader, limit: Limit = 25, offset: Offset = 0,
                 total: bool = False) -> dict[str, Any]:
    """Who each escalation policy reaches now, level by level; filtered by
    ``user_ids[]``, ``escalation_policy_ids[]`` and ``schedule_ids[]``."""
    links = _links(request)
    wanted_users = set(_listed(request, "user_ids"))
    wanted_policies = set(_listed(request, "escalation_policy_ids"))
    wanted_schedules = set(_listed(request, "schedule_ids"))
    with read_session(request) as session:
        rows = []
        for entry in catalogue.on_calls(session, at=request.app.state.clock.now()):
            user_ref = present.user_ref(links, entry.person)
            policy_ref = present.policy_ref(links, entry.policy)
            schedule_ref = present.schedule_ref(links, entry.schedule) if entry.schedule else None
            if (wanted_users and user_ref["id"] not in wanted_users) or (
                    wanted_policies and policy_ref["id"] not in wanted_policies) or (
                    wanted_schedules and (schedule_ref or {}).get("id") not in wanted_schedules):
                continue
            rows.append({"escalation_policy": policy_ref, "escalation_level": entry.level,
                         "schedule": schedule_ref, "user": user_ref, "start": None,
                         "end": None})
        shown, meta = _window(rows, limit, offset, total)
        return {"oncalls": shown, **meta}


def _service_policy(session: Any, name: str) -> str | None:
    """A service pages with its incident's severity's policy (unless a routing
    rule names one): shown is the policy of the ``high`` urgency's severity."""
    found = policies.get_by_name(session, name=pd_settings.get().pagerduty_urgency_severity["high"])
    return found.policy.name if found else None


@router.get(PREFIX + "/services")
def list_services(request: Request, actor: Reader, limit: Limit = 25, offset: Offset = 0,
                  total: bool = False) -> dict[str, Any]:
    with read_session(request) as session:
        names = catalogue.services(session)
        shown, meta = _window(names, limit, offset, total)
        return {"services": [present.service(_links(request), name,
                                             _service_policy(session, name))
                             for name in shown], **meta}


@router.get(PREFIX + "/services/{id}")
def get_service(id: str, request: Request, actor: Reader) -> dict[str, Any]:
    with read_session(request) as session:
        name = catalogue.service_by_id(session, id)
        return {"service": present.service(_links(request), name, _service_policy(session,
                                                                                   name))}


def _policy_shape(request: Request, session: Any, found: Any) -> dict[str, Any]:
    links = _links(request)
    steps = catalogue.policy_targets(session, found, at=request.app.state.clock.now())
    targets = [[present.schedule_ref(links, cast("Schedule", obj)) if kind == "schedule"
                else present.user_ref(links, cast("User", obj)) for kind, obj in step]
               for step in steps]
    return present.policy(links, found, targets, [])


@router.get(PREFIX + "/escalation_policies")
def list_policies(request: Request, actor: OnCallReader, limit: Limit = 25, offset: Offset = 0,
                  total: bool = False) -> dict[str, Any]:
    with read_session(request) as session:
        found = [entry.policy for entry in policies.get_all(session)]
        shown, meta = _window(found, limit, offset, total)
        return {"escalation_policies": [_policy_shape(request, session, p) for p in shown],
                **meta}


@router.get(PREFIX + "/escalation_policies/{id}")
def get_policy(id: str, request: Request, actor: OnCallReader) -> dict[str, Any]:
    with read_session(request) as session:
        try:
            found = catalogue.resolve_policy(session, id)
        except PagerDutyError as error:
            raise PagerDutyError(NOT_FOUND, error.errors) from None
        return {"escalation_policy": _policy_shape(request, session, found)}


def _schedule_shape(request: Request, session: Any, found: Any) -> dict[str, Any]:
    people: dict[int, Any] = {}
    for _, members in schedules.layers(session, schedule=found):
        people.update(users.get_many(session, ids=members))
    using = [entry.policy.name for entry in policies.get_all(session)
             if any(t.kind == "schedule" and t.name == found.name
                    for step in entry.policy.steps for t in step.targets)]
    return present.schedule(_links(request), found, list(people.values()), using)


@router.get(PREFIX + "/schedules")
def list_schedules(request: Request, actor: OnCallReader, limit: Limit = 25,
                   offset: Offset = 0, total: bool = False) -> dict[str, Any]:
    with read_session(request) as session:
        shown, meta = _window(schedules.get_all(session), limit, offset, total)
        return {"schedules": [_schedule_shape(request, session, s) for s in shown], **meta}


@router.get(PREFIX + "/schedules/{id}")
def get_schedule(id: str, request: Request, actor: OnCallReader) -> dict[str, Any]:
    with read_session(request) as session:
        found = catalogue.schedule_by_id(session, id)
        return {"schedule": _schedule_shape(request, session, found)}


@router.get(PREFIX + "/users/me")
def who_am_i(request: Request, actor: UserReader) -> dict[str, Any]:
    """The token's owner (PagerDuty answers this for user tokens only)."""
    with read_session(request) as session:
        person = users.get(session, user_id=actor.user_id) if actor.user_id else None
        if person is None:
            raise PagerDutyError((400, "Arguments Caused Error", 2002), [
                "GET /users/me needs a token that belongs to a user, not to the system."])
        return {"user": present.user(_links(request), person, with_email=True)}


@router.get(PREFIX + "/users/{id}")
def get_user(id: str, request: Request, actor: UserReader) -> dict[str, Any]:
    with read_session(request) as session:
        try:
            person = catalogue.resolve_user(session, id)
        except PagerDutyError as error:
            raise PagerDutyError(NOT_FOUND, error.errors) from None
        shown = sees_contacts(actor, person.username)
        return {"user": present.user(_links(request), person, with_email=shown)}


@router.api_route(PREFIX + "/{resource}{rest:path}",
                  methods=["GET", "POST", "PUT", "PATCH", "DELETE"], dependencies=[public()],
                  include_in_schema=False)
def not_supported(resource: str, rest: str, request: Request) -> None:
    """Everything else of PagerDuty's API: a PagerDuty error naming what is
    supported. Two path parameters, so that a path a route above serves keeps
    warroom's 405 for a method it lacks (the method guard prefers the routes
    with the fewest parameters)."""
    raise PagerDutyError(NOT_FOUND, [f"warroom does not implement {request.method} /{resource}"
                                     f"{rest} of PagerDuty's REST API. It supports: "
                                     f"{SUPPORTED}."])
