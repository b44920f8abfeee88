"""``warroom oncall position ...``."""

from __future__ import annotations

import typer

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
from warroom.oncall.positions import service
from warroom.oncall.positions.api import present
from warroom.oncall.targets import parse

position_app = typer.Typer(help="Positions (on-call engineer, team lead, ...) and who "
                           "fills them.", no_args_is_help=True)


@position_app.command("list")
@handles_problems
def list_positions(json_out: bool = JSON_OUT) -> None:
    """Positions and their bindings."""
    with reading() as session:
        views = present(session)
    if json_out:
        emit_json(views)
        return
    emit_table("Positions", ["position", "name", "service", "filled by"],
               [[v.id, v.name, b.service or "(all)",
                 [f"{k}:{n}" for t in b.targets for k, n in t.items()]]
                for v in views for b in v.bindings]
               + [[v.id, v.name, "-", "NOBODY (unbound)"] for v in views if not v.bindings])


@position_app.command("bind")
@handles_problems
def bind(position: str, targets: list[str] = typer.Option(..., "--target", help="kind:name, "
         "e.g. schedule:primary, user:alice, team:sre (repeatable)."),
         service_name: str = typer.Option("", "--service", help="Only for incidents naming "
                                          "this service.")) -> None:
    """Say who fills a position."""
    try:
        specs = [parse(t) for t in targets]
    except ValueError as bad:
        raise Invalid(str(bad)) from None
    with unit() as uow:
        service.bind(uow, position=position, targets=specs, service=service_name)
    echo(f"{position}{' for ' + service_name if service_name else ''}: "
         f"{', '.join(targets)}")


@position_app.command("unbind")
@handles_problems
def unbind(position: str, service_name: str = typer.Option("", "--service")) -> None:
    """Remove a binding."""
    with unit() as uow:
        service.unbind(uow, position=position, service=service_name)
    echo(f"{position} unbound")
