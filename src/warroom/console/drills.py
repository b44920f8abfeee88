"""The drill screens: ``/drills`` (runs, the scenario library, a form to start
one, the schedules and the preparedness item, the history with its trend) and
``/drills/{ref}`` (one run: its injects on a timeline, the live scorecard,
and the facilitator's forms).

Reading needs drill:read and every change drill:run, as in the API. Each form
calls the drills service in a unit of work acting as the signed-in person; a
refusal re-renders the screen with the domain's sentence beside the field
(status 4xx) and the unit of work rolls back, so nothing is half-saved. The
scorecard is read from the drill incident's record, so the drill page listens
to that incident's event stream (``console.js`` reloads its ``data-live``
regions on each event, and polls when the stream is cut).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from warroom.auth.permissions import Permission
from warroom.config import get_settings
from warroom.console.live import feed_of
from warroom.console.screens import can, render, see_other
from warroom.console.session import check_csrf, console_requires
from warroom.db import Actor
from warroom.drills import present, scenarios, schedule, scoring, service
from warroom.errors import Problem
from warroom.http import client_ip
from warroom.playbooks import preparedness

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.drills.models import Drill

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, console_requires(Permission.drill_read)]
Runner = Annotated[Actor, console_requires(Permission.drill_run)]
CSRF = [Depends(check_csrf)]
HISTORY = timedelta(days=365)
MODES = ("tabletop", "live")
SANDBOX_STATUSES = ("investigating", "identified", "monitoring", "resolved")


def _unit(request: Request, actor: Actor) -> Any:
    return request.app.state.database.unit_of_work(actor, source_ip=client_ip(request),
                                                   clock=request.app.state.clock)


def _status(problem: Problem) -> int:
    return problem.status if problem.status < 500 else 400


# ---- the list -----------------------------------------------------------------


@router.get("/drills")
def drills_page(request: Request, actor: Reader) -> Response:
    return _list(request, actor, form={}, errors={})


def _list(request: Request, actor: Actor, *, form: dict[str, str], errors: dict[str, str],
          status: int = 200) -> Response:
    now = request.app.state.clock.now()
    library = scenarios.get_all()
    with request.app.state.database.read() as session:
        runs = [_summary(session, d, now) for d in service.get_all(session)]
        plans = [{"row": present.schedule_out(r)} for r in schedule.get_all(session)]
        item = next((s for s in preparedness.get_all(session, now=now)
                     if s.item.id == schedule.ITEM), None)
        history = service.history(session, since=now - HISTORY)
        last = schedule.last_finished(session)
    return render(request, actor, "drills.html", {
        "runs": runs, "scenarios": library, "schedules": plans, "item": item,
        "history": history, "last_finished": last, "now": now, "modes": MODES,
        "max_scale": service.MAX_TIME_SCALE, "form": form, "errors": errors}, status=status)


def _summary(session: Session, drill: Drill, now: Any) -> dict[str, Any]:
    """A row of the list: a running drill shows its live score so far."""
    score = drill.score
    if score is None and drill.status == service.RUNNING:
        score = scoring.score(service.scorecard(session, drill=drill, now=now))
    return {"ref": drill.ref, "scenario": drill.scenario, "title": drill.title,
            "mode": drill.mode, "status": drill.status, "facilitator": drill.facilitator,
            "participants": list(drill.participants), "started_at": drill.started_at,
            "ended_at": drill.ended_at, "score": score, "time_scale": drill.time_scale,
            "incident": f"INC-{drill.incident_id}" if drill.incident_id else None}


@router.post("/drills", dependencies=CSRF)
def start(request: Request, actor: Runner,
          scenario: Annotated[str, Form(max_length=80)] = "",
          facilitator: Annotated[str, Form(max_length=64)] = "",
          participants: Annotated[str, Form(max_length=3000)] = "",
          time_scale: Annotated[str, Form(max_length=20)] = "1",
          mode: Annotated[str, Form(max_length=20)] = "tabletop",
          team: Annotated[str, Form(max_length=100)] = "") -> Response:
    """Start a run as the API does (participants comma-separated)."""
    form = {"scenario": scenario, "facilitator": facilitator, "participants": participants,
            "time_scale": time_scale, "mode": mode, "team": team}
    errors = _check_start(form)
    if errors:
        return _list(request, actor, form=form, errors=errors, status=400)
    names = [n.strip() for n in participants.split(",") if n.strip()]
    try:
        with _unit(request, actor) as uow:
            ref = service.start(uow, scenario_id=scenario.strip(),
                                facilitator=facilitator.strip(), participants=names,
                                time_scale=float(time_scale), live=mode == "live",
                                team=team.strip()).ref
    except Problem as problem:
        return _list(request, actor, form=form, status=_status(problem),
                     errors={_start_field(problem.detail, form): problem.detail})
    feed_of(request.app).kick()
    return see_other(f"/drills/{ref}")


def _check_start(form: dict[str, str]) -> dict[str, str]:
    """What the form can say before the service is asked (each by its field)."""
    errors = {}
    if not form["scenario"].strip():
        errors["scenario"] = "Pick the scenario to run."
    if not form["facilitator"].strip():
        errors["facilitator"] = "Name the facilitator (a warroom user)."
    if not [n for n in form["participants"].split(",") if n.strip()]:
        errors["participants"] = "Name at least one participant, comma-separated."
    try:
        scale = float(form["time_scale"])
    except ValueError:
        scale = 0.0
    if not 0 < scale <= service.MAX_TIME_SCALE:
        errors["time_scale"] = (f"The time scale is a number above 0 and at most "
                                f"{service.MAX_TIME_SCALE:g} (10 runs ten scenario minutes "
                                "in one real minute).")
    if form["mode"] not in MODES:
        errors["mode"] = "Pick tabletop or live."
    return errors


def _start_field(detail: str, form: dict[str, str]) -> str:
    """Which field the service's refusal is about, so it is shown beside it."""
    text = detail.lower()
    if "scenario" in text and "live mode" not in text:
        return "scenario"
    if "live mode" in text:
        return "mode"
    if "time scale" in text:
        return "time_scale"
    if "user" in text and form["facilitator"].strip() and \
            repr(form["facilitator"].strip()) in detail:
        return "facilitator"
    return "participants"


@router.get("/drills/calendar.ics")
def calendar(request: Request, actor: Reader) -> Response:
    """The schedules as an iCalendar feed, for a signed-in browser (the API's
    feed at ``/api/v1/drills/calendar.ics`` wants a token)."""
    with request.app.state.database.read() as session:
        text = schedule.calendar(session, base_url=get_settings().base_url,
                                 now=request.app.state.clock.now())
    return Response(text, media_type="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="drills.ics"'})


# ---- one drill ----------------------------------------------------------------


@router.get("/drills/{ref}")
def drill_page(request: Request, ref: str, actor: Reader) -> Response:
    return _drill(request, actor, ref, form={}, errors={})


def _drill(request: Request, actor: Actor, ref: str, *, form: dict[str, str],
           errors: dict[str, str], status: int = 200) -> Response:
    now = request.app.state.clock.now()
    with request.app.state.database.read() as session:
        drill = service.get_by_ref_or_raise(session, ref=ref)
        shown = present.drill_out(session, drill, now=now)
        latest = feed_of(request.app).latest_id(session)
    scenario = scenarios.get_or_raise(shown.scenario)
    specs = {i.id: i for i in scenario.injects}
    injects = [{"id": i.id, "at_minutes": specs[i.id].at_minutes if i.id in specs else None,
                "kind": specs[i.id].kind if i.id in specs else "", "due_at": i.due_at,
                "fired_at": i.fired_at, "fired_by": i.fired_by, "outcome": i.outcome}
               for i in shown.injects]
    pending = [i for i in injects if i["fired_at"] is None]
    targets = {o.id: scenario.objective_target(o) for o in scenario.objectives}
    return render(request, actor, "drill.html", {
        "drill": shown, "scenario": scenario, "injects": injects, "pending": pending,
        "scorecard": shown.scorecard, "targets": targets, "now": now,
        "running": shown.status == service.RUNNING,
        "elapsed": scoring_minutes(shown.started_at, shown.ended_at or now, shown.time_scale),
        "stream": shown.incident is not None and can(actor, Permission.incident_read),
        "latest_event": latest, "statuses": SANDBOX_STATUSES, "form": form,
        "errors": errors}, status=status)


def scoring_minutes(start: Any, moment: Any, scale: float) -> float:
    """Scenario minutes between two moments on a drill's scaled clock."""
    return round(max(0.0, (moment - start).total_seconds() / 60 * scale), 1)


@router.post("/drills/{ref}/injects", dependencies=CSRF)
def fire_inject(request: Request, ref: str, actor: Runner,
                inject: Annotated[str, Form(max_length=80)] = "") -> Response:
    """The facilitator sends an inject now (the next one, or one chosen)."""
    if not inject.strip():
        return _drill(request, actor, ref, form={}, status=400,
                      errors={"inject": "Pick the inject to send."})
    try:
        with _unit(request, actor) as uow:
            drill = service.get_by_ref_or_raise(uow.session, ref=ref, lock=True)
            service.inject(uow, drill=drill, inject_id=inject.strip())
    except Problem as problem:
        return _drill(request, actor, ref, form={"inject": inject}, status=_status(problem),
                      errors={"inject": problem.detail})
    feed_of(request.app).kick()
    return see_other(f"/drills/{ref}")


@router.post("/drills/{ref}/status", dependencies=CSRF)
def sandbox_status(request: Request, ref: str, actor: Runner,
                   status: Annotated[str, Form(max_length=40)] = "investigating",
                   message: Annotated[str, Form(max_length=4000)] = "") -> Response:
    """A post to the drill's sandbox status page (never the public one)."""
    form = {"status": status, "message": message}
    try:
        with _unit(request, actor) as uow:
            drill = service.get_by_ref_or_raise(uow.session, ref=ref, lock=True)
            service.post_sandbox_status(uow, drill=drill, status=status.strip(),
                                        message=message.strip())
    except Problem as problem:
        return _drill(request, actor, ref, form=form, status=_status(problem),
                      errors={"message": problem.detail})
    feed_of(request.app).kick()
    return see_other(f"/drills/{ref}")


@router.post("/drills/{ref}/end", dependencies=CSRF)
def end(request: Request, ref: str, actor: Runner) -> Response:
    """End the drill: the service scores it, audits the scorecard, opens the debrief."""
    try:
        with _unit(request, actor) as uow:
            drill = service.get_by_ref_or_raise(uow.session, ref=ref, lock=True)
            service.end(uow, drill=drill)
    except Problem as problem:
        return _drill(request, actor, ref, form={}, status=_status(problem),
                      errors={"end": problem.detail})
    feed_of(request.app).kick()
    return see_other(f"/drills/{ref}")
