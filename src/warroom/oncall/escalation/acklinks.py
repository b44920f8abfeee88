"""The signed one-click acknowledge link in every page.

The link names the incident and the person paged, expires after
``WARROOM_ACK_LINK_TTL_MINUTES`` and works once: its nonce is recorded when
used. Opening it (GET) only shows what it will do; acknowledging takes a POST
(the button on that page), because chat tools and mail scanners open links to
preview them and must not acknowledge pages on a person's behalf.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from warroom.audit import service as audit
from warroom.auth import links
from warroom.config import get_settings
from warroom.errors import Conflict, Forbidden, NotFound
from warroom.oncall import settings as oncall_settings
from warroom.oncall.escalation.models import UsedLink

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.auth.models import User
    from warroom.db import UnitOfWork

PURPOSE = "page-ack"
PATH = "/api/v1/ack/"


@dataclass(frozen=True)
class AckLink:
    incident_id: int
    user_id: int
    nonce: str
    expires_at: datetime


def url_for(key: bytes, *, incident_id: int, user_id: int, now: datetime) -> str:
    """A link signed with ``key`` (``links.current_key``, read once per batch)."""
    settings = get_settings()
    expires_at = now + timedelta(minutes=oncall_settings.get().ack_link_ttl_minutes)
    token = links.sign(key, purpose=PURPOSE,
                       subject=f"{incident_id}:{user_id}", expires_at=expires_at)
    return f"{settings.base_url}{PATH}{token}"


def read(session: Session, token: str, *, now: datetime) -> AckLink:
    """The link's contents; 404 when forged, altered or signed before the last
    key rotation, 410 when expired."""
    try:
        signed = links.verify(links.current_key(session), token, purpose=PURPOSE, now=now)
        incident_id, user_id = (int(part) for part in signed.subject.split(":"))
    except (Forbidden, ValueError):
        raise NotFound("This acknowledge link is not valid: it was altered or is not a "
                       "warroom link.") from None
    return AckLink(incident_id, user_id, signed.nonce, signed.expires_at)


def used(session: Session, link: AckLink) -> UsedLink | None:
    return session.scalar(select(UsedLink).where(UsedLink.nonce == link.nonce))


def consume(uow: UnitOfWork, link: AckLink, *, person: User) -> None:
    """Record the link as used; a second use is refused with when and by whom."""
    earlier = used(uow.session, link)
    if earlier is not None:
        raise Conflict(f"This link was already used, at {earlier.used_at:%Y-%m-%d %H:%M} UTC "
                       f"by {earlier.used_by}; each acknowledge link works once.")
    uow.session.add(UsedLink(nonce=link.nonce, purpose=PURPOSE, used_at=uow.now(),
                             used_by=person.username))
    uow.session.flush()
    audit.record(uow, action="oncall.ack_link.use", target=f"incident:INC-{link.incident_id}",
                 after={"by": person.username, "expires_at": link.expires_at})
