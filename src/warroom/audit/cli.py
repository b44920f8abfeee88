"""``warroom audit ...``."""

from __future__ import annotations

from pathlib import Path

import typer

from warroom import clock
from warroom.audit import anchors, service
from warroom.audit import settings as audit_settings
from warroom.audit import verify as verification
from warroom.cli_support import JSON_OUT, echo, emit_json, emit_table, reading

audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
COMMANDS = {"audit": audit_app}


ANCHORS = typer.Option(None, "--anchors", exists=True, dir_okay=False, readable=True,
                       help="An anchor file (WARROOM_AUDIT_ANCHOR_FILE, or a copy kept "
                       "elsewhere): also check the chain against every signed head in it.")


@audit_app.command("verify")
def verify(anchor_file: Path | None = ANCHORS, json_out: bool = JSON_OUT) -> None:
    """Walk the chain; exit 1 naming the first entry edited, deleted or reordered,
    every timeline event or incident changed outside warroom, and (with
    --anchors) a chain cut back or wiped below what was anchored."""
    anchor_log = anchors.read(anchor_file) if anchor_file else None
    with reading() as session:
        result = verification.verify(session, anchors=anchor_log)
    if json_out:
        emit_json({"ok": result.ok, "checked": result.checked,
                   "first_bad_seq": result.first_bad_seq, "problem": result.problem,
                   "findings": [{"subject": f.subject, "problem": f.problem}
                                for f in result.findings],
                   "more_findings": result.more})
    else:
        echo(result.message)
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("anchor")
def anchor() -> None:
    """Append a signed copy of the chain head to the anchor file now (the
    worker does it every WARROOM_AUDIT_ANCHOR_SECONDS)."""
    path = audit_settings.get().anchor_path
    with reading() as session:
        head = anchors.current(session, clock.current().now())
    if head is None:
        echo("the audit chain is empty: nothing to anchor")
        return
    anchors.write(head, path)
    echo(f"anchored entry {head.seq} in {path}")


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
