"""Inspect the outbox and retry dead messages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from warroom.auth.deps import requires, sees_contacts
from warroom.auth.permissions import Permission
from warroom.db import Actor
from warroom.http import DbInt, read_session, write_unit
from warroom.incidents import service as incidents
from warroom.notify import service

router = APIRouter(tags=["outbox"])


class AttemptOut(BaseModel):
    attempt: int
    at: datetime
    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: float
    worker: str


class MessageOut(BaseModel):
    id: int
    key: str
    kind: str
    channel: str
    recipient: str | None
    destination: str | None
    """Null for callers without ``contact:read``: addresses are personal data."""
    subject: str | None
    status: str
    attempts: int
    max_attempts: int
    next_attempt_at: datetime
    last_error: str | None
    incident: str | None
    created_at: datetime
    sent_at: datetime | None
    finished_reason: str | None
    history: list[AttemptOut] | None = None


@router.get("/api/v1/outbox", response_model=list[MessageOut])
def list_messages(request: Request,
                  actor: Annotated[Actor, requires(Permission.outbox_read)],
                  status: Annotated[str | None, Query(max_length=12)] = None,
                  incident: Annotated[str | None, Query(max_length=20)] = None,
                  kind: Annotated[str | None, Query(max_length=40)] = None,
                  limit: Annotated[int, Query(ge=1, le=500)] = 100,
                  offset: Annotated[DbInt, Query(ge=0)] = 0) -> list[MessageOut]:
    with read_session(request) as session:
        incident_id = incidents.get_by_ref_or_raise(session, ref=incident).id if incident \
            else None
        rows = service.get_all(session, status=status, incident_id=incident_id, kind=kind,
                               limit=limit, offset=offset)
        return [_out(m, reveal=sees_contacts(actor, m.recipient)) for m in rows]


@router.get("/api/v1/outbox/{message_id}", response_model=MessageOut)
def get_message(message_id: DbInt, request: Request,
                actor: Annotated[Actor, requires(Permission.outbox_read)]) -> MessageOut:
    with read_session(request) as session:
        message = service.get_or_raise(session, message_id=message_id)
        reveal = sees_contacts(actor, message.recipient)
        history = [AttemptOut.model_validate(a, from_attributes=True)
                   for a in service.attempts(session, message_id=message_id)]
        if not reveal:
            history = [a.model_copy(update={"error": _without(a.error, message.destination)})
                       for a in history]
        return _out(message, history, reveal=reveal)


@router.post("/api/v1/outbox/{message_id}/retry", response_model=MessageOut)
def retry(message_id: DbInt, request: Request,
          actor: Annotated[Actor, requires(Permission.outbox_admin)]) -> MessageOut:
    with write_unit(request, actor) as uow:
        return _out(service.retry(uow, message_id=message_id))


def _out(message: Any, history: list[AttemptOut] | None = None, *,
         reveal: bool = True) -> MessageOut:
    """The message; unless ``reveal``, without its address, which is also cut
    out of the error (a mail server's refusal usually quotes it)."""
    destination = message.destination
    return MessageOut(
        id=message.id, key=message.key, kind=message.kind, channel=message.channel,
        recipient=message.recipient, destination=destination if reveal else None,
        subject=message.subject, status=message.status, attempts=message.attempts,
        max_attempts=message.max_attempts, next_attempt_at=message.next_attempt_at,
        last_error=message.last_error if reveal else _without(message.last_error, destination),
        incident=f"INC-{message.incident_id}" if message.incident_id else None,
        created_at=message.created_at, sent_at=message.sent_at,
        finished_reason=message.finished_reason, history=history)


def _without(error: str | None, destination: str) -> str | None:
    return error.replace(destination, "[address hidden]") if error and destination else error
