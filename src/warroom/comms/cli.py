"""``warroom comms ...``: preview and send the seeds' messages."""

from __future__ import annotations

from typing import Any

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
from warroom.comms import service, templates
from warroom.comms.api import message_out
from warroom.comms.schemas import MessageFields
from warroom.incidents import service as incidents

comms_app = typer.Typer(help="Message templates, status updates and their cadence.",
                        no_args_is_help=True)
COMMANDS = {"comms": comms_app}

SET = typer.Option([], "--set", help="A message field, KEY=VALUE (repeatable; actions and "
                   "next_steps take one line each). Fields: " + ", ".join(MessageFields
                                                                         .model_fields))


@comms_app.command("templates")
@handles_problems
def list_templates(json_out: bool = JSON_OUT) -> None:
    """The message templates and their seed sections."""
    rows = templates.manifest().templates
    if json_out:
        emit_json([t.model_dump() for t in rows])
        return
    emit_table("Message templates", ["id", "title", "audience", "numbered", "source"],
               [[t.id, t.title, t.audience, t.numbered, t.source] for t in rows])


@comms_app.command("render")
@handles_problems
def render(ref: str, template: str, fields: list[str] = SET,
           json_out: bool = JSON_OUT) -> None:
    """Show a message as it would be sent now (nothing is sent)."""
    with reading() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        draft = service.preview(session, incident=incident, template=template,
                                fields=parse_fields(fields))
    if json_out:
        emit_json({"template": draft.template.id, "update_number": draft.update_number,
                   "subject": draft.subject, "body": draft.body})
        return
    echo(f"Subject: {draft.subject}\n\n{draft.body}", nl=False)


@comms_app.command("send")
@handles_problems
def send(ref: str, template: str,
         to: list[str] = typer.Option(..., "--to", help="role:<role id>, channel:<name>, "
                                      "email:<address> or webhook:<url> (repeatable)."),
         fields: list[str] = SET, as_user: str = AS_USER, json_out: bool = JSON_OUT) -> None:
    """Send a message through the outbox (it is on the incident's timeline)."""
    with unit(as_user) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        message = service.send(uow, incident=incident, template=template, to=to,
                               fields=parse_fields(fields))
        out = message_out(message)
    if json_out:
        emit_json(out)
        return
    number = f" #{out.update_number}" if out.update_number else ""
    echo(f"{ref}: {out.title}{number} queued for {', '.join(out.recipients)}")


@comms_app.command("list")
@handles_problems
def list_messages(ref: str, json_out: bool = JSON_OUT) -> None:
    """Messages sent about an incident."""
    with reading() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        rows = [message_out(m) for m in service.get_all(session, incident_id=incident.id)]
    if json_out:
        emit_json(rows)
        return
    emit_table(f"Messages about {ref}", ["id", "sent", "by", "template", "#", "to", "subject"],
               [[m.id, m.sent_at, m.sent_by, m.template, m.update_number, m.recipients,
                 m.subject] for m in rows])


def parse_fields(pairs: list[str]) -> dict[str, Any]:
    """``--set impact=... --set actions=a --set actions=b`` -> fields."""
    fields: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep:
            raise typer.BadParameter(f"fields are KEY=VALUE, got {pair!r}")
        if key in ("actions", "next_steps"):
            fields.setdefault(key, []).append(value.strip())
        else:
            fields[key] = value.strip()
    return fields
