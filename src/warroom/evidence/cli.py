"""``warroom evidence ...``: register, collect, hand over, check and export."""

from __future__ import annotations

import os
import socket
from datetime import datetime
from pathlib import Path

import typer
from pydantic import ValidationError

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
from warroom.evidence import bundle, custody, service, store
from warroom.evidence import collect as collecting
from warroom.evidence.schemas import CustodyOut, ItemIn
from warroom.incidents import service as incidents

evidence_app = typer.Typer(help="Evidence items and their chain of custody.",
                           no_args_is_help=True)
COMMANDS = {"evidence": evidence_app}
PURPOSE = typer.Option(..., "--purpose", help="Why (recorded in the custody log).")


@evidence_app.command("add")
@handles_problems
def add(ref: str, path: Path = typer.Argument(..., exists=True, dir_okay=False),
        title: str = typer.Option(None, "--title"),
        kind: str = typer.Option("file", "--kind"),
        source: str = typer.Option(None, "--source", help="host:/path it was taken from"),
        collected_at: datetime = typer.Option(None, "--collected-at",
                                              help="ISO time with its UTC offset"),
        collected_by: str = typer.Option(None, "--collected-by"),
        method: str = typer.Option(None, "--method", help="The tool that copied it (cp)."),
        sha256: str = typer.Option(None, "--sha256", help="Refuse unless the file has it."),
        tlp: str = typer.Option("amber", "--tlp"),
        personal_data: bool = typer.Option(False, "--personal-data"),
        description: str = typer.Option("", "--description"),
        as_user: str = AS_USER, json_out: bool = JSON_OUT) -> None:
    """Register a file (streamed, hashed) as evidence on an incident."""
    host, _, locator = (source or "").partition(":")
    meta = _meta({
        "kind": kind, "title": title or path.name, "description": description,
        "source_host": host or None, "source_locator": locator or None,
        "method_tool": method, "collected_at": collected_at, "collected_by": collected_by,
        "original_filename": path.name, "tlp": tlp, "personal_data": personal_data,
        "declared_hashes": {"sha256": sha256} if sha256 else {}})
    with reading() as session:
        sink = service.sink_for(session, incidents.get_by_ref_or_raise(session, ref=ref))
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(store.CHUNK):
                sink.write(chunk)
        except BaseException:
            sink.discard()
            raise
    stored = sink.finish(meta.declared_hashes or None)
    _register(ref, meta, stored, as_user, json_out)


@evidence_app.command("collect", context_settings={"allow_interspersed_args": False})
@handles_problems
def collect(ref: str, argv: list[str] = typer.Argument(..., help="-- COMMAND ARGS..."),
            title: str = typer.Option(None, "--title"),
            kind: str = typer.Option("command_output", "--kind"),
            as_user: str = AS_USER, json_out: bool = JSON_OUT) -> None:
    """Run a command here and keep its standard output as evidence."""
    argv = argv[1:] if argv[:1] == ["--"] else argv
    with reading() as session:
        sink = service.sink_for(session, incidents.get_by_ref_or_raise(session, ref=ref))
    result = collecting.run(argv, sink)
    record = result.record
    meta = _meta({
        "kind": kind, "title": title or " ".join(argv)[:300],
        "source_host": record["host"], "method_tool": argv[0],
        "method_version": collecting.tool_version(argv[0]), "method_argv": argv,
        "collection": record, "collected_at": record["started_at"],
        "collected_by": _os_user(), "original_filename": f"{Path(argv[0]).name}.out"})
    _register(ref, meta, result.stored, as_user, json_out)
    if result.exit_code != 0:
        echo(f"warning: the command exited with {result.exit_code}; the item records it")
        raise typer.Exit(2)


@evidence_app.command("list")
@handles_problems
def list_items(ref: str, json_out: bool = JSON_OUT) -> None:
    """An incident's evidence items."""
    with reading() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        rows = [service.out(session, i) for i in service.get_all(session,
                                                                 incident_id=incident.id)]
    if json_out:
        emit_json(rows)
        return
    emit_table(f"Evidence on {ref}", ["ref", "kind", "title", "size", "sha256", "custodian",
                                      "status", "hold"],
               [[r.ref, r.kind, r.title, r.size, (r.sha256 or "")[:16], r.custodian,
                 r.status, r.legal_hold] for r in rows])


@evidence_app.command("show")
@handles_problems
def show(ev: str, json_out: bool = JSON_OUT) -> None:
    """An item and its custody log."""
    with reading() as session:
        item = service.get_or_raise(session, ref=ev)
        row = service.out(session, item)
        log = [CustodyOut(**custody.as_dict(e)) for e in custody.events(session, item.id)]
    if json_out:
        emit_json({"item": row, "custody": log})
        return
    for name, value in row.model_dump().items():
        echo(f"{name}: {value}")
    emit_table("Custody", ["#", "at", "tz", "action", "actor", "counterparty", "purpose"],
               [[e.seq, e.at, e.tz, e.action, e.actor, e.counterparty, e.purpose]
                for e in log])


@evidence_app.command("download")
@handles_problems
def download(ev: str, out: Path = typer.Option(..., "--out", "-o"), purpose: str = PURPOSE,
             as_user: str = AS_USER) -> None:
    """Copy an item's content to a file (a custody event)."""
    if out.exists():
        raise Invalid(f"{out} exists; name a new file.")
    with unit(as_user) as uow:
        uow.source_ip = socket.gethostname()
        item = service.get_for_update(uow, ref=ev)
        chunks = service.open_content(uow, item, purpose=purpose)
    with out.open("xb") as handle:
        for chunk in chunks:
            handle.write(chunk)
    echo(f"{ev}: written to {out}")


@evidence_app.command("transfer")
@handles_problems
def transfer(ev: str, to: str = typer.Option(..., "--to"),
             location: str = typer.Option(..., "--location"), purpose: str = PURPOSE,
             tz: str = typer.Option("UTC", "--tz"), as_user: str = AS_USER) -> None:
    """Hand the item to another custodian."""
    with unit(as_user) as uow:
        service.transfer(uow, service.get_for_update(uow, ref=ev), to=to, location=location,
                         purpose=purpose, tz=tz)
    echo(f"{ev}: now held by {to} at {location}")


@evidence_app.command("seal")
@handles_problems
def seal(ev: str, purpose: str = PURPOSE, as_user: str = AS_USER) -> None:
    """Freeze an item's metadata (it is re-hashed on a schedule from now on)."""
    with unit(as_user) as uow:
        service.seal(uow, service.get_for_update(uow, ref=ev), purpose=purpose)
    echo(f"{ev}: sealed")


@evidence_app.command("hold")
@handles_problems
def hold(ev: str, off: bool = typer.Option(False, "--off", help="Lift the hold."),
         purpose: str = PURPOSE, as_user: str = AS_USER) -> None:
    """Put an item under legal hold (or lift it)."""
    with unit(as_user) as uow:
        service.hold(uow, service.get_for_update(uow, ref=ev), on=not off, purpose=purpose)
    echo(f"{ev}: legal hold {'lifted' if off else 'on'}")


@evidence_app.command("destroy")
@handles_problems
def destroy(ev: str, approve: bool = typer.Option(False, "--approve",
                                                  help="Approve another person's request."),
            purpose: str = PURPOSE, as_user: str = AS_USER) -> None:
    """Ask for an item to be destroyed, or approve someone else's request."""
    with unit(as_user) as uow:
        item = service.get_for_update(uow, ref=ev)
        if approve:
            service.approve_destroy(uow, item, purpose=purpose)
        else:
            service.request_destroy(uow, item, purpose=purpose)
    echo(f"{ev}: {'destroyed' if approve else 'destruction requested; another person approves'}")


@evidence_app.command("verify")
@handles_problems
def verify(ev: str = typer.Argument(None, help="One item (recorded), or every item."),
           as_user: str = AS_USER) -> None:
    """Re-hash content and check custody chains; exit 1 naming what is wrong."""
    if ev:
        with unit(as_user) as uow:
            _, problems = service.verify(uow, service.get_for_update(uow, ref=ev))
    else:
        with reading() as session:
            problems = service.check_all(session)
    for problem in problems:
        echo(f"- {problem}")
    if problems:
        raise typer.Exit(1)
    echo("evidence intact")


@evidence_app.command("export")
@handles_problems
def export(ref: str, out: Path = typer.Option(..., "--out", "-o"), purpose: str = PURPOSE,
           to: str = typer.Option(None, "--to", help="Who receives the bundle."),
           as_user: str = AS_USER) -> None:
    """Write one signed zip of an incident's evidence (an export event on each item)."""
    if out.exists():
        raise Invalid(f"{out} exists; name a new file.")
    with out.open("xb") as handle:
        try:
            with unit(as_user) as uow:
                incident = incidents.get_for_update(uow, ref=ref)
                manifest = bundle.export(uow, incident=incident, out=handle, purpose=purpose,
                                         recipient=to)
        except BaseException:
            out.unlink()
            raise
    echo(f"{ref}: {len(manifest['items'])} items written to {out}, signed by "
         f"{bundle.fingerprint(bundle.public_pem(bundle.signing_key()))}")


@evidence_app.command("verify-bundle")
@handles_problems
def verify_bundle(path: Path = typer.Argument(..., exists=True, dir_okay=False),
                  tsa_cert: Path = typer.Option(
                      None, "--tsa-cert", exists=True, dir_okay=False,
                      help="PEM certificate(s) of the time-stamping authority you trust "
                           "(its CA); else those in the bundle are used.")) -> None:
    """Check a bundle offline: signature, files, hashes, custody chains and
    the RFC 3161 timestamp when there is one."""
    problems, found = bundle.verify(
        path, tsa_certificates=tsa_cert.read_bytes() if tsa_cert else None,
        tsa_certificates_name=str(tsa_cert) if tsa_cert else None)
    for problem in problems:
        echo(f"- {problem}")
    if problems:
        raise typer.Exit(1)
    manifest = found["manifest"]
    echo(f"bundle intact: {manifest['incident']}, {len(manifest['items'])} items, signed by "
         f"{found['fingerprint']} (compare with `warroom evidence key` on the instance)")
    if found["timestamp"]:
        echo(found["timestamp"])


@evidence_app.command("key")
@handles_problems
def key() -> None:
    """The instance's bundle-signing public key and its fingerprint."""
    pem = bundle.public_pem(bundle.signing_key())
    echo(f"{bundle.fingerprint(pem)}\n{pem.decode()}", nl=False)


def _register(ref: str, meta: ItemIn, stored: store.Stored, as_user: str | None,
              json_out: bool) -> None:
    with unit(as_user) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        item = service.register(uow, incident=incident, meta=meta, stored=stored)
        row = service.out(uow.session, item)
    if json_out:
        emit_json(row)
        return
    echo(f"{row.ref} on {ref}: {row.size} bytes, sha256 {row.sha256}")


def _meta(values: dict[str, object]) -> ItemIn:
    try:
        return ItemIn.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise Invalid(f"{where.replace('_', '-')}: {first['msg']}") from None


def _os_user() -> str:
    return os.environ.get("USER") or os.environ.get("LOGNAME") or "unknown"
