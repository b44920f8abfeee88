"""Which warroom user an OpenID identity signs in as, and with which role.

The rule (docs/security.md, "Signing in"):

1. A user already bound to this identity (``<issuer> <sub>``) is that user.
2. Otherwise the username is the ``WARROOM_OIDC_USERNAME_CLAIM`` claim,
   lowercased. An existing user of that name not yet bound to any identity is
   bound now (unless ``WARROOM_OIDC_MATCH_EXISTING=false``); one bound to
   another identity is refused (a renamed account cannot take over someone).
3. Otherwise, with ``WARROOM_OIDC_CREATE_USERS`` (the default), a user is
   created.

The role comes from ``WARROOM_OIDC_ROLE_CLAIM`` through ``WARROOM_OIDC_ROLE_MAP``
(the highest mapped role wins) at every sign-in, so the provider stays the
source of truth; with no mapped value, ``WARROOM_OIDC_DEFAULT_ROLE``, or the
person is refused. Disabled users and service accounts are refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.auth import service as users
from warroom.auth.permissions import Role
from warroom.console.oidc import OidcFailed
from warroom.errors import Problem

if TYPE_CHECKING:
    from warroom.auth.models import User
    from warroom.console.oidc_settings import OidcSettings
    from warroom.db import UnitOfWork


def role_for(knobs: OidcSettings, claims: dict[str, Any]) -> str:
    if not knobs.oidc_role_claim:
        if knobs.oidc_default_role:
            return users.parse_role(knobs.oidc_default_role)
        raise OidcFailed("Single sign-on is set up without a role: set "
                         "WARROOM_OIDC_ROLE_CLAIM and WARROOM_OIDC_ROLE_MAP, or "
                         "WARROOM_OIDC_DEFAULT_ROLE.")
    raw = claims.get(knobs.oidc_role_claim)
    values = raw if isinstance(raw, list) else [raw] if raw is not None else []
    mapped = [users.parse_role(knobs.oidc_role_map[str(v)]) for v in values
              if str(v) in knobs.oidc_role_map]
    if mapped:
        return max(mapped, key=lambda role: Role(role).rank)
    if knobs.oidc_default_role:
        return users.parse_role(knobs.oidc_default_role)
    raise OidcFailed("Your account at the identity provider has no group or role that "
                     "warroom maps to a warroom role; ask an admin to add you.")


def sign_in_user(uow: UnitOfWork, knobs: OidcSettings, claims: dict[str, Any]) -> User:
    """The user these verified claims sign in as (created, bound or updated)."""
    subject = f"{knobs.oidc_issuer.rstrip('/') if knobs.oidc_issuer else ''} {claims['sub']}"
    role = role_for(knobs, claims)
    user = users.get_by_oidc_subject(uow.session, subject=subject)
    if user is None:
        user = _match_or_create(uow, knobs, claims, subject, role)
    if not user.is_active or user.is_service_account:
        raise OidcFailed(f"The warroom user {user.username} is disabled; ask an admin.")
    if user.role != role:
        users.update(uow, user=user, role=role)
    return user


def _match_or_create(uow: UnitOfWork, knobs: OidcSettings, claims: dict[str, Any],
                     subject: str, role: str) -> User:
    username = str(claims.get(knobs.oidc_username_claim) or "").strip().lower()
    if not username:
        raise OidcFailed(f"The identity provider sent no {knobs.oidc_username_claim!r} "
                         "claim, which warroom uses as the username.")
    user = users.get_by_username(uow.session, username=username)
    if user is not None:
        if user.oidc_subject is not None or not knobs.oidc_match_existing:
            raise OidcFailed(f"The warroom user {username} is bound to another identity "
                             "(or single sign-on may not take over existing users); ask an "
                             "admin.")
        users.bind_oidc_subject(uow, user=user, subject=subject)
        return user
    if not knobs.oidc_create_users:
        raise OidcFailed(f"There is no warroom user {username}, and single sign-on does not "
                         "create users here; ask an admin to create one.")
    try:
        user = users.create(uow, username=username, role=role,
                            display_name=str(claims.get("name") or username)[:200],
                            email=_email(claims))
    except Problem as problem:
        raise OidcFailed(problem.detail) from None
    users.bind_oidc_subject(uow, user=user, subject=subject)
    return user


def _email(claims: dict[str, Any]) -> str | None:
    email = claims.get("email")
    if isinstance(email, str) and users.EMAIL.match(email) and len(email) <= 320:
        return email
    return None
