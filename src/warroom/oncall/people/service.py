"""Contact methods, notification rules and paging preferences of a person."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from warroom import outbound, sealing
from warroom.audit import service as audit
from warroom.errors import Conflict, Invalid, NotFound, one_of
from warroom.notify.channels import signing
from warroom.notify.channels.sms import GatewaySettings
from warroom.oncall.people.models import ContactMethod, NotificationRule, Profile

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.auth.models import User
    from warroom.db import UnitOfWork

KINDS = ("email", "sms", "voice", "slack", "webhook")
SEALED_KINDS = ("slack",)
"""Kinds whose address is a credential (a Slack incoming-webhook URL): it is
stored encrypted and shown, logged and audited only as a label."""
MAX_METHODS = 20
MAX_RULE_DELAY = 24 * 60
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def contact_methods(session: Session, *, user: User) -> list[ContactMethod]:
    return list(session.scalars(select(ContactMethod).where(ContactMethod.user_id == user.id)
                                .order_by(ContactMethod.id)))


def get_contact_method_or_raise(session: Session, *, user: User,
                                method_id: int) -> ContactMethod:
    method = session.get(ContactMethod, method_id)
    if method is None or method.user_id != user.id:
        raise NotFound(f"{user.username} has no contact method {method_id}.")
    return method


def add_contact_method(uow: UnitOfWork, *, user: User, kind: str, address: str,
                       label: str = "", secret: str | None = None) -> ContactMethod:
    """Add a way to reach ``user``. A webhook may carry a signing secret,
    stored encrypted and never shown again; a Slack URL is stored encrypted
    too (see ``SEALED_KINDS``)."""
    kind = str(kind).strip().lower()
    if kind not in KINDS:
        raise Invalid(one_of(kind, KINDS, "contact method kind"))
    address = _checked_address(kind, address.strip())
    _check_deliverable(kind, secret)
    sealed = sealing.seal(address) if kind in SEALED_KINDS else None
    if sealed:
        address = outbound.sealed_label(address)
    existing = contact_methods(uow.session, user=user)
    if len(existing) >= MAX_METHODS:
        raise Invalid(f"A person can have at most {MAX_METHODS} contact methods.")
    if any(m.kind == kind and m.address == address for m in existing):
        raise Conflict(f"{user.username} already has this {kind} contact method.")
    method = ContactMethod(user_id=user.id, kind=kind, address=address, label=label.strip(),
                           secret_sealed=sealing.seal(secret) if secret else None,
                           address_sealed=sealed, created_at=uow.now())
    uow.session.add(method)
    uow.session.flush()
    audit.record(uow, action="oncall.contact.add", target=f"user:{user.username}",
                 after={"id": method.id, "kind": kind, "address": address, "label": label,
                        "signed": bool(secret)})
    return method


def remove_contact_method(uow: UnitOfWork, *, user: User, method_id: int) -> None:
    """Remove a contact method and the notification rules that used it."""
    method = get_contact_method_or_raise(uow.session, user=user, method_id=method_id)
    uow.session.execute(delete(NotificationRule).where(
        NotificationRule.contact_method_id == method.id))
    uow.session.delete(method)
    audit.record(uow, action="oncall.contact.remove", target=f"user:{user.username}",
                 before={"id": method.id, "kind": method.kind, "address": method.address})


def notification_rules(session: Session, *, user: User) -> list[NotificationRule]:
    return list(session.scalars(select(NotificationRule)
                                .where(NotificationRule.user_id == user.id)
                                .order_by(NotificationRule.delay_minutes, NotificationRule.id)))


def add_notification_rule(uow: UnitOfWork, *, user: User, method_id: int,
                          delay_minutes: int) -> NotificationRule:
    """When paged, use contact method ``method_id`` after ``delay_minutes``
    (0 = at once) if still unacknowledged."""
    method = get_contact_method_or_raise(uow.session, user=user, method_id=method_id)
    if not 0 <= delay_minutes <= MAX_RULE_DELAY:
        raise Invalid(f"delay_minutes must be between 0 and {MAX_RULE_DELAY}.")
    if uow.session.scalar(select(NotificationRule.id).where(
            NotificationRule.contact_method_id == method.id,
            NotificationRule.delay_minutes == delay_minutes)):
        raise Conflict(f"{user.username} already has this rule.")
    rule = NotificationRule(user_id=user.id, contact_method_id=method.id,
                            delay_minutes=delay_minutes, created_at=uow.now())
    uow.session.add(rule)
    uow.session.flush()
    audit.record(uow, action="oncall.rule.add", target=f"user:{user.username}",
                 after={"id": rule.id, "contact_method": method.id, "kind": method.kind,
                        "delay_minutes": delay_minutes})
    return rule


def remove_notification_rule(uow: UnitOfWork, *, user: User, rule_id: int) -> None:
    rule = uow.session.get(NotificationRule, rule_id)
    if rule is None or rule.user_id != user.id:
        raise NotFound(f"{user.username} has no notification rule {rule_id}.")
    uow.session.delete(rule)
    audit.record(uow, action="oncall.rule.remove", target=f"user:{user.username}",
                 before={"id": rule_id, "delay_minutes": rule.delay_minutes})


def get_profile(session: Session, *, user: User) -> Profile | None:
    return session.get(Profile, user.id)


def set_renotify(uow: UnitOfWork, *, user: User, minutes: int | None) -> Profile:
    """Ask to be paged again every ``minutes`` until acknowledged (None: stop)."""
    if minutes is not None and not 1 <= minutes <= 24 * 60:
        raise Invalid("renotify_minutes must be between 1 and 1440, or null to turn it off.")
    profile = uow.session.get(Profile, user.id)
    before = profile.renotify_minutes if profile else None
    if profile is None:
        profile = Profile(user_id=user.id, renotify_minutes=minutes, updated_at=uow.now())
        uow.session.add(profile)
    profile.renotify_minutes = minutes
    profile.updated_at = uow.now()
    audit.record(uow, action="oncall.profile.update", target=f"user:{user.username}",
                 before={"renotify_minutes": before}, after={"renotify_minutes": minutes})
    return profile


def _check_deliverable(kind: str, secret: str | None) -> None:
    """Refuse a method that could never deliver: saved today, it would only
    dead-letter on the first page, minutes into an incident."""
    if secret and kind != "webhook":
        raise Invalid("Only webhook contact methods take a signing secret.", field="secret")
    problem = signing.secret_problem(secret)
    if problem:
        raise Invalid(f"This secret cannot sign anything: {problem}.", field="secret",
                      reason="invalid_secret")
    if kind in ("sms", "voice") and not GatewaySettings.current().sms_gateway_url:
        raise Invalid(f"{kind} messages go through the SMS/voice gateway and none is "
                      "configured; an admin sets WARROOM_SMS_GATEWAY_URL first.",
                      field="kind", reason="no_gateway")


def _checked_address(kind: str, address: str) -> str:
    if kind == "email" and _EMAIL.match(address) and len(address) <= 320:
        return address
    if kind in ("sms", "voice"):
        number = re.sub(r"[\s().-]", "", address)
        if _PHONE.match(number):
            return number
        raise Invalid(f"{address!r} is not a phone number in international form, "
                      "e.g. +15551234567.")
    if kind in ("slack", "webhook") and _URL.match(address) and len(address) <= 1000:
        return outbound.check_url(address, field="address")
    raise Invalid(f"{address!r} is not a valid {kind} address.")
