"""Subscribers: email addresses (double opt-in: nothing is sent but the
confirmation until its signed link is used; every message carries a
one-click unsubscribe) and webhooks (added by an operator, signed per
Standard Webhooks with a secret stored encrypted)."""

from __future__ import annotations

import base64
import re
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sqlalchemy import func, select

from warroom import outbound, sealing
from warroom.audit import service as audit
from warroom.auth import links
from warroom.errors import BadRequest, Forbidden, Invalid, NotFound, one_of
from warroom.notify.service import Outgoing, enqueue
from warroom.statuspage import settings as statuspage_settings
from warroom.statuspage.models import Subscriber, new_code
from warroom.statuspage.publishing import render

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork

EMAIL, WEBHOOK = "email", "webhook"
KINDS = (EMAIL, WEBHOOK)
PENDING, ACTIVE, UNSUBSCRIBED = "pending", "active", "unsubscribed"
STATUSES = (PENDING, ACTIVE, UNSUBSCRIBED)
CONFIRM, UNSUBSCRIBE = "statuspage.confirm", "statuspage.unsubscribe"
# An unsubscribe link must keep working for as long as anyone keeps the email.
UNSUBSCRIBE_LINK_LIFETIME = timedelta(days=3650)
_EMAIL = re.compile(r"^[^@\s<>\"]{1,64}@[^@\s<>\"]+\.[^@\s<>\"]{2,}$")


def get_by_code(session: Session, *, code: str) -> Subscriber | None:
    return session.scalar(select(Subscriber).where(Subscriber.code == str(code).strip()))


def get_by_code_or_raise(session: Session, *, code: str) -> Subscriber:
    found = get_by_code(session, code=code)
    if found is None:
        raise NotFound(f"There is no subscriber {code!r}.")
    return found


def get_all(session: Session, *, kind: str | None = None, status: str | None = None,
            limit: int = 100, offset: int = 0) -> tuple[list[Subscriber], int]:
    query = select(Subscriber)
    if kind:
        query = query.where(Subscriber.kind == _choice(kind, KINDS, "subscriber kind"))
    if status:
        query = query.where(Subscriber.status == _choice(status, STATUSES, "subscriber status"))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Subscriber.id).limit(limit).offset(offset))
    return list(rows), total


def active(session: Session) -> list[Subscriber]:
    return list(session.scalars(select(Subscriber).where(Subscriber.status == ACTIVE)
                                .order_by(Subscriber.id)))


def subscribe_email(uow: UnitOfWork, *, email: str) -> Subscriber:
    """Ask an address to confirm. The answer is the same whether or not it
    was subscribed already, so the form tells nobody who subscribes."""
    address = clean_email(email)
    subscriber = uow.session.scalar(select(Subscriber).where(
        Subscriber.kind == EMAIL, Subscriber.destination == address))
    if subscriber is not None and subscriber.status == ACTIVE:
        return subscriber
    if subscriber is None:
        subscriber = _new(uow, kind=EMAIL, destination=address, status=PENDING)
    else:
        subscriber.status = PENDING
    _send_confirmation(uow, subscriber)
    return subscriber


def confirm(uow: UnitOfWork, *, token: str) -> Subscriber:
    subscriber = _from_link(uow, token, purpose=CONFIRM)
    if subscriber.status != ACTIVE:
        subscriber.status = ACTIVE
        subscriber.confirmed_at = uow.now()
        subscriber.unsubscribed_at = None
        audit.record(uow, action="statuspage.subscriber.confirm", target=target(subscriber),
                     after={"kind": subscriber.kind, "status": ACTIVE})
    return subscriber


def unsubscribe(uow: UnitOfWork, *, token: str) -> Subscriber:
    subscriber = _from_link(uow, token, purpose=UNSUBSCRIBE)
    if subscriber.status != UNSUBSCRIBED:
        before = subscriber.status
        subscriber.status = UNSUBSCRIBED
        subscriber.unsubscribed_at = uow.now()
        audit.record(uow, action="statuspage.subscriber.unsubscribe", target=target(subscriber),
                     before={"status": before}, after={"status": UNSUBSCRIBED})
    return subscriber


def add_webhook(uow: UnitOfWork, *, url: str, secret: str | None = None
                ) -> tuple[Subscriber, str]:
    """A signed webhook subscriber, active at once. Returns it with its
    signing secret (generated if not given), which is shown only this once."""
    destination = clean_url(url)
    secret = check_secret(secret) if secret else "whsec_" + base64.b64encode(
        secrets.token_bytes(24)).decode()
    existing = uow.session.scalar(select(Subscriber).where(
        Subscriber.kind == WEBHOOK, Subscriber.destination == destination))
    if existing is not None:
        existing.status, existing.unsubscribed_at = ACTIVE, None
        existing.secret_sealed = sealing.seal(secret)
        audit.record(uow, action="statuspage.subscriber.rekey", target=target(existing),
                     after={"kind": WEBHOOK, "status": ACTIVE})
        return existing, secret
    subscriber = _new(uow, kind=WEBHOOK, destination=destination, status=ACTIVE,
                      secret=secret)
    subscriber.confirmed_at = uow.now()
    return subscriber, secret


def remove(uow: UnitOfWork, *, subscriber: Subscriber) -> None:
    audit.record(uow, action="statuspage.subscriber.delete", target=target(subscriber),
                 before={"kind": subscriber.kind, "status": subscriber.status})
    uow.session.delete(subscriber)


def unsubscribe_url(uow: UnitOfWork, subscriber: Subscriber, *, key: bytes) -> str:
    """The subscriber's one-click unsubscribe link, signed with ``key``
    (``links.current_key``, read once for a whole mailing)."""
    token = links.sign(key, purpose=UNSUBSCRIBE,
                       subject=subscriber.code,
                       expires_at=uow.now() + UNSUBSCRIBE_LINK_LIFETIME)
    return f"{statuspage_settings.get().base_url}/status/subscriptions/unsubscribe?token={token}"


def secret_of(subscriber: Subscriber) -> str | None:
    return sealing.unseal(subscriber.secret_sealed) if subscriber.secret_sealed else None


def target(subscriber: Subscriber) -> str:
    return f"statuspage:subscriber:{subscriber.code}"


def clean_email(email: str) -> str:
    address = str(email or "").strip().lower()
    if len(address) > 320 or not _EMAIL.match(address):
        raise Invalid(f"{str(email)[:100]!r} is not an email address.")
    return address


def clean_url(url: str) -> str:
    value = str(url or "").strip()
    parts = urlsplit(value)
    if len(value) > 500 or parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("A webhook needs an http:// or https:// URL of at most 500 characters.",
                      field="url")
    return outbound.check_url(value, field="url")


def check_secret(secret: str) -> str:
    """``whsec_<base64>`` (Standard Webhooks) or any string of 16+ characters."""
    secret = secret.strip()
    if secret.startswith("whsec_"):
        try:
            if len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) >= 16:
                return secret
        except ValueError:
            pass
        raise Invalid("A whsec_ secret must be base64 of at least 16 bytes.")
    if len(secret) < 16 or len(secret) > 200:
        raise Invalid("A signing secret is 16 to 200 characters (or whsec_<base64>).")
    return secret


def _new(uow: UnitOfWork, *, kind: str, destination: str, status: str,
         secret: str | None = None) -> Subscriber:
    subscriber = Subscriber(code=new_code(), kind=kind, destination=destination, status=status,
                            secret_sealed=sealing.seal(secret) if secret else None,
                            created_at=uow.now())
    uow.session.add(subscriber)
    uow.session.flush()
    # The address itself stays out of the audit chain, which cannot forget it.
    audit.record(uow, action="statuspage.subscriber.create", target=target(subscriber),
                 after={"kind": kind, "status": status})
    return subscriber


def _send_confirmation(uow: UnitOfWork, subscriber: Subscriber) -> None:
    settings = statuspage_settings.get()
    hours = settings.statuspage_confirm_hours
    token = links.sign(links.current_key(uow.session), purpose=CONFIRM, subject=subscriber.code,
                       expires_at=uow.now() + timedelta(hours=hours))
    confirm_url = f"{settings.base_url}/status/subscriptions/confirm?token={token}"
    subject, body = render.email("email/confirm.txt", {
        "page_name": settings.statuspage_name, "page_url": settings.page_url, "hours": hours,
        "confirm_url": confirm_url})
    # One confirmation an hour at most, however often the form is sent.
    hour = uow.now().strftime("%Y%m%d%H")
    enqueue(uow, message=Outgoing(channel=EMAIL, destination=subscriber.destination,
                                  kind="statuspage.confirm", subject=subject, body=body,
                                  key=f"statuspage.confirm:{subscriber.code}:{hour}",
                                  credentials=(token,)))


def _from_link(uow: UnitOfWork, token: str, *, purpose: str) -> Subscriber:
    try:
        link = links.verify(links.current_key(uow.session), token, purpose=purpose,
                            now=uow.now())
    except Forbidden:
        raise BadRequest("This link is not valid: it was altered or cut short. Copy the "
                         "whole link from the email.") from None
    subscriber = uow.session.scalar(select(Subscriber).where(Subscriber.code == link.subject)
                                    .with_for_update())
    if subscriber is None:
        raise NotFound("This subscription no longer exists.")
    return subscriber


def _choice(value: str, valid: tuple[str, ...], what: str) -> str:
    if value not in valid:
        raise Invalid(one_of(value, list(valid), what))
    return value
