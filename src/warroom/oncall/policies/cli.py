"""``warroom oncall policy ...``."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml

from warroom.cli_support import (
    JSON_OUT,
    echo,
    emit_json,
    emit_table,
    handles_problems,
    reading,
    unit,
)
from warroom.errors import Invalid
from warroom.oncall.policies import service as policies
from warroom.oncall.policies.api import present as present_policy
from warroom.oncall.policies.document import Policy

policy_app = typer.Typer(help="Escalation policies.", no_args_is_help=True)


@policy_app.command("list")
@handles_problems
def list_policies(json_out: bool = JSON_OUT) -> None:
    """Escalation policies, with the minute each step fires."""
    with reading() as session:
        views = [present_policy(found) for found in policies.get_all(session)]
    if json_out:
        emit_json(views)
        return
    emit_table("Escalation policies", ["name", "source", "steps (minute: who)", "repeat"],
               [[v["name"], v["source"],
                 [f"{int(m)}: {s.get('name') or s['targets']}"
                  for m, s in zip(v["step_minutes"], v["steps"], strict=True)], v["repeat"]]
                for v in views])


@policy_app.command("show")
@handles_problems
def show_policy(name: str) -> None:
    """A policy as YAML."""
    with reading() as session:
        view = present_policy(policies.get_by_name_or_raise(session, name=name))
    echo(yaml.safe_dump(view, sort_keys=False, allow_unicode=True), nl=False)


@policy_app.command("apply")
@handles_problems
def apply_policy(path: Path) -> None:
    """Create or replace a custom policy from a YAML file (same shape as the
    shipped ones in rules/escalation/policies/)."""
    try:
        policy = Policy.model_validate(yaml.safe_load(path.read_text()))
    except (OSError, yaml.YAMLError, ValueError) as bad:
        raise Invalid(f"{path} is not a valid escalation policy: {bad}") from None
    with unit() as uow:
        policies.put(uow, policy=policy)
    echo(f"policy {policy.name} saved")


@policy_app.command("delete")
@handles_problems
def delete_policy(name: str) -> None:
    """Delete a custom policy."""
    with unit() as uow:
        policies.delete(uow, name=name)
    echo(f"policy {name} deleted")
