"""The review screens: the incident tab ``/incidents/{ref}/review`` (the
review's state, deadlines, facts from the record, its sections, sign-off,
approval or waiver, the meeting and the export) and ``/actions``, the action
items across incidents.

Permissions are the API's: reading needs review:read, every change
review:write. Approving and waiving need the incident commander (while the
incident is open) or a commander; the route asks for review:write and the
service refuses anyone else with its own sentence, which the tab shows by the
button, so a responder learns who may approve instead of meeting a bare 403.
Each form calls the reviews services in one unit of work acting as the
signed-in person; a refusal re-renders the screen with the domain's sentence
by the field (status 4xx) and the unit of work rolls back, so nothing is
half-saved. Section Markdown is shown only as the domain's sanitised HTML.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from markupsafe import Markup
from starlette.responses import Response

from warroom.auth import service as users
from warroom.auth.permissions import INCIDENT_ROLE_GRANTS, Permission
from warroom.console.screens import can, render, see_other
from warroom.console.session import check_csrf, console_requires
from warroom.db import Actor
from warroom.errors import Forbidden, Invalid, Problem
from warroom.http import client_ip
from warroom.incidents import service as incident_service
from warroom.oncall.teams import service as teams
from warroom.reviews import charts, definitions, export, facts, items, meetings, sections
from warroom.reviews import service as reviews

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, console_requires(Permission.review_read)]
Writer = Annotated[Actor, console_requires(Permission.review_write)]
CSRF = [Depends(check_csrf)]
MEDIA = {"markdown": ("text/markdown; charset=utf-8", "md"),
         "html": ("text/html; charset=utf-8", "html"), "pdf": ("application/pdf", "pdf")}
TABS = (("mine", "Mine"), ("team", "My team's"), ("overdue", "Overdue"), ("open", "All open"))
SOURCE_NAMES = {"review": "review", "playbook_step": "playbook step", "drill": "drill",
                "incident": "incident"}


def _unit(request: Request, actor: Actor) -> Any:
    return request.app.state.database.unit_of_work(actor, source_ip=client_ip(request),
                                                   clock=request.app.state.clock)


def _status(problem: Problem) -> int:
    return problem.status if problem.status < 500 else 400


def pdf_available() -> bool:
    """Whether the PDF link is offered: the export itself says why it cannot."""
    return export.pdf_available()


def _may_approve(actor: Actor, held: set[str]) -> bool:
    """The API's rule: review:approve, or a role on the open incident granting it."""
    return can(actor, Permission.review_approve) or any(
        Permission.review_approve in INCIDENT_ROLE_GRANTS.get(role, ()) for role in held)


def _held(session: Any, incident: Any, actor: Actor) -> set[str]:
    if actor.user_id is None:
        return set()
    return incident_service.roles_held(session, incident=incident, user_id=actor.user_id)


# ---- the incident's review tab --------------------------------------------------


@router.get("/incidents/{ref}/review")
def review_tab(request: Request, ref: str, actor: Reader) -> Response:
    return _tab(request, actor, ref, form={}, errors={})


def _tab(request: Request, actor: Actor, ref: str, *, form: dict[str, str],
         errors: dict[str, str], status: int = 200) -> Response:
    now = request.app.state.clock.now()
    with request.app.state.database.read() as session:
        incident = incident_service.get_by_ref_or_raise(session, ref=ref)
        review = reviews.get(session, incident_id=incident.id)
        view = reviews.view(review) if review else None
        record = facts.collect(session, incident)
        policy = definitions.policy(incident.severity)
        meeting = meetings.get(session, incident_id=incident.id)
        shown_meeting = None if meeting is None else {
            "starts_at": meeting.starts_at, "minutes": meeting.minutes,
            "location": meeting.location, "participants": list(meeting.participants),
            "notes": meeting.notes}
        role_holders = meetings.participants(session, incident, [])
        found = items.get_all(session, now=now, filters=items.ItemFilters(
            incident_id=incident.id))
        rows = [_row(item, incident.ref, now) for item in found]
        people = sorted(u.username for u in users.get_all(session))
        may_approve = _may_approve(actor, _held(session, incident, actor))
        shown = {"id": incident.ref, "title": incident.title, "is_drill": incident.is_drill,
                 "phase": incident.phase, "severity": incident.severity}
        session.expunge_all()
    rendered = [{"name": name, "title": title, "hint": hint,
                 "markdown": form.get(f"section-{name}", view["sections"][name] if view else ""),
                 "html": Markup(export.sanitise(view["sections"][name])) if view else ""}
                for name, title, hint in sections.SECTIONS]
    default_due = (now + timedelta(days=policy.follow_up_days)).date().isoformat()
    return render(request, actor, "review.html", {
        "incident": shown, "review": view, "facts": record, "policy": policy, "now": now,
        "sections": rendered, "meeting": shown_meeting, "role_holders": role_holders,
        "items": rows, "people": people, "may_approve": may_approve,
        "chart": Markup(export.figures_chart(record)),
        "duration": charts.duration_text(record["duration_seconds"]),
        "figures": [{**f, "text": _figure_text(f)} for f in record["figures"]],
        "pdf": pdf_available(), "priorities": items.PRIORITIES, "default_due": default_due,
        "form": form, "errors": errors}, status=status)


def _figure_text(figure: dict[str, Any]) -> str:
    value = figure["value"]
    if value is None:
        return "not yet"
    text = charts.duration_text(value) if figure["unit"] == "seconds" else f"{value:g}"
    if figure.get("met") is not None:
        target = f" {figure['target']}" if figure.get("target") else ""
        text += f" ({'met' if figure['met'] else 'missed'}{target})"
    return text


def _review_action(request: Request, actor: Actor, ref: str, field: str, action: Any, *,
                   form: dict[str, str] | None = None) -> Response:
    """Run ``action(uow, incident)``; on a refusal re-render the tab with the
    sentence by ``field`` and what was typed still in the form."""
    try:
        with _unit(request, actor) as uow:
            action(uow, incident_service.get_for_update(uow, ref=ref))
    except Problem as problem:
        return _tab(request, actor, ref, form=form or {}, errors={field: problem.detail},
                    status=_status(problem))
    return see_other(f"/incidents/{ref}/review")


@router.post("/incidents/{ref}/review/open", dependencies=CSRF)
def open_now(request: Request, ref: str, actor: Writer) -> Response:
    """Open the review before lessons_learned (it opens by itself there)."""
    return _review_action(request, actor, ref, "open", lambda uow, incident:
                          reviews.open_review(uow, incident=incident))


@router.post("/incidents/{ref}/review/sections/{name}", dependencies=CSRF)
def edit_section(request: Request, ref: str, name: str, actor: Writer,
                 markdown: Annotated[str, Form(max_length=sections.MAX_SECTION + 1)] = ""
                 ) -> Response:
    """Replace one section's Markdown (the others stay as they are)."""
    return _review_action(
        request, actor, ref, f"section-{name}",
        lambda uow, incident: reviews.edit(uow, incident=incident, changes={name: markdown}),
        form={f"section-{name}": markdown})


@router.post("/incidents/{ref}/review/submit", dependencies=CSRF)
def submit(request: Request, ref: str, actor: Writer) -> Response:
    return _review_action(request, actor, ref, "decide", lambda uow, incident:
                          reviews.submit(uow, incident=incident))


@router.post("/incidents/{ref}/review/signoff", dependencies=CSRF)
def sign_off(request: Request, ref: str, actor: Writer,
             note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    return _review_action(request, actor, ref, "signoff", lambda uow, incident:
                          reviews.sign_off(uow, incident=incident, note=note),
                          form={"signoff-note": note})


@router.post("/incidents/{ref}/review/reopen", dependencies=CSRF)
def reopen(request: Request, ref: str, actor: Writer) -> Response:
    return _review_action(request, actor, ref, "decide", lambda uow, incident:
                          reviews.reopen(uow, incident=incident))


def _as_approver(uow: Any, incident: Any, actor: Actor, act: Any) -> None:
    """``act()`` (the service refuses a non-commander with its sentence), then
    the API's incident-scoped rule: an incident commander who is not a
    commander approves only while the incident is open."""
    act()
    if not _may_approve(actor, _held(uow.session, incident, actor)):
        raise Forbidden(f"Only the incident commander of {incident.ref}, while it is open, "
                        "or a commander may approve or waive its review.")


@router.post("/incidents/{ref}/review/approve", dependencies=CSRF)
def approve(request: Request, ref: str, actor: Writer) -> Response:
    return _review_action(request, actor, ref, "decide", lambda uow, incident: _as_approver(
        uow, incident, actor, lambda: reviews.approve(uow, incident=incident)))


@router.post("/incidents/{ref}/review/waive", dependencies=CSRF)
def waive(request: Request, ref: str, actor: Writer,
          reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    return _review_action(request, actor, ref, "waive", lambda uow, incident: _as_approver(
        uow, incident, actor, lambda: reviews.waive(uow, incident=incident, reason=reason)),
        form={"reason": reason})


def _meeting_start(value: str) -> datetime:
    """A ``datetime-local`` value (or ISO 8601), read as UTC when it names no zone."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"{value.strip()[:40]!r} is not a date and time such as "
                      "2026-12-03T14:00 (UTC).") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@router.post("/incidents/{ref}/review/meeting", dependencies=CSRF)
def schedule_meeting(request: Request, ref: str, actor: Writer,
                     starts_at: Annotated[str, Form(max_length=40)] = "",
                     minutes: Annotated[str, Form(max_length=5)] = "60",
                     location: Annotated[str, Form(max_length=500)] = "",
                     participants: Annotated[str, Form(max_length=5000)] = "") -> Response:
    """Schedule or move the meeting; the role holders are invited, plus
    whoever is named (comma-separated usernames)."""
    form = {"starts_at": starts_at, "minutes": minutes, "location": location,
            "participants": participants}

    def schedule(uow: Any, incident: Any) -> None:
        if not minutes.strip().isdigit():
            raise Invalid("Give the meeting's length in minutes (15 to 480).")
        extra = [n.strip() for n in participants.replace("\n", ",").split(",") if n.strip()]
        meetings.schedule(uow, incident=incident, starts_at=_meeting_start(starts_at),
                          minutes=int(minutes), location=location, extra=extra)

    return _review_action(request, actor, ref, "meeting", schedule, form=form)


@router.post("/incidents/{ref}/review/meeting/notes", dependencies=CSRF)
def meeting_notes(request: Request, ref: str, actor: Writer,
                  notes: Annotated[str, Form(max_length=100_000)] = "") -> Response:
    return _review_action(request, actor, ref, "notes", lambda uow, incident:
                          meetings.attach_notes(uow, incident=incident, notes=notes),
                          form={"notes": notes})


@router.get("/incidents/{ref}/review/export")
def export_review(request: Request, ref: str, actor: Reader,
                  format: Annotated[str, Query(pattern="^(markdown|html|pdf)$")] = "markdown"
                  ) -> Response:
    """The review document as a download, rendered as the API renders it."""
    with request.app.state.database.read() as session:
        incident = incident_service.get_by_ref_or_raise(session, ref=ref)
        review = reviews.get_or_raise(session, incident=incident)
        record = facts.collect(session, incident)
        found = items.get_all(session, now=review.updated_at, filters=items.ItemFilters(
            incident_id=incident.id))
        if format == "markdown":
            content = export.markdown(review, record, found).encode()
        else:
            page = export.html(review, record, found)
            content = page.encode() if format == "html" else export.pdf(page)
    media, suffix = MEDIA[format]
    return Response(content, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{ref}-review.{suffix}"'})


def _item_form(title: Annotated[str, Form(max_length=301)] = "",
               owner: Annotated[str, Form(max_length=64)] = "",
               team: Annotated[str, Form(max_length=100)] = "",
               priority: Annotated[str, Form(max_length=20)] = "medium",
               due: Annotated[str, Form(max_length=20)] = "",
               tracker_url: Annotated[str, Form(max_length=2001)] = "",
               playbook: Annotated[str, Form(max_length=300)] = "") -> dict[str, str]:
    """The new action item's fields as typed, one form for the review tab and
    the action items page (kept to re-render it with an error)."""
    return {"title": title, "owner": owner, "team": team, "priority": priority, "due": due,
            "tracker_url": tracker_url, "playbook": playbook}


@router.post("/incidents/{ref}/review/items", dependencies=CSRF)
def create_from_tab(request: Request, ref: str, actor: Writer,
                    form: Annotated[dict[str, str], Depends(_item_form)]) -> Response:
    """An action item made by the review."""
    return _review_action(request, actor, ref, "item", lambda uow, incident: _create(
        uow, incident, form), form=form)


# ---- action items across incidents ---------------------------------------------


def _due(value: str) -> datetime | None:
    """A due date (``YYYY-MM-DD``) as the end of that day, UTC."""
    text = value.strip()
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise Invalid(f"due: {text[:20]!r} is not a date such as 2026-12-16.") from None
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def _create(uow: Any, incident: Any, form: dict[str, str]) -> None:
    source = "drill" if incident.is_drill else "review"
    items.create(uow, incident=incident, new=items.NewItem(
        title=form["title"], owner=form["owner"].strip() or None, team=form["team"],
        priority=form["priority"], due_at=_due(form["due"]),
        tracker_url=form["tracker_url"], source=source, playbook=form["playbook"]))


def _row(item: Any, incident_ref: str, now: datetime) -> dict[str, Any]:
    link = item.tracker_url or ""
    return {"ref": items.ref(item), "incident": incident_ref, "title": item.title,
            "owner": item.owner, "team": item.team, "priority": item.priority,
            "due_at": item.due_at, "status": item.status, "note": item.note,
            "overdue": item.status in items.OPEN and item.due_at is not None
            and item.due_at < now,
            "source": SOURCE_NAMES.get(item.source, item.source), "tracker_url": link,
            "tracker_is_link": link.startswith(("http://", "https://")),
            "playbook": item.playbook}


def _listed(session: Any, actor: Actor, tab: str, now: datetime,
            incident_id: int | None) -> list[Any]:
    """The items a tab shows: mine (I own them), my team's (a team I am in owns
    them or one of its members does), overdue, or all open."""
    def find(**given: Any) -> list[Any]:
        return items.get_all(session, now=now, filters=items.ItemFilters(
            incident_id=incident_id, **given))

    if tab == "mine":
        return find(owner=actor.name, status="open")
    if tab == "overdue":
        return find(status="overdue")
    if tab == "team":
        found: dict[int, Any] = {}
        for name in teams.teams_of(session, user_id=actor.user_id or 0):
            team = teams.get_by_name_or_raise(session, name=name)
            for item in find(team=name, status="open"):
                found[item.id] = item
            for member in teams.members(session, team=team):
                for item in find(owner=member.username, status="open"):
                    found[item.id] = item
        return sorted(found.values(), key=lambda i: (i.due_at is None, i.due_at or now, i.id))
    return find(status="open")


@router.get("/actions")
def actions_page(request: Request, actor: Reader,
                 tab: Annotated[str, Query(pattern="^(mine|team|overdue|open)$")] = "mine",
                 incident: Annotated[str, Query(max_length=40)] = "") -> Response:
    return _actions(request, actor, tab=tab, incident_ref=incident, form={}, errors={})


def _actions(request: Request, actor: Actor, *, tab: str, incident_ref: str,
             form: dict[str, str], errors: dict[str, str], status: int = 200) -> Response:
    now = request.app.state.clock.now()
    with request.app.state.database.read() as session:
        incident = incident_service.get_by_ref_or_raise(session, ref=incident_ref) \
            if incident_ref else None
        found = _listed(session, actor, tab, now, incident.id if incident else None)
        refs = {i.id: i.ref for i in incident_service.many(
            session, ids={item.incident_id for item in found}).values()}
        rows = [_row(item, refs.get(item.incident_id, f"INC-{item.incident_id}"), now)
                for item in found]
        my_teams = teams.teams_of(session, user_id=actor.user_id or 0)
        people = sorted(u.username for u in users.get_all(session))
    return render(request, actor, "actions.html", {
        "rows": rows, "tab": tab, "tabs": TABS, "incident_ref": incident_ref,
        "my_teams": my_teams, "people": people, "priorities": items.PRIORITIES,
        "statuses": items.STATUSES, "now": now, "form": form, "errors": errors},
        status=status)


@router.post("/actions", dependencies=CSRF)
def create_item(request: Request, actor: Writer,
                fields: Annotated[dict[str, str], Depends(_item_form)],
                incident: Annotated[str, Form(max_length=40)] = "") -> Response:
    """An action item on an incident named by its reference."""
    form = {"incident": incident, **fields}
    try:
        if not incident.strip():
            raise Invalid("Name the incident the action item comes from (such as INC-12).")
        with _unit(request, actor) as uow:
            _create(uow, incident_service.get_for_update(uow, ref=incident.strip()), form)
    except Problem as problem:
        return _actions(request, actor, tab="open", incident_ref="", form=form,
                        errors={"create": problem.detail}, status=_status(problem))
    return see_other("/actions?tab=open")


@router.post("/actions/{item_ref}/status", dependencies=CSRF)
def change_status(request: Request, item_ref: str, actor: Writer,
                  status: Annotated[str, Form(max_length=20)] = "",
                  note: Annotated[str, Form(max_length=5000)] = "",
                  tab: Annotated[str, Form(pattern="^(mine|team|overdue|open)$")] = "open"
                  ) -> Response:
    """Move an item on: done needs a note of what was done, won't-do a reason."""
    key = f"status-{item_ref}"
    try:
        with _unit(request, actor) as uow:
            item = items.get_for_update(uow, item_ref=item_ref)
            items.set_status(uow, item=item, status=status, note=note)
    except Problem as problem:
        return _actions(request, actor, tab=tab, incident_ref="",
                        form={f"{key}-status": status, f"{key}-note": note},
                        errors={key: problem.detail}, status=_status(problem))
    return see_other(f"/actions?tab={tab}")
