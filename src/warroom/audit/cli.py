"""``warroom audit ...``."""

from __future__ import annotations

import typer

from warroom.audit import service
from warroom.cli_support import JSON_OUT, echo, emit_json, emit_table, reading

audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
COMMANDS = {"audit": audit_app}


@audit_app.command("verify")
def verify(json_out: bool = JSON_OUT) -> None:
    """Walk the chain; exit 1 naming the first entry edited, deleted or reordered."""
    with reading() as session:
        result = service.verify(session)
    if json_out:
        emit_json({"ok": result.ok, "checked": result.checked,
                   "first_bad_seq": result.first_bad_seq, "problem": result.problem})
    else:
        echo(result.message)
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("list")
def list_entries(target: str = typer.Option(None, help="e.g. incident:INC-3"),
                 limit: int = typer.Option(50), json_out: bool = JSON_OUT) -> None:
    """Show audit entries in chain order."""
    with reading() as session:
        rows = service.get_all(session, target=target, limit=limit)
        data = [{"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action,
                 "target": e.target, "source_ip": e.source_ip} for e in rows]
    if json_out:
        emit_json(data)
    else:
        emit_table("Audit log", ["seq", "at", "actor", "action", "target", "source_ip"],
                   [list(d.values()) for d in data])
