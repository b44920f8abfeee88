"""Render and send the seeds' messages about an incident.

A message is rendered once, stored with its recipients, and queued in the
outbox in the same unit of work (one delivery per person or destination); the
worker delivers it. Status updates are numbered per incident (INCIDENT UPDATE
#1, #2, ...) and restart the update cadence clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from warroom import clock, outbound
from warroom.audit import service as audit
from warroom.auth import service as users
from warroom.comms import cadence, context, templates
from warroom.comms import settings as comms_settings
from warroom.comms.models import CommsMessage
from warroom.comms.schemas import fields_of
from warroom.errors import Invalid
from warroom.incidents import catalog, timeline
from warroom.notify.service import Outgoing, enqueue, notify_person

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Unresolved(Invalid):
    """A target that cannot be reached right now (nobody in the role, a channel
    that is not configured)."""


@dataclass(frozen=True)
class Route:
    """One recipient: a person (reached through their contact methods) or a
    destination address."""

    label: str
    channel: str
    user_id: int | None = None
    destination: str | None = None


@dataclass(frozen=True)
class Draft:
    """A rendered message that has not been sent."""

    template: templates.TemplateInfo
    update_number: int | None
    subject: str
    body: str


def preview(session: Session, *, incident: Incident, template: str,
            fields: dict[str, Any]) -> Draft:
    """The message as it would be sent now (its update number is not used up)."""
    info = templates.get_or_raise(template)
    number = next_update_number(session, incident_id=incident.id) if info.numbered else None
    rendered = _render(session, incident, info.id, fields, number, clock.now())
    return Draft(info, number, rendered.subject, rendered.body)


def send(uow: UnitOfWork, *, incident: Incident, template: str, to: list[str],
         fields: dict[str, Any]) -> CommsMessage:
    """Render, store and queue a message to every target (all or none)."""
    info = templates.get_or_raise(template)
    routes = resolve(uow.session, incident=incident, targets=to)
    number = next_update_number(uow.session, incident_id=incident.id) if info.numbered \
        else None
    rendered = _render(uow.session, incident, info.id, fields, number, uow.now())
    message = CommsMessage(incident_id=incident.id, template=info.id, update_number=number,
                           subject=rendered.subject, body=rendered.body,
                           recipients=[r.label for r in routes],
                           counts_as_update=info.counts_as_update, sent_at=uow.now(),
                           sent_by=uow.actor.label)
    uow.session.add(message)
    uow.session.flush()
    for index, route in enumerate(routes):
        _queue(uow, incident, message, route, key=f"comms:{message.id}:{index}")
    title = f"{info.title} #{number}" if number else info.title
    record = {"message_id": message.id, "template": info.id, "update_number": number,
              "subject": message.subject, "recipients": message.recipients}
    timeline.add(uow, incident_id=incident.id, kind="comms", data=record,
                 summary=f"{title} sent to {', '.join(message.recipients)}")
    audit.record(uow, action="comms.send", target=f"incident:{incident.ref}/comms:{message.id}",
                 after=record)
    if info.counts_as_update:
        cadence.on_update(uow, incident)
    return message


def get_all(session: Session, *, incident_id: int) -> list[CommsMessage]:
    return list(session.scalars(select(CommsMessage).where(
        CommsMessage.incident_id == incident_id).order_by(CommsMessage.id)))


def next_update_number(session: Session, *, incident_id: int) -> int:
    highest = session.scalar(select(func.max(CommsMessage.update_number)).where(
        CommsMessage.incident_id == incident_id))
    return (highest or 0) + 1


def resolve(session: Session, *, incident: Incident, targets: list[str]) -> list[Route]:
    """Turn ``role:``, ``channel:``, ``email:`` and ``webhook:`` targets into
    recipients; raises :class:`Unresolved` naming what cannot be reached."""
    routes: list[Route] = []
    for target in targets:
        for route in _resolve_one(session, incident, target.strip()):
            if route not in routes:
                routes.append(route)
    return routes


def _resolve_one(session: Session, incident: Incident, target: str) -> list[Route]:
    kind, _, value = target.partition(":")
    if kind == "role":
        return _role_routes(session, incident, value)
    if kind == "channel":
        configured = comms_settings.get().comms_channels.get(value)
        if not configured:
            raise Unresolved(f"Channel {value!r} is not configured; name it in "
                             "WARROOM_COMMS_CHANNELS.")
        if configured.startswith("channel:"):
            raise Invalid(f"Channel {value!r} must name an email address or webhook URL.")
        return _resolve_one(session, incident, configured)
    if kind == "email" or ("@" in target and ":" not in target):
        address = value if kind == "email" else target
        if not EMAIL.match(address):
            raise Invalid(f"{address!r} is not an email address.")
        return [Route(label=f"email:{address}", channel="email", destination=address)]
    if kind == "webhook" or target.startswith(("http://", "https://")):
        url = value if kind == "webhook" else target
        if not url.startswith(("http://", "https://")):
            raise Invalid(f"{url!r} is not an http(s) URL.")
        outbound.check_url(url, field="to")
        return [Route(label=f"webhook:{url}", channel="webhook", destination=url)]
    raise Invalid(f"{target!r} is not a recipient; use role:<role id>, channel:<name>, "
                  "email:<address> or webhook:<url>.")


def _role_routes(session: Session, incident: Incident, role_id: str) -> list[Route]:
    role = catalog.role(role_id)
    assignment = next((r for r in incident.roles if r.role == role.id), None)
    routes = []
    for user_id in (assignment.primary_user_id, assignment.backup_user_id) if assignment \
            else ():
        user = users.get(session, user_id=user_id) if user_id else None
        if user is not None and user.is_active:
            routes.append(Route(label=f"{user.username} ({role.name})", channel="person",
                                user_id=user.id))
    if not routes:
        raise Unresolved(f"Nobody is assigned to {role.name} on {incident.ref}; assign the "
                         "role or send elsewhere.")
    return routes


def _render(session: Session, incident: Incident, template: str, fields: dict[str, Any],
            number: int | None, now: datetime) -> templates.Rendered:
    given = fields_of(fields).model_dump(exclude_none=True)
    values = context.build(session, incident, fields=given, update_number=number, now=now)
    return templates.render(template, values)


def _queue(uow: UnitOfWork, incident: Incident, message: CommsMessage, route: Route,
           *, key: str) -> None:
    if route.user_id is not None:
        notify_person(uow, user_id=route.user_id, kind="comms", subject=message.subject,
                      body=message.body, incident_id=incident.id, key=key)
        return
    payload = None
    if route.channel == "webhook":
        payload = {"text": f"{message.subject}\n\n{message.body}", "subject": message.subject,
                   "body": message.body, "incident": incident.ref, "template": message.template,
                   "update_number": message.update_number}
    enqueue(uow, message=Outgoing(channel=route.channel, destination=route.destination or "",
                                  kind="comms", subject=message.subject, body=message.body,
                                  payload=payload, incident_id=incident.id,
                                  recipient=route.label, key=key))
