"""HTTP routes for message templates, previews and sent messages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session

from warroom.auth.deps import requires, requires_on_incident
from warroom.auth.permissions import Permission
from warroom.comms import cadence, service, templates
from warroom.comms.models import CommsMessage
from warroom.comms.schemas import (
    CadenceOut,
    MessageOut,
    PreviewIn,
    RenderedOut,
    SendIn,
    TemplateOut,
)
from warroom.db import Actor
from warroom.http import read_session, write_unit
from warroom.incidents import service as incidents

router = APIRouter(tags=["communications"])

Reader = Annotated[Actor, requires(Permission.playbook_read)]


def roles_held(session: Session, params: dict[str, Any], user_id: int) -> set[str]:
    """The caller's roles on the incident in the path (its comms lead may send)."""
    incident = incidents.get_by_ref(session, ref=params.get("ref", ""))
    return incidents.roles_held(session, incident=incident, user_id=user_id)


Sender = Annotated[Actor, requires_on_incident(Permission.comms_send, roles_held)]


@router.get("/api/v1/comms/templates", response_model=list[TemplateOut])
def list_templates(actor: Reader) -> list[TemplateOut]:
    """The message templates and the seed sections they come from."""
    return [TemplateOut(**t.model_dump(include=set(TemplateOut.model_fields)))
            for t in templates.manifest().templates]


@router.post("/api/v1/incidents/{ref}/comms/preview", response_model=RenderedOut)
def preview(ref: str, body: PreviewIn, request: Request, actor: Reader) -> RenderedOut:
    """Render a template for this incident without sending it."""
    with read_session(request) as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        draft = service.preview(session, incident=incident, template=body.template,
                                fields=body.fields.model_dump(exclude_none=True))
        return RenderedOut(template=draft.template.id, title=draft.template.title,
                           update_number=draft.update_number, subject=draft.subject,
                           body=draft.body)


@router.post("/api/v1/incidents/{ref}/comms", status_code=201, response_model=MessageOut)
def send(ref: str, body: SendIn, request: Request,
         actor: Sender) -> MessageOut:
    """Send a message through the outbox to roles, channels, addresses or webhooks."""
    with write_unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        message = service.send(uow, incident=incident, template=body.template, to=body.to,
                               fields=body.fields.model_dump(exclude_none=True))
        return message_out(message)


@router.get("/api/v1/incidents/{ref}/comms", response_model=list[MessageOut])
def list_messages(ref: str, request: Request,
                  actor: Annotated[Actor, requires(Permission.incident_read)]
                  ) -> list[MessageOut]:
    with read_session(request) as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        return [message_out(m) for m in service.get_all(session, incident_id=incident.id)]


@router.get("/api/v1/incidents/{ref}/comms/cadence", response_model=CadenceOut)
def read_cadence(ref: str, request: Request,
                 actor: Annotated[Actor, requires(Permission.incident_read)]) -> CadenceOut:
    """How often this incident needs an update and when the next one is due."""
    with read_session(request) as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        return CadenceOut(**cadence.status(session, incident=incident,
                                           now=request.app.state.clock.now()))


def message_out(message: CommsMessage) -> MessageOut:
    title = next((t.title for t in templates.manifest().templates if t.id == message.template),
                 message.template)
    return MessageOut(id=message.id, template=message.template, title=title,
                      update_number=message.update_number, subject=message.subject,
                      body=message.body, recipients=list(message.recipients),
                      sent_at=message.sent_at, sent_by=message.sent_by)

