"""``warroom drill ...``: run scenarios as drills, score them, schedule them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from warroom import clock
from warroom.cli_support import (
    AS_USER,
    JSON_OUT,
    echo,
    emit_json,
    emit_table,
    handles_problems,
    reading,
    safe,
    unit,
)
from warroom.drills import present, scenarios, schedule, service
from warroom.drills.api import period, scenario_out
from warroom.drills.schemas import DrillOut
from warroom.errors import Invalid

drill_app = typer.Typer(help="Drills and game days: scripted exercises on the real system.",
                        no_args_is_help=True)
scenarios_app = typer.Typer(help="The scenario library.", no_args_is_help=True)
drill_app.add_typer(scenarios_app, name="scenarios")
COMMANDS = {"drill": drill_app}


@scenarios_app.command("list")
@handles_problems
def list_scenarios(json_out: bool = JSON_OUT) -> None:
    """Every scenario in the library."""
    rows = [scenario_out(s) for s in scenarios.get_all()]
    if json_out:
        emit_json([r.model_dump() for r in rows])
        return
    emit_table("Scenarios", ["id", "title", "type", "severity", "difficulty", "minutes",
                             "mode", "objectives", "injects"],
               [[r.id, r.title, r.type, r.severity, r.difficulty, r.duration_minutes, r.mode,
                 r.objectives, r.injects] for r in rows])


@scenarios_app.command("validate")
@handles_problems
def validate(paths: list[Path] = typer.Argument(None, help="Files (default: the library).")
             ) -> None:
    """Check scenario files; exits 1 naming the first problem."""
    files = paths or sorted(scenarios.directory().glob("*.yaml"))
    for path in files:
        scenarios.validate_file(path)
    echo(f"{len(files)} scenario file(s) valid")


@drill_app.command("start")
@handles_problems
def start(scenario: str,
          facilitator: str = typer.Option(..., help="Who runs the drill."),
          participants: str = typer.Option(..., help="Usernames, comma-separated: only they "
                                           "are paged."),
          time_scale: float = typer.Option(1.0, "--time-scale", help="Compress the scenario "
                                           "clock: 10 runs ten scenario minutes a minute."),
          live: bool = typer.Option(False, "--live", help="Turn the scenario's fault on in "
                                    "the demo service."),
          team: str = typer.Option("", help="The team practising (for the trend)."),
          page_real: bool = typer.Option(False, "--page-real", help="Page the real rotation "
                                         "(admins only; asks to confirm)."),
          yes: bool = typer.Option(False, "--yes", help="Confirm --page-real."),
          as_user: str = AS_USER, json_out: bool = JSON_OUT) -> None:
    """Start a drill of a scenario."""
    if page_real and not yes and not typer.confirm(
            "Page the REAL on-call rotation for this drill?", default=False):
        raise Invalid("Not started: --page-real was not confirmed.")
    with unit(as_user) as uow:
        drill = service.start(uow, scenario_id=scenario, facilitator=facilitator,
                              participants=participants.split(","), time_scale=time_scale,
                              live=live, team=team, page_real=page_real)
        shown = present.drill_out(uow.session, drill, now=uow.now())
    _show(shown, json_out)


@drill_app.command("inject")
@handles_problems
def inject(ref: str, inject_id: str, as_user: str = AS_USER,
           json_out: bool = JSON_OUT) -> None:
    """Fire an inject now."""
    with unit(as_user) as uow:
        drill = service.get_by_ref_or_raise(uow.session, ref=ref, lock=True)
        service.inject(uow, drill=drill, inject_id=inject_id)
        shown = present.drill_out(uow.session, drill, now=uow.now())
    _show(shown, json_out)


@drill_app.command("status")
@handles_problems
def sandbox_status(ref: str, message: str = typer.Option(..., help="What the public would "
                                                        "read."),
                   status: str = typer.Option("investigating"), as_user: str = AS_USER) -> None:
    """Post to the drill's sandbox status page (never the public one)."""
    with unit(as_user) as uow:
        drill = service.get_by_ref_or_raise(uow.session, ref=ref, lock=True)
        service.post_sandbox_status(uow, drill=drill, status=status, message=message)
    echo(f"{ref}: posted to the sandbox status page")


@drill_app.command("end")
@handles_problems
def end(ref: str, as_user: str = AS_USER, json_out: bool = JSON_OUT) -> None:
    """End the drill, score it and open its debrief."""
    with unit(as_user) as uow:
        drill = service.get_by_ref_or_raise(uow.session, ref=ref, lock=True)
        service.end(uow, drill=drill)
        shown = present.drill_out(uow.session, drill, now=uow.now())
    _show(shown, json_out)


@drill_app.command("score")
@handles_problems
def score(ref: str, json_out: bool = JSON_OUT) -> None:
    """The scorecard: live while the drill runs, final once it ended."""
    with reading() as session:
        shown = present.drill_out(session, service.get_by_ref_or_raise(session, ref=ref),
                                  now=clock.now())
    _show(shown, json_out)


@drill_app.command("list")
@handles_problems
def list_drills(status: str = typer.Option(None, help="running or ended"),
                json_out: bool = JSON_OUT) -> None:
    """Every drill, newest first."""
    with reading() as session:
        rows = [present.drill_out(session, d, now=clock.now())
                for d in service.get_all(session, status=status)]
    if json_out:
        emit_json([r.model_dump(mode="json") for r in rows])
        return
    emit_table("Drills", ["id", "scenario", "mode", "status", "incident", "started", "score"],
               [[r.id, r.scenario, r.mode, r.status, r.incident, r.started_at, r.score]
                for r in rows])


@drill_app.command("report")
@handles_problems
def report(since: str = typer.Option("1y", help="90d, 12w, 6m, 1y"),
           json_out: bool = JSON_OUT) -> None:
    """Drill history with the trend per scenario and team."""
    with reading() as session:
        rows = service.history(session, since=clock.now() - period(since))
    if json_out:
        emit_json(rows)
        return
    emit_table(f"Drills since {since}", ["drill", "date", "scenario", "team", "score", "trend"],
               [[r["drill"], r["date"], r["scenario"], r["team"] or "-", r["score"],
                 "-" if r["trend"] is None else f"{r['trend']:+d}"] for r in rows])


@drill_app.command("schedule")
@handles_problems
def add_schedule(every: str = typer.Option("quarter", help="month, quarter, half-year, year"),
                 scenario: str = typer.Option("rotate", help="A scenario id, or rotate."),
                 owner: str = typer.Option(..., help="Who is reminded."),
                 first: str = typer.Option(..., help="The first run, ISO 8601 (UTC)."),
                 team: str = typer.Option(""), as_user: str = AS_USER) -> None:
    """Schedule a recurring drill (reminders, and the calendar feed)."""
    try:
        moment = datetime.fromisoformat(first)
    except ValueError as error:
        raise Invalid(f"{first!r} is not an ISO 8601 time, e.g. 2026-01-15T10:00Z.") from error
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    with unit(as_user) as uow:
        row = schedule.create(uow, every=every, scenario=scenario, owner=owner, first=moment,
                              team=team)
        shown = present.schedule_out(row)
    echo(f"Schedule {shown.id}: every {shown.every}, next {shown.next_at:%Y-%m-%d %H:%M} UTC "
         f"({safe(shown.next_scenario)}), owner {safe(shown.owner)}; calendar at "
         "/api/v1/drills/calendar.ics")


def _show(drill: DrillOut, json_out: bool) -> None:
    if json_out:
        emit_json(drill.model_dump(mode="json"))
        return
    echo(f"{drill.id} {safe(drill.scenario)} ({drill.mode}, {drill.status}) incident "
         f"{drill.incident or '-'}, time scale {drill.time_scale:g}, score "
         f"{'-' if drill.score is None else drill.score}")
    emit_table("Scorecard", ["objective", "target min", "status", "at min", "late by"],
               [[o.title, o.target_minutes, o.status, o.at_minutes, o.late_by_minutes]
                for o in drill.scorecard])
    emit_table("Injects", ["inject", "due", "fired", "outcome"],
               [[i.id, i.due_at, i.fired_at, i.outcome] for i in drill.injects])
