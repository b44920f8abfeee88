"""``warroom oncall escalation ...``: steer an incident's escalation."""

from __future__ import annotations

import typer

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
from warroom.errors import Invalid
from warroom.incidents import service as incidents
from warroom.oncall.escalation import service, views
from warroom.oncall.targets import parse

escalation_app = typer.Typer(help="An incident's escalation: show, choose a policy, "
                             "reassign, acknowledge.", no_args_is_help=True)


@escalation_app.command("show")
@handles_problems
def show(ref: str, json_out: bool = JSON_OUT) -> None:
    """Policy, state, next step and every page sent."""
    with reading() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        view = views.summary(session, service.for_incident_or_raise(session, incident=incident))
    if json_out:
        emit_json(view)
        return
    echo(f"{incident.ref}: policy {view['policy']} ({view['chosen_by']}), "
         f"{view['state']}; next step {view['next_step'] or '-'} of {view['steps']} "
         f"due {view['next_step_due_at'] or '-'}")
    emit_table("Pages", ["at", "who", "reason", "step", "repeat"],
               [[p["at"], p["user"], p["reason"], p["step"], p["repeat"]]
                for p in view["pages"]])


@escalation_app.command("policy")
@handles_problems
def choose(ref: str, policy: str, as_user: str = AS_USER) -> None:
    """Escalate with POLICY from its first step."""
    with unit(as_user) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        service.choose_policy(uow, incident=incident, policy_name=policy)
    echo(f"{ref} now escalates with {policy}")


@escalation_app.command("reassign")
@handles_problems
def reassign(ref: str, to: str = typer.Option(..., "--to", help="kind:name, e.g. user:bob or "
             "schedule:secondary."), as_user: str = AS_USER) -> None:
    """Page someone else now; the policy's later steps follow if nobody answers."""
    try:
        target = parse(to)
    except ValueError as bad:
        raise Invalid(str(bad)) from None
    with unit(as_user) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        service.reassign(uow, incident=incident, to=target)
    echo(f"{ref} reassigned to {to}")


@escalation_app.command("ack")
@handles_problems
def acknowledge(ref: str, as_user: str = AS_USER) -> None:
    """Acknowledge (also after a reassignment)."""
    with unit(as_user) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        stopped = service.acknowledge_incident(uow, incident=incident, by=uow.actor.label)
    echo(f"{ref} acknowledged" if stopped else f"{ref} was not being paged")
