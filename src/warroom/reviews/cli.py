"""``warroom review ...``, ``warroom action ...`` and ``warroom metrics ...``."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

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
    unit,
)
from warroom.incidents import service as incidents
from warroom.reviews import aggregate, charts, figures, items, meetings, service
from warroom.reviews.api import render
from warroom.reviews.schemas import item_out

review_app = typer.Typer(help="Post-incident reviews: write, approve, waive, export.",
                         no_args_is_help=True)
action_app = typer.Typer(help="Action items from reviews, playbooks and drills.",
                         no_args_is_help=True)
metrics_app = typer.Typer(help="Response metrics across incidents (from milestones, never "
                          "typed in).", invoke_without_command=True)
COMMANDS = {"review": review_app, "action": action_app, "metrics": metrics_app}


@review_app.command("show")
@handles_problems
def show(ref: str, json_out: bool = JSON_OUT) -> None:
    """The review's state, deadlines and sections."""
    with reading() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        view = service.view(service.get_or_raise(session, incident=incident))
    if json_out:
        emit_json(view)
        return
    echo(f"{incident.ref} review: {view['state']}, due {view['due_at']:%Y-%m-%d %H:%M} UTC")
    for name, text in view["sections"].items():
        echo(f"\n## {name}\n{text or '(empty)'}")


@review_app.command("open")
@handles_problems
def open_(ref: str, as_user: str | None = AS_USER) -> None:
    """Open the review now (it opens by itself at lessons_learned)."""
    with unit(as_user) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        review = service.open_review(uow, incident=incident)
        due = review.due_at
    echo(f"{ref}: review open, due {due:%Y-%m-%d %H:%M} UTC")


@review_app.command("edit")
@handles_problems
def edit(ref: str, section: str, file: Path = typer.Option(
        None, "--file", help="Read the Markdown from this file (default: standard input)"),
        as_user: str | None = AS_USER) -> None:
    """Replace one section's Markdown."""
    text = file.read_text(encoding="utf-8") if file else sys.stdin.read()
    with unit(as_user) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        service.edit(uow, incident=incident, changes={section: text})
    echo(f"{ref}: {section} saved")


def _step(name: str, ref: str, as_user: str | None, **extra: Any) -> None:
    action = getattr(service, name)
    with unit(as_user) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        review = action(uow, incident=incident, **extra)
        state = review.state
    echo(f"{ref}: review {state}")


@review_app.command("submit")
@handles_problems
def submit(ref: str, as_user: str | None = AS_USER) -> None:
    """draft -> in review."""
    _step("submit", ref, as_user)


@review_app.command("signoff")
@handles_problems
def signoff(ref: str, note: str = typer.Option("", "--note"),
            as_user: str | None = AS_USER) -> None:
    """Sign the review off as a reviewer (kept in the audit log)."""
    _step("sign_off", ref, as_user, note=note)


@review_app.command("approve")
@handles_problems
def approve(ref: str, as_user: str | None = AS_USER) -> None:
    """in review -> approved (the incident commander or a commander)."""
    _step("approve", ref, as_user)


@review_app.command("waive")
@handles_problems
def waive(ref: str, reason: str = typer.Option(..., "--reason"),
          as_user: str | None = AS_USER) -> None:
    """Waive the review, where rules/reviews.yaml allows it for the severity."""
    _step("waive", ref, as_user, reason=reason)


@review_app.command("meeting")
@handles_problems
def meeting(ref: str, starts: datetime = typer.Option(..., "--at", help="UTC start, e.g. "
                                                       "2026-02-01T15:00"),
            minutes: int = typer.Option(60, "--minutes"),
            location: str = typer.Option("", "--location"),
            participant: list[str] = typer.Option([], "--with", help="Also invite (username)"),
            as_user: str | None = AS_USER) -> None:
    """Schedule the review meeting; role holders get an iCalendar invite by email."""
    at = starts.replace(tzinfo=clock.now().tzinfo) if starts.tzinfo is None else starts
    with unit(as_user) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        names = meetings.schedule(uow, incident=incident, starts_at=at, minutes=minutes,
                                  location=location, extra=participant).participants
    echo(f"{ref}: review meeting at {at:%Y-%m-%d %H:%M} UTC, invited {', '.join(names)}")


@review_app.command("export")
@handles_problems
def export_(ref: str, format: str = typer.Option("markdown", "--format",
                                                  help="markdown, html or pdf"),
            output: Path = typer.Option(None, "--output", "-o",
                                        help="Write here (default: INC-n-review.<ext>)")) -> None:
    """Export the review with its facts and charts."""
    with reading() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        content = render(session, incident, format)
    suffix = {"markdown": "md", "html": "html", "pdf": "pdf"}[format]
    target = output or Path(f"{incident.ref}-review.{suffix}")
    target.write_bytes(content)
    echo(f"wrote {target}")


@action_app.command("add")
@handles_problems
def add(ref: str, title: str, owner: str = typer.Option(None, "--owner"),
        team: str = typer.Option(None, "--team"),
        priority: str = typer.Option("medium", "--priority", help="high, medium or low"),
        due: datetime = typer.Option(None, "--due", help="UTC, e.g. 2026-02-01T12:00"),
        tracker: str = typer.Option(None, "--tracker", help="External tracker URL"),
        source: str = typer.Option("review", "--source",
                                   help="review, playbook_step, drill or incident"),
        playbook: str = typer.Option(None, "--playbook", help="Playbook file it changes"),
        as_user: str | None = AS_USER) -> None:
    """Add an action item to an incident."""
    with unit(as_user) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        item = items.create(uow, incident=incident, new=items.NewItem(
            title=title, owner=owner, team=team, priority=priority,
            due_at=due.replace(tzinfo=clock.now().tzinfo) if due and due.tzinfo is None
            else due, tracker_url=tracker, source=source, playbook=playbook))
        made = items.ref(item)
    echo(f"{made} added to {ref}")


@action_app.command("list")
@handles_problems
def list_(owner: str = typer.Option(None, "--owner"), team: str = typer.Option(None, "--team"),
          status: str = typer.Option(None, "--status", help="a status, open or overdue"),
          incident: str = typer.Option(None, "--incident"),
          playbook: str = typer.Option(None, "--playbook"), json_out: bool = JSON_OUT) -> None:
    """Action items (mine: --owner me; overdue: --status overdue)."""
    now = clock.now()
    with reading() as session:
        incident_id = incidents.get_by_ref_or_raise(session, ref=incident).id if incident \
            else None
        rows = [item_out(i, now) for i in items.get_all(session, now=now, filters=items
                .ItemFilters(incident_id=incident_id, owner=owner, team=team, status=status,
                             playbook=playbook))]
    if json_out:
        emit_json([r.model_dump() for r in rows])
        return
    emit_table("Action items", ["item", "incident", "title", "owner", "priority", "due",
                                "status", "overdue"],
               [[r.ref, r.incident, r.title, r.owner, r.priority, r.due_at, r.status,
                 r.overdue] for r in rows])


def _status(item_ref: str, status: str, note: str | None, as_user: str | None) -> None:
    with unit(as_user) as uow:
        item = items.get_for_update(uow, item_ref=item_ref)
        items.set_status(uow, item=item, status=status, note=note)
    echo(f"{item_ref}: {status}")


@action_app.command("start")
@handles_problems
def start(item_ref: str, as_user: str | None = AS_USER) -> None:
    """open -> in progress."""
    _status(item_ref, "in_progress", None, as_user)


@action_app.command("done")
@handles_problems
def done(item_ref: str, note: str = typer.Option(..., "--note", help="What was done"),
         as_user: str | None = AS_USER) -> None:
    _status(item_ref, "done", note, as_user)


@action_app.command("wont-do")
@handles_problems
def wont_do(item_ref: str, reason: str = typer.Option(..., "--reason"),
            as_user: str | None = AS_USER) -> None:
    _status(item_ref, "wont_do", reason, as_user)


@action_app.command("overdue")
@handles_problems
def overdue(by: str = typer.Option("owner", "--by", help="owner or team"),
            json_out: bool = JSON_OUT) -> None:
    """Overdue open action items per owner or team."""
    with reading() as session:
        rows = items.overdue_by(session, now=clock.now(), facet="team" if by == "team"
                                else "owner")
    if json_out:
        emit_json(rows)
        return
    key = "team" if by == "team" else "owner"
    emit_table("Overdue action items", [key, "overdue"], [[r[key], r["overdue"]] for r in rows])


@metrics_app.callback()
@handles_problems
def response(ctx: typer.Context,
             by: str = typer.Option("severity", "--by", help=", ".join(aggregate.GROUPINGS)),
             since: str = typer.Option(None, "--since", help="90d, 12w, 36h or a date"),
             drills: bool = typer.Option(False, "--drills", help="Include drills"),
             metric: list[str] = typer.Option([], "--metric", help="Only these (repeatable)"),
             json_out: bool = JSON_OUT) -> None:
    """Response figures per group: n, p50, p90, max (mean beside n and p50)."""
    if ctx.invoked_subcommand is not None:
        return
    now = clock.now()
    with reading() as session:
        result = aggregate.response(session, aggregate.Query(
            by=by, since=aggregate.since(since, now), drills=drills, metrics=tuple(metric)),
            now=now)
    if json_out:
        emit_json(result)
        return
    rows = []
    for group in result["groups"]:
        rate = group["target_met_rate"]
        for name, fig in group["metrics"].items():
            shown = (charts.duration_text if result["units"][name] == "seconds"
                     else _count)
            rows.append([group["key"], name, fig["n"], shown(fig["p50"]), shown(fig["p90"]),
                         shown(fig["max"]), shown(fig["mean"]),
                         "-" if rate is None else f"{rate:.0%}"])
    emit_table(f"Response metrics by {by}", [by, "metric", "n", "p50", "p90", "max", "mean",
                                             "target met"], rows)
    open_items = result["action_items"]
    echo(f"action items: {open_items['open']} open, {open_items['overdue']} overdue")


@metrics_app.command("rebuild")
@handles_problems
def rebuild(as_user: str | None = AS_USER) -> None:
    """Recompute every incident's figures (after changing rules/response-metrics.yaml)."""
    with unit(as_user) as uow:
        done_count = figures.rebuild(uow)
    echo(f"recomputed the figures of {done_count} incidents")


def _count(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"
