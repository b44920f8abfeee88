"""``warroom outbox ...``."""

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
from warroom.notify import service

outbox_app = typer.Typer(help="Outbound messages and their delivery.", no_args_is_help=True)
COMMANDS = {"outbox": outbox_app}


@outbox_app.command("list")
@handles_problems
def list_messages(status: str = typer.Option(None, help="pending, sending, sent, dead, "
                                             "cancelled"),
                  limit: int = typer.Option(50), json_out: bool = JSON_OUT) -> None:
    """Recent messages, newest first."""
    with reading() as session:
        data = [{"id": m.id, "kind": m.kind, "channel": m.channel,
                 "to": m.recipient or m.destination, "status": m.status,
                 "attempts": m.attempts, "incident": f"INC-{m.incident_id}"
                 if m.incident_id else None, "last_error": m.last_error}
                for m in service.get_all(session, status=status, limit=limit)]
    if json_out:
        emit_json(data)
    else:
        emit_table("Outbox", ["id", "kind", "channel", "to", "status", "attempts", "incident",
                              "last error"], [list(d.values()) for d in data])


@outbox_app.command("retry")
@handles_problems
def retry(message_id: int) -> None:
    """Give a dead or cancelled message another round of attempts."""
    with unit() as uow:
        service.retry(uow, message_id=message_id)
    echo(f"message {message_id} queued again")
