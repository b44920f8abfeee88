"""HTTP routes: an incident's review and figures, action items, and response
metrics across incidents."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from warroom.auth.deps import requires, requires_on_incident
from warroom.auth.permissions import Permission
from warroom.db import Actor
from warroom.errors import Invalid, one_of
from warroom.http import read_session, write_unit
from warroom.incidents import service as incidents
from warroom.reviews import (
    aggregate,
    charts,
    export,
    facts,
    figures,
    items,
    meetings,
    service,
)
from warroom.reviews.schemas import (
    ActionItemIn,
    ActionItemOut,
    ActionItemPatch,
    FigureOut,
    MeetingIn,
    MeetingOut,
    NoteIn,
    NotesIn,
    ReviewOut,
    SectionsIn,
    WaiveIn,
    item_out,
)

if TYPE_CHECKING:
    from warroom.incidents.models import Incident
    from warroom.reviews.models import Meeting

router = APIRouter(tags=["reviews"])

Reader = Annotated[Actor, requires(Permission.review_read)]
Writer = Annotated[Actor, requires(Permission.review_write)]
MetricsReader = Annotated[Actor, requires(Permission.metrics_read)]
MEDIA = {"markdown": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8",
         "pdf": "application/pdf"}


def roles_held(session: Session, params: dict[str, Any], user_id: int) -> set[str]:
    """The caller's roles on the incident in the path (its commander may approve)."""
    incident = incidents.get_by_ref(session, ref=params.get("ref", ""))
    return incidents.roles_held(session, incident=incident, user_id=user_id)


Approver = Annotated[Actor, requires_on_incident(Permission.review_approve, roles_held)]


@router.get("/api/v1/incidents/{ref}/review", response_model=ReviewOut)
def read_review(ref: str, request: Request, actor: Reader) -> ReviewOut:
    """The review with its facts, filled in from the record."""
    with read_session(request) as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        return review_out(session, incident)


@router.post("/api/v1/incidents/{ref}/review", status_code=201, response_model=ReviewOut)
def open_review(ref: str, request: Request, actor: Writer) -> ReviewOut:
    """Open the review now (it opens by itself at lessons_learned)."""
    with write_unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        service.open_review(uow, incident=incident)
        return review_out(uow.session, incident)


@router.patch("/api/v1/incidents/{ref}/review", response_model=ReviewOut)
def edit_review(ref: str, body: SectionsIn, request: Request, actor: Writer) -> ReviewOut:
    """Replace some sections' Markdown."""
    with write_unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        service.edit(uow, incident=incident, changes=body.sections)
        return review_out(uow.session, incident)


@router.post("/api/v1/incidents/{ref}/review/submit", response_model=ReviewOut)
def submit_review(ref: str, request: Request, actor: Writer) -> ReviewOut:
    with write_unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        service.submit(uow, incident=incident)
        return review_out(uow.session, incident)


@router.post("/api/v1/incidents/{ref}/review/signoff", response_model=ReviewOut)
def sign_off(ref: str, body: NoteIn, request: Request, actor: Writer) -> ReviewOut:
    with write_unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        service.sign_off(uow, incident=incident, note=body.note)
        return review_out(uow.session, incident)


@router.post("/api/v1/incidents/{ref}/review/reopen", response_model=ReviewOut)
def reopen_review(ref: str, request: Request, actor: Writer) -> ReviewOut:
    with write_unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        service.reopen(uow, incident=incident)
        return review_out(uow.session, incident)


@router.post("/api/v1/incidents/{ref}/review/approve", response_model=ReviewOut)
def approve_review(ref: str, request: Request, actor: Approver) -> ReviewOut:
    """Approve (the incident commander or a commander)."""
    with write_unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        service.approve(uow, incident=incident)
        return review_out(uow.session, incident)


@router.post("/api/v1/incidents/{ref}/review/waive", response_model=ReviewOut)
def waive_review(ref: str, body: WaiveIn, request: Request, actor: Approver) -> ReviewOut:
    """Waive the review with a reason, where rules/reviews.yaml allows it."""
    with write_unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        service.waive(uow, incident=incident, reason=body.reason)
        return review_out(uow.session, incident)


@router.put("/api/v1/incidents/{ref}/review/meeting", response_model=MeetingOut)
def schedule_meeting(ref: str, body: MeetingIn, request: Request, actor: Writer) -> MeetingOut:
    """Schedule (or move) the review meeting; participants get an iCalendar invite."""
    with write_unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        meeting = meetings.schedule(uow, incident=incident, starts_at=body.starts_at,
                                    minutes=body.minutes, location=body.location,
                                    extra=body.participants)
        return meeting_out(meeting)


@router.put("/api/v1/incidents/{ref}/review/meeting/notes", response_model=MeetingOut)
def meeting_notes(ref: str, body: NotesIn, request: Request, actor: Writer) -> MeetingOut:
    with write_unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        return meeting_out(meetings.attach_notes(uow, incident=incident, notes=body.notes))


@router.get("/api/v1/incidents/{ref}/review/export")
def export_review(ref: str, request: Request, actor: Reader,
                  format: str = Query("markdown", description="markdown, html or pdf")
                  ) -> Response:
    with read_session(request) as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        content = render(session, incident, format)
    return Response(content=content, media_type=MEDIA[format])


@router.get("/api/v1/incidents/{ref}/metrics", response_model=list[FigureOut])
def incident_figures(ref: str, request: Request, actor: MetricsReader) -> list[FigureOut]:
    """This incident's response figures, each with the events it was measured between."""
    with read_session(request) as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        return [FigureOut(**f.__dict__) for f in figures.compute(session, incident)]


@router.get("/api/v1/action-items", response_model=list[ActionItemOut])
def list_items(request: Request, actor: Reader, incident: str | None = None,
               owner: str | None = None, team: str | None = None,
               status: str | None = Query(None, description="a status, open or overdue"),
               playbook: str | None = None, drills: bool = False) -> list[ActionItemOut]:
    now = request.app.state.clock.now()
    with read_session(request) as session:
        incident_id = incidents.get_by_ref_or_raise(session, ref=incident).id if incident \
            else None
        found = items.get_all(session, now=now, filters=items.ItemFilters(
            incident_id=incident_id, owner=owner, team=team, status=status, playbook=playbook,
            drills=drills))
        return [item_out(i, now) for i in found]


@router.get("/api/v1/action-items/overdue")
def overdue_items(request: Request, actor: Reader,
                  by: str = Query("owner", description="owner or team")) -> list[dict[str, Any]]:
    """Overdue open action items counted per owner or team."""
    if by not in ("owner", "team"):
        raise Invalid(one_of(by, ["owner", "team"], "by"))
    with read_session(request) as session:
        return items.overdue_by(session, now=request.app.state.clock.now(), facet=by)


@router.post("/api/v1/action-items", status_code=201, response_model=ActionItemOut)
def create_item(body: ActionItemIn, request: Request, actor: Writer) -> ActionItemOut:
    with write_unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=body.incident)
        item = items.create(uow, incident=incident, new=items.NewItem(
            **body.model_dump(exclude={"incident"})))
        return item_out(item, uow.now())


@router.get("/api/v1/action-items/{item_ref}", response_model=ActionItemOut)
def read_item(item_ref: str, request: Request, actor: Reader) -> ActionItemOut:
    with read_session(request) as session:
        return item_out(items.get_or_raise(session, item_ref=item_ref),
                        request.app.state.clock.now())


@router.patch("/api/v1/action-items/{item_ref}", response_model=ActionItemOut)
def change_item(item_ref: str, body: ActionItemPatch, request: Request,
                actor: Writer) -> ActionItemOut:
    """Change fields and/or the status (done needs a note, wont_do a reason in note)."""
    with write_unit(request, actor) as uow:
        item = items.get_for_update(uow, item_ref=item_ref)
        changes = body.model_dump(exclude_unset=True, exclude={"status", "note"})
        if changes:
            items.update(uow, item=item, changes=changes)
        if body.status is not None:
            items.set_status(uow, item=item, status=body.status, note=body.note)
        return item_out(item, uow.now())


@router.get("/api/v1/metrics/response")
def response_metrics(request: Request, actor: MetricsReader,
                     by: str = Query("severity", description=", ".join(aggregate.GROUPINGS)),
                     since: str | None = Query(None, description="90d, 12w, 36h or a date"),
                     until: datetime | None = None, drills: bool = False,
                     metric: list[str] = Query([])) -> dict[str, Any]:
    """Response figures across incidents: n, p50, p90, max and mean per group."""
    now = request.app.state.clock.now()
    query = aggregate.Query(by=by, since=aggregate.since(since, now), until=until,
                            drills=drills, metrics=tuple(metric))
    with read_session(request) as session:
        return aggregate.response(session, query, now=now)


@router.get("/api/v1/metrics/response/chart.svg")
def response_chart(request: Request, actor: MetricsReader,
                   by: str = Query("severity", description=", ".join(aggregate.GROUPINGS)),
                   since: str | None = None, drills: bool = False,
                   metric: str = "time_to_acknowledge") -> Response:
    """p50 and p90 of one figure per group, as an SVG chart."""
    now = request.app.state.clock.now()
    query = aggregate.Query(by=by, since=aggregate.since(since, now), drills=drills,
                            metrics=(metric,))
    with read_session(request) as session:
        result = aggregate.response(session, query, now=now)
    rows = [(g["key"], g["metrics"].get(metric, {}).get("p50"),
             g["metrics"].get(metric, {}).get("p90")) for g in result["groups"]]
    return Response(content=charts.p50_p90(f"{metric} by {by}", rows),
                    media_type="image/svg+xml")


def render(session: Session, incident: Incident, format: str) -> bytes:
    """The review of ``incident`` in ``format`` (markdown, html, pdf)."""
    if format not in export.FORMATS:
        raise Invalid(one_of(format, list(export.FORMATS), "format"))
    review = service.get_or_raise(session, incident=incident)
    record = facts.collect(session, incident)
    found = items.get_all(session, now=review.updated_at, filters=items.ItemFilters(
        incident_id=incident.id))
    if format == "markdown":
        return export.markdown(review, record, found).encode()
    page = export.html(review, record, found)
    return page.encode() if format == "html" else export.pdf(page)


def meeting_out(meeting: Meeting) -> MeetingOut:
    return MeetingOut(starts_at=meeting.starts_at, minutes=meeting.minutes,
                      location=meeting.location, participants=list(meeting.participants),
                      notes=meeting.notes)


def review_out(session: Session, incident: Incident) -> ReviewOut:
    review = service.get_or_raise(session, incident=incident)
    return ReviewOut(incident=incident.ref, facts=facts.collect(session, incident),
                     **service.view(review))
