"""Rotating warroom's own credentials after a compromise.

Seed 002's eradication step "Rotate compromised credentials" calls
``POST /api/v1/admin/security/rotate-keys``. What someone who read a token, a
page or the database could reuse against warroom is: API tokens, the signed
one-click links already sent (acknowledge, confirm, unsubscribe), and the
integration keys monitoring tools send alerts with. One call, one unit of
work, so a rotation is all or nothing:

- every live API token is revoked; the caller's is replaced by a new one with
  the same name, role and expiry, returned once, so the person rotating is
  not locked out of the incident they are running;
- a new link-key generation starts, so every link signed before stops working
  (people still get fresh links with the next page);
- every console session ends (everyone signs in again);
- integration keys are reissued only when asked (``integration_keys``):
  monitoring keeps paging until its senders are given the new keys, and
  during a breach that is usually the wrong moment to go blind.

``WARROOM_SECRET_KEY`` itself stays the operator's to change: it also seals
stored secrets, which a request cannot re-encrypt safely.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from warroom.audit import service as audit
from warroom.auth import service, sessions
from warroom.auth.models import ApiToken, LinkKey, User
from warroom.hooks import Hook

if TYPE_CHECKING:
    from warroom.db import UnitOfWork


@dataclass(frozen=True)
class RotationRequest:
    integration_keys: bool = False
    reason: str = ""


@dataclass
class Rotation:
    revoked_tokens: list[dict[str, Any]] = field(default_factory=list)
    new_token: service.IssuedToken | None = None
    link_key_generation: int = 0
    ended_sessions: int = 0
    reissued: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _reissue(uow: UnitOfWork, request: RotationRequest) -> dict[str, list[dict[str, Any]]]:
    """Rotate this domain's own credentials; answer what was reissued, by kind."""
    return {}


reissue = Hook("security.rotate_keys", _reissue,
               "Other domains' credentials: each listener rotates its own "
               "(intake's integration keys).")


def rotate(uow: UnitOfWork, request: RotationRequest, *, caller_token_id: int | None
           ) -> Rotation:
    rotation = Rotation()
    live = uow.session.execute(
        select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.revoked_at.is_(None)).order_by(ApiToken.id)).all()
    caller: ApiToken | None = None
    for token, username in live:
        service.revoke_token(uow, token_id=token.id)
        rotation.revoked_tokens.append({"id": token.id, "user": username, "name": token.name,
                                        "prefix": token.prefix})
        if token.id == caller_token_id:
            caller = token
    if caller is not None and caller.user.is_active:
        expires_at = caller.expires_at if caller.expires_at and caller.expires_at > uow.now() \
            else None
        rotation.new_token = service.issue_token(uow, user=caller.user, name=caller.name,
                                                 role=caller.role, expires_at=expires_at)
    key = LinkKey(salt=secrets.token_hex(32), created_at=uow.now(), created_by=uow.actor.label)
    uow.session.add(key)
    uow.session.flush()
    rotation.link_key_generation = key.id
    rotation.ended_sessions = sessions.end_all(uow, reason="keys_rotated")
    for reissued in reissue.collect(uow, request):
        rotation.reissued.update(reissued)
    audit.record(uow, action="security.rotate_keys", target="warroom:credentials",
                 after={"reason": request.reason or None,
                        "revoked_tokens": len(rotation.revoked_tokens),
                        "link_key_generation": key.id,
                        "ended_sessions": rotation.ended_sessions,
                        "reissued": {kind: [item.get("name") for item in items]
                                     for kind, items in rotation.reissued.items()}})
    return rotation
