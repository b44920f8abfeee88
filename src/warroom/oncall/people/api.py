"""People's contact methods, notification rules and re-notify preference.

Anyone may manage their own; changing someone else's needs ``oncall:write``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session

from warroom.auth import service as users
from warroom.auth.deps import requires, sees_contacts
from warroom.auth.permissions import Permission, allows
from warroom.db import Actor
from warroom.errors import Forbidden
from warroom.http import DbInt, read_session, write_unit
from warroom.oncall.people import service
from warroom.oncall.people.models import ContactMethod
from warroom.oncall.people.schemas import (
    ContactMethodIn,
    ContactMethodOut,
    NotificationRuleIn,
    NotificationRuleOut,
    PersonOut,
    ProfileIn,
)
from warroom.oncall.teams import service as teams

if TYPE_CHECKING:
    from warroom.auth.models import User

router = APIRouter(tags=["on-call people"])
Reader = Annotated[Actor, requires(Permission.oncall_read)]
Anyone = Annotated[Actor, requires(Permission.user_read)]
BASE = "/api/v1/oncall/people/{username}"


@router.get(BASE, response_model=PersonOut)
def get_person(username: str, request: Request, actor: Reader) -> PersonOut:
    """A person's paging set-up; their addresses only for themselves and for
    callers with ``contact:read``."""
    with read_session(request) as session:
        person = users.get_by_username_or_raise(session, username=username)
        return present(session, person, reveal=sees_contacts(actor, person.username))


@router.patch(BASE, response_model=PersonOut)
def update_person(username: str, body: ProfileIn, request: Request, actor: Anyone) -> PersonOut:
    with write_unit(request, actor) as uow:
        person = _editable(uow.session, actor, username)
        service.set_renotify(uow, user=person, minutes=body.renotify_minutes)
        return present(uow.session, person)


@router.post(BASE + "/contact-methods", status_code=201, response_model=ContactMethodOut)
def add_contact_method(username: str, body: ContactMethodIn, request: Request,
                       actor: Anyone) -> ContactMethodOut:
    """Add an email, phone (sms/voice), Slack webhook or generic webhook."""
    with write_unit(request, actor) as uow:
        person = _editable(uow.session, actor, username)
        method = service.add_contact_method(uow, user=person, kind=body.kind,
                                            address=body.address, label=body.label,
                                            secret=body.secret)
        return _method(method)


@router.delete(BASE + "/contact-methods/{method_id}", response_model=PersonOut)
def remove_contact_method(username: str, method_id: DbInt, request: Request,
                          actor: Anyone) -> PersonOut:
    with write_unit(request, actor) as uow:
        person = _editable(uow.session, actor, username)
        service.remove_contact_method(uow, user=person, method_id=method_id)
        uow.session.flush()
        return present(uow.session, person)


@router.post(BASE + "/notification-rules", status_code=201, response_model=NotificationRuleOut)
def add_notification_rule(username: str, body: NotificationRuleIn, request: Request,
                          actor: Anyone) -> NotificationRuleOut:
    """Use a contact method N minutes after being paged, if still unacknowledged."""
    with write_unit(request, actor) as uow:
        person = _editable(uow.session, actor, username)
        rule = service.add_notification_rule(uow, user=person,
                                             method_id=body.contact_method_id,
                                             delay_minutes=body.delay_minutes)
        method = service.get_contact_method_or_raise(uow.session, user=person,
                                                     method_id=rule.contact_method_id)
        return NotificationRuleOut(id=rule.id, contact_method_id=method.id, kind=method.kind,
                                   delay_minutes=rule.delay_minutes)


@router.delete(BASE + "/notification-rules/{rule_id}", response_model=PersonOut)
def remove_notification_rule(username: str, rule_id: DbInt, request: Request,
                             actor: Anyone) -> PersonOut:
    with write_unit(request, actor) as uow:
        person = _editable(uow.session, actor, username)
        service.remove_notification_rule(uow, user=person, rule_id=rule_id)
        uow.session.flush()
        return present(uow.session, person)


def present(session: Session, person: User, *, reveal: bool = True) -> PersonOut:
    """The person as the caller may see them: with ``reveal`` false, no email
    address and no contact method's address (kinds and labels stay)."""
    methods = service.contact_methods(session, user=person)
    kinds = {m.id: m.kind for m in methods}
    profile = service.get_profile(session, user=person)
    return PersonOut(
        username=person.username, display_name=person.display_name,
        email=person.email if reveal else None,
        renotify_minutes=profile.renotify_minutes if profile else None,
        contact_methods=[_method(m, reveal=reveal) for m in methods],
        notification_rules=[NotificationRuleOut(id=r.id, contact_method_id=r.contact_method_id,
                                                kind=kinds.get(r.contact_method_id, "?"),
                                                delay_minutes=r.delay_minutes)
                            for r in service.notification_rules(session, user=person)],
        teams=teams.teams_of(session, user_id=person.id))


def _editable(session: Session, actor: Actor, username: str) -> User:
    """The person, if the caller may change their paging settings."""
    person = users.get_by_username_or_raise(session, username=username)
    if person.username != actor.name and not allows(actor.role or "viewer",
                                                    Permission.oncall_write):
        raise Forbidden("You may change your own contact methods; changing someone else's "
                        "needs the 'oncall:write' permission.")
    return person


def _method(method: ContactMethod, *, reveal: bool = True) -> ContactMethodOut:
    return ContactMethodOut(id=method.id, kind=method.kind, label=method.label,
                            address=method.address if reveal else None,
                            signed=bool(method.secret_sealed),
                            created_at=method.created_at)
