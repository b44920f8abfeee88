"""``warroom playbook ...`` and ``warroom preparedness``: the same services as the API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from warroom.cli_support import (
    AS_USER,
    JSON_OUT,
    console,
    echo,
    emit_json,
    emit_table,
    handles_problems,
    reading,
    safe,
    unit,
)
from warroom.clock import now
from warroom.incidents import catalog
from warroom.incidents import service as incidents
from warroom.playbooks import catalogue, preparedness, service, views
from warroom.playbooks.format import json_schema
from warroom.playbooks.schemas import ItemOut

playbook_app = typer.Typer(help="Playbooks: validate, attach, and work their steps.",
                           no_args_is_help=True)
preparedness_app = typer.Typer(help="Seed 002's preparedness checklist (organisation-level).",
                               invoke_without_command=True)
COMMANDS = {"playbook": playbook_app, "preparedness": preparedness_app}
STEP = typer.Argument(..., help="Step id (e.g. verify-success-rate), playbook:step-id, or "
                      "the step's number.")


@playbook_app.command("validate")
@handles_problems
def validate(files: list[Path] = typer.Argument(None, help="Files to check; default: every "
                                                "playbook and selection.yaml.")) -> None:
    """Check playbook files against the schema, roles and templates."""
    report = catalogue.validate([p.resolve() for p in files] if files else None)
    bad = {path: problems for path, problems in report.items() if problems}
    for path in report:
        mark = "[red]invalid[/red]" if path in bad else "[green]ok[/green]"
        console.print(f"{mark} {safe(path)}")
        for problem in bad.get(path, []):
            console.print(f"    {safe(problem)}")
    if bad:
        raise typer.Exit(1)


@playbook_app.command("schema")
def schema(write: Path = typer.Option(None, "--write", help="Write it to this file.")) -> None:
    """Print (or write) the JSON Schema of a playbook file."""
    if write:
        write.write_text(json_schema())
        echo(f"wrote {write}")
    else:
        echo(json_schema(), nl=False)


@playbook_app.command("list")
@handles_problems
def list_playbooks(json_out: bool = JSON_OUT) -> None:
    """The playbooks on disk, with the open action items that ask to change each."""
    with reading() as session:
        rows = views.catalogue_out(session, catalogue.get_all(), now())
    if json_out:
        emit_json(rows)
        return
    emit_table("Playbooks", ["name", "version", "steps", "gates", "applies to", "source",
                             "open items"],
               [[p.name, p.version, p.steps, p.gates, p.incident_types + p.alerts, p.source,
                 p.open_items] for p in rows])
    waiting = [(p, item) for p in rows for item in p.open_action_items]
    if waiting:
        emit_table("Open action items against playbooks",
                   ["playbook", "item", "title", "owner", "due", "incident"],
                   [[p.name, i.ref, i.title, i.owner or "-",
                     (i.due_at.isoformat() if i.due_at else "-") + (" overdue" if i.overdue
                                                                    else ""),
                     i.incident + (" (drill)" if i.is_drill else "")] for p, i in waiting])


@playbook_app.command("show")
@handles_problems
def show(name: str) -> None:
    """A playbook's content, as the runner reads it."""
    loaded = catalogue.get_by_name_or_raise(name)
    with reading() as session:
        summary = views.catalogue_out(session, [loaded], now())[0]
    emit_json({**summary.model_dump(),
               "content": loaded.playbook.model_dump(mode="json", exclude_none=True)})


@playbook_app.command("attach")
@handles_problems
def attach(ref: str, name: str, as_user: str = AS_USER) -> None:
    """Attach another playbook to an incident."""
    with unit(as_user) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        run = service.attach(uow, incident=incident, name=name)
    echo(f"{ref}: attached {run.playbook} {run.version} ({run.content_hash[:12]})")


@playbook_app.command("steps")
@handles_problems
def steps(ref: str, role: str = typer.Option(None, help="Only this role's steps."),
          json_out: bool = JSON_OUT) -> None:
    """What is overdue, due now, upcoming and done, per role."""
    with reading() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        shown = views.incident_playbooks(session, incident, now())
    rows = [s for s in shown.steps if role is None or s.role == role]
    if json_out:
        emit_json({"runs": shown.runs, "steps": rows})
        return
    for run in shown.runs:
        console.print(f"[bold]{safe(run.playbook)}[/bold] {safe(run.version)} "
                      f"({run.content_hash[:12]}, {run.how}, attached "
                      f"{run.attached_at:%Y-%m-%d %H:%M} by {safe(run.attached_by)})")
    names = {r.id: r.name for r in catalog.roles()}
    for owner in sorted({s.role for s in rows}):
        echo(f"\n{names.get(owner, owner)}")
        for s in sorted((s for s in rows if s.role == owner),
                        key=lambda s: views.STATES.index(s.state)):
            due = f"due {s.due_by:%Y-%m-%d %H:%M}" if s.due_by else s.due_window
            extra = f"; {s.note}" if s.note else ""
            echo(f"  {s.state:<9} {s.ref}  {s.title}{' [gate]' if s.gate else ''} "
                 f"({s.kind}, {due}, {s.status}{extra})")
            for line in _item_lines(s.items):
                echo(line)


def _item_lines(items: list[ItemOut]) -> list[str]:
    """A checklist step's items under it: ticked ones with who, when and the note."""
    lines = []
    for i in items:
        done = (f" (ticked by {i.ticked_by} at {i.ticked_at:%Y-%m-%d %H:%M}"
                f"{': ' + i.note if i.note else ''})") if i.ticked_at else ""
        lines.append(f"            [{'x' if i.ticked_at else ' '}] {i.number}. {i.text}{done}")
    return lines


@playbook_app.command("tick")
@handles_problems
def tick(ref: str, step: str = STEP,
         item: str = typer.Argument(None, help="One checklist item: its number from 1 or "
                                    "its text. Without it the whole step is ticked."),
         notes: str = typer.Option(None, "--notes", "--note"),
         untick: bool = typer.Option(False, "--untick", help="Take back the item's tick."),
         as_user: str = AS_USER) -> None:
    """Mark a step done, or one of its checklist items (with optional notes)."""
    if item is None:
        if untick:
            raise typer.BadParameter("--untick needs the item to take back")
        _change(ref, step, as_user, "ticked", lambda uow, incident, found: service.tick(
            uow, incident=incident, step=found, notes=notes))
    elif untick:
        _change(ref, step, as_user, f"item {item} unticked", lambda uow, incident, found:
                service.untick_item(uow, incident=incident, step=found, item=item))
    else:
        _change(ref, step, as_user, f"item {item} ticked", lambda uow, incident, found:
                service.tick_item(uow, incident=incident, step=found, item=item, note=notes))


@playbook_app.command("skip")
@handles_problems
def skip(ref: str, step: str = STEP, reason: str = typer.Option(..., "--reason"),
         as_user: str = AS_USER) -> None:
    """Skip a step that does not apply (not gates)."""
    _change(ref, step, as_user, "skipped", lambda uow, incident, found: service.skip(
        uow, incident=incident, step=found, reason=reason))


@playbook_app.command("approve")
@handles_problems
def approve(ref: str, step: str = STEP, note: str = typer.Option(None, "--note"),
            as_user: str = AS_USER) -> None:
    """Approve a destructive step (commanders)."""
    _change(ref, step, as_user, "approved", lambda uow, incident, found: service.approve(
        uow, incident=incident, step=found, note=note))


@playbook_app.command("run")
@handles_problems
def run(ref: str, step: str = STEP, as_user: str = AS_USER) -> None:
    """Ask the worker to run a step now (for a check: check now)."""
    _change(ref, step, as_user, "queued for the worker", lambda uow, incident, found:
            service.request_run(uow, incident=incident, step=found))


@playbook_app.command("dry-run")
@handles_problems
def dry_run(ref: str, step: str = STEP) -> None:
    """Show exactly what running a step would do, without doing it."""
    with reading() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        found = service.get_step_or_raise(session, incident=incident, ref=step)
        plan = service.dry_run(session, incident=incident, step=found)
    echo(json.dumps(plan, indent=2, default=str))


@preparedness_app.callback()
@handles_problems
def preparedness_list(ctx: typer.Context, json_out: bool = JSON_OUT) -> None:
    """Each item's owner, last verification and whether it is due again."""
    if ctx.invoked_subcommand is not None:
        return
    with reading() as session:
        rows = [views.item_out(i) for i in preparedness.get_all(session, now=now())]
    if json_out:
        emit_json(rows)
        return
    emit_table(f"Preparedness checklist ({preparedness.checklist().source})",
               ["item", "check", "owner", "last verified", "by", "due"],
               [[r.id, r.text, r.owner, r.last_verified_at, r.last_verified_by,
                 "DUE" if r.due else f"by {r.due_at:%Y-%m-%d}"] for r in rows])


@preparedness_app.command("verify")
@handles_problems
def verify(item: str, note: str = typer.Option(None, "--note"), as_user: str = AS_USER) -> None:
    """Record that an item was verified today."""
    with unit(as_user) as uow:
        state = preparedness.verify(uow, item_id=item, note=note)
    echo(f"{item} verified by {state.last_verified_by}; due again by "
         f"{state.due_at:%Y-%m-%d}")


@preparedness_app.command("owner")
@handles_problems
def owner(item: str, name: str, as_user: str = AS_USER) -> None:
    """Hand an item to another owner."""
    with unit(as_user) as uow:
        preparedness.set_owner(uow, item_id=item, owner=name)
    echo(f"{item} is now owned by {name}")


def _change(ref: str, step: str, as_user: str | None, verb: str, act: Any) -> None:
    with unit(as_user) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        found = service.get_step_or_raise(uow.session, incident=incident, ref=step)
        act(uow, incident, found)
        label = found.ref
    echo(f"{ref}: {label} {verb}")
