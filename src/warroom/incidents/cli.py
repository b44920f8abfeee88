"""``warroom incident ...``: the same service calls as the API."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import typer
import yaml
from rich.panel import Panel

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
from warroom.incidents import hooks, service, timeline
from warroom.incidents.schemas import TimelineEventOut
from warroom.incidents.views import present
from warroom.text import for_terminal

incident_app = typer.Typer(help="Declare and run incidents.", no_args_is_help=True)
COMMANDS = {"incident": incident_app}


@incident_app.command("declare")
@handles_problems
def declare(type: str = typer.Option(..., "--type", "-t", help="security_breach, "
            "service_outage, performance_degradation, data_integrity, compliance_violation, "
            "third_party"),
            severity: str = typer.Option(..., "--severity", "-s",
                                         help="sev1-sev4 or critical/high/medium/low"),
            title: str = typer.Option(None, "--title"),
            description: str = typer.Option("", "--description", "-d"),
            service_names: list[str] = typer.Option([], "--service", help="Affected service "
                                                    "(repeatable)."),
            labels: list[str] = typer.Option([], "--label", help="key=value (repeatable)."),
            drill: bool = typer.Option(False, "--drill", help="This is an exercise."),
            personal_data: bool = typer.Option(False, "--personal-data-breach"),
            as_user: str = AS_USER, json_out: bool = JSON_OUT) -> None:
    """Declare an incident."""
    with unit(as_user) as uow:
        incident = service.declare(uow, declaration=service.Declaration(
            type=type, severity=severity, title=title, description=description,
            services=service_names, labels=_labels(labels), is_drill=drill,
            personal_data_breach=personal_data, source="cli"))
        view = present(uow.session, incident, now=uow.now())
    if json_out:
        emit_json(view)
    else:
        echo(f"declared {view.id}: {view.severity} {view.type} - {view.title}")


@incident_app.command("list")
@handles_problems
def list_incidents(phase: list[str] = typer.Option([], help="Filter by phase (repeatable)."),
                   severity: list[str] = typer.Option([], help="Filter by severity."),
                   type: list[str] = typer.Option([], "--type", help="Filter by type."),
                   status: str = typer.Option(None, help="open or closed"),
                   text: str = typer.Option(None, "--text", "-q", help="Search title and "
                                            "description."),
                   limit: int = typer.Option(50), json_out: bool = JSON_OUT) -> None:
    """List incidents, newest first."""
    filters = service.Filters(phase=phase, severity=severity, type=type, status=status,
                              text=text)
    with reading() as session:
        rows, total = service.get_all(session, filters=filters, limit=limit)
        views = [present(session, i, now=now(), with_extras=False) for i in rows]
    if json_out:
        emit_json({"items": views, "total": total})
        return
    emit_table(f"Incidents ({total})", ["id", "severity", "type", "phase", "title", "declared",
                                        "ack"],
               [[v.id, v.severity, v.type, v.phase, v.title, v.declared_at,
                 v.acknowledged_by] for v in views])


@incident_app.command("show")
@handles_problems
def show(ref: str, json_out: bool = JSON_OUT) -> None:
    """Show an incident with its roles and timeline."""
    with reading() as session:
        incident = service.get_by_ref_or_raise(session, ref=ref)
        view = present(session, incident, now=now())
        events = [TimelineEventOut.model_validate(e, from_attributes=True)
                  for e in timeline.get_all(session, incident_id=incident.id)]
    if json_out:
        emit_json({"incident": view, "timeline": events})
        return
    targets = view.targets
    lines = [
        f"[bold]{view.id}[/bold] {safe(view.title)}",
        f"severity {view.severity} ({view.severity_name})  type {view.type}  "
        f"phase [bold]{view.phase}[/bold]  next: {', '.join(view.legal_next_phases) or '-'}",
        f"services: {safe(', '.join(view.services) or '-')}   drill: {view.is_drill}   "
        f"personal data breach: {view.personal_data_breach}",
        f"declared {view.declared_at:%Y-%m-%d %H:%M:%S} by {safe(view.created_by)}; respond within "
        f"{targets.response_target} (due {targets.response_due_at:%H:%M:%S}"
        f"{', BREACHED' if targets.response_breached else ''})",
    ]
    if view.description:
        lines.append(f"\n{safe(view.description)}")
    console.print(Panel("\n".join(lines), title="incident"))
    if view.roles:
        emit_table("Roles", ["role", "primary", "backup"],
                   [[r.name, r.primary, r.backup] for r in view.roles])
    for key, value in view.extra.items():
        console.print(f"\n[bold]{safe(key)}[/bold]:")
        echo(readable(value))
    emit_table("Timeline", ["at", "kind", "actor", "what"],
               [[e.at, e.kind, e.actor, e.summary] for e in events])


def readable(value: object) -> str:
    """What other domains add to the view (playbooks, pages, comms...) as
    indented ``key: value`` lines a person can read, not Python reprs."""
    plain = json.loads(json.dumps(value, default=str))
    return yaml.safe_dump(plain, sort_keys=False, allow_unicode=True,
                          default_flow_style=False, width=100).rstrip()


@incident_app.command("transition")
@handles_problems
def transition(ref: str, phase: str, note: str = typer.Option(None, "--note"),
               override: str = typer.Option(None, "--override-reason",
                                            help="Proceed past a failed gate (audited)."),
               as_user: str = AS_USER) -> None:
    """Move an incident to another phase."""
    with unit(as_user) as uow:
        incident = service.get_for_update(uow, ref=ref)
        service.transition(uow, incident=incident, target=phase, note=note,
                           override_reason=override)
    echo(f"{incident.ref} is now in {incident.phase}")
    _offer_what_ending_leaves(incident.ref, as_user)


def _offer_what_ending_leaves(ref: str, as_user: str | None) -> None:
    """Ask about what other domains left open (a public notice still saying
    "investigating"...): a yes/no prompt at a terminal, a hint elsewhere."""
    with reading() as session:
        incident = service.get_by_ref_or_raise(session, ref=ref)
        offers = [offer for found in hooks.ending_offers.collect(session, incident)
                  for offer in found]
    for offer in offers:
        if not interactive():
            echo(offer.hint)
        elif typer.confirm(for_terminal(offer.question), default=False):
            with unit(as_user) as uow:
                echo(offer.accept(uow))


def interactive() -> bool:
    """Prompt only a person at a terminal; scripts get hints, never a question."""
    return sys.stdin.isatty()


@incident_app.command("severity")
@handles_problems
def severity(ref: str, level: str,
             reason: str = typer.Option(None, "--reason",
                                        help="Why; required to lower the severity."),
             as_user: str = AS_USER) -> None:
    """Raise or lower an incident's severity, e.g. INC-7 low --reason "staging only"."""
    with unit(as_user) as uow:
        incident = service.get_for_update(uow, ref=ref)
        service.change_severity(uow, incident=incident, severity=level, reason=reason)
    echo(f"{incident.ref} is now {incident.severity}")


@incident_app.command("ack")
@handles_problems
def acknowledge(ref: str, as_user: str = AS_USER) -> None:
    """Acknowledge an incident (stops its escalation)."""
    with unit(as_user) as uow:
        incident = service.get_for_update(uow, ref=ref)
        first = service.acknowledge(uow, incident=incident)
    echo(f"{incident.ref} acknowledged" if first else
         f"{incident.ref} was already acknowledged by {incident.acknowledged_by}")


@incident_app.command("note")
@handles_problems
def note(ref: str, text: str, as_user: str = AS_USER) -> None:
    """Add a note to the timeline."""
    with unit(as_user) as uow:
        incident = service.get_for_update(uow, ref=ref)
        service.add_note(uow, incident=incident, text=text)
    echo(f"note added to {incident.ref}")


@incident_app.command("assign")
@handles_problems
def assign(ref: str, role: str = typer.Option(..., "--role", help="e.g. incident_commander"),
           primary: str = typer.Option(None, "--primary", help="username"),
           backup: str = typer.Option(None, "--backup", help="username"),
           as_user: str = AS_USER) -> None:
    """Assign a role's primary and backup."""
    with unit(as_user) as uow:
        incident = service.get_for_update(uow, ref=ref)
        service.assign_role(uow, incident=incident, role=role, primary=primary, backup=backup)
    echo(f"{incident.ref}: {role} primary={primary or '-'} backup={backup or '-'}")


@incident_app.command("milestone")
@handles_problems
def milestone(ref: str, name: str, value: datetime,
              reason: str = typer.Option(..., "--reason"), as_user: str = AS_USER) -> None:
    """Correct a milestone time, e.g. started_at 2026-01-05T09:12:00+00:00 --reason ..."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    with unit(as_user) as uow:
        incident = service.get_for_update(uow, ref=ref)
        service.edit_milestone(uow, incident=incident, name=name, value=value, reason=reason)
    echo(f"{incident.ref}: {name} = {value.isoformat()}")


@incident_app.command("declared-in-error")
@handles_problems
def declared_in_error(ref: str, reason: str = typer.Option(..., "--reason"),
                      as_user: str = AS_USER) -> None:
    """Close an incident that was not one (it is kept, flagged)."""
    with unit(as_user) as uow:
        incident = service.get_for_update(uow, ref=ref)
        service.mark_declared_in_error(uow, incident=incident, reason=reason)
    echo(f"{incident.ref} closed as declared in error")


def _labels(pairs: list[str]) -> dict[str, str]:
    labels = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"labels are key=value, got {pair!r}")
        labels[key.strip()] = value.strip()
    return labels
