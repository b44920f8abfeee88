"""Users and API tokens.

Tokens are random, shown once, and stored only as a SHA-256 hash (they carry
256 bits of entropy, so a slow hash buys nothing). A token may cap its owner's
role, so an integration can hold a viewer token issued by an admin.

A token's role is pinned when it is issued: at most its owner's role and at
most the role of the token that issues it. Raising the owner later never
raises a token already issued (lowering the owner lowers them all), so a
viewer token in a CI job stays a viewer token whatever happens to its account.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from warroom.audit import service as audit
from warroom.auth import sessions
from warroom.auth.models import ApiToken, User
from warroom.auth.permissions import ROLE_ORDER, Role
from warroom.db import Actor, UnitOfWork
from warroom.errors import Conflict, Forbidden, Invalid, NotFound, one_of

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.orm import Session

TOKEN_PREFIX = "wr_"
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
EMAIL = re.compile(r"^[^@\s<>\"]{1,64}@[^@\s<>\"]+\.[^@\s<>\"]{2,}$")
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


def get(session: Session, *, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_by_username(session: Session, *, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def get_by_email(session: Session, *, email: str) -> User | None:
    """The active user with this email address (case-insensitive), for chat
    tools that name a person by their verified address; None when nobody or
    more than one person has it (an ambiguous link is no link)."""
    found = list(session.scalars(select(User).where(
        func.lower(User.email) == email.strip().lower(), User.is_active.is_(True)).limit(2)))
    return found[0] if len(found) == 1 else None


def get_by_username_or_raise(session: Session, *, username: str) -> User:
    user = get_by_username(session, username=username)
    if user is None:
        raise NotFound(f"There is no user named {username!r}.")
    return user


def get_by_oidc_subject(session: Session, *, subject: str) -> User | None:
    """The user bound to an OpenID identity (``<issuer> <sub>``)."""
    return session.scalar(select(User).where(User.oidc_subject == subject))


def bind_oidc_subject(uow: UnitOfWork, *, user: User, subject: str) -> None:
    """Bind ``user`` to an OpenID identity: later single sign-ons must present it."""
    user.oidc_subject = subject[:512]
    uow.session.flush()
    audit.record(uow, action="user.bind_oidc", target=f"user:{user.username}",
                 after={"subject": user.oidc_subject})


def get_all(session: Session, *, include_inactive: bool = False) -> list[User]:
    query = select(User).order_by(User.username)
    if not include_inactive:
        query = query.where(User.is_active.is_(True))
    return list(session.scalars(query))


def get_many(session: Session, *, ids: Iterable[int]) -> dict[int, User]:
    """Users by id in one query, in username order, for a domain that shows or
    reaches many people at once."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted))
                                             .order_by(User.username))}


def usernames(session: Session, *, ids: Iterable[int] | None = None) -> dict[int, str]:
    """User id -> username, for every user or only ``ids``."""
    query = select(User.id, User.username)
    if ids is not None:
        query = query.where(User.id.in_(set(ids)))
    return dict(session.execute(query).all())


def display_names(session: Session) -> dict[int, str]:
    """User id -> the name to show (the display name, else the username)."""
    rows = session.execute(select(User.id, User.display_name, User.username))
    return {user_id: display or username for user_id, display, username in rows}


def active_ids(session: Session, *, usernames: Iterable[str]) -> dict[str, int]:
    """Username -> id of the active users among ``usernames`` (others are left out:
    an inactive person is never paged)."""
    wanted = set(usernames)
    if not wanted:
        return {}
    return dict(session.execute(select(User.username, User.id).where(
        User.username.in_(wanted), User.is_active.is_(True))).all())


def active_admins_with_email(session: Session) -> list[User]:
    """Who hears of what warroom could not do itself (a dead letter, an incident
    nobody could be paged for): every active admin that has an address."""
    return list(session.scalars(select(User).where(
        User.role == Role.admin.value, User.is_active.is_(True), User.email.is_not(None))))


def create(uow: UnitOfWork, *, username: str, role: str, display_name: str = "",
           email: str | None = None, is_service_account: bool = False) -> User:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise Invalid(f"{username!r} is not a valid username: use 1-64 lowercase letters, "
                      "digits, '.', '_' or '-', starting with a letter or digit.")
    role = parse_role(role)
    if get_by_username(uow.session, username=username):
        raise Conflict(f"A user named {username!r} already exists.")
    user = User(username=username, role=role, display_name=display_name or username,
                email=email, is_service_account=is_service_account, created_at=uow.now())
    uow.session.add(user)
    uow.session.flush()
    audit.record(uow, action="user.create", target=f"user:{username}", after=_user_state(user))
    return user


def update(uow: UnitOfWork, *, user: User, role: str | None = None,
           display_name: str | None = None, email: str | None = None,
           is_active: bool | None = None) -> User:
    before = _user_state(user)
    if role is not None:
        user.role = parse_role(role)
    if display_name is not None:
        user.display_name = display_name
    if email is not None:
        user.email = email or None
    if is_active is not None:
        user.is_active = is_active
    uow.session.flush()
    if is_active is False:
        sessions.end_all_for_user(uow, user_id=user.id, reason="user_disabled")
    audit.record(uow, action="user.update", target=f"user:{user.username}", before=before,
                 after=_user_state(user))
    return user


def issue_token(uow: UnitOfWork, *, user: User, name: str, role: str | None = None,
                expires_at: datetime | None = None,
                issuer_role: str | None = None) -> IssuedToken:
    """Create a token; its secret is returned here and never again.

    ``issuer_role`` is the effective role of the token asking (None for the
    operator's CLI): a token never issues one that outranks itself, or a capped
    token would be a way back to its owner's full power."""
    role = parse_role(role) if role is not None else _lower(issuer_role, user.role)
    check_may_issue(user, role, issuer_role)
    if expires_at is not None and expires_at <= uow.now():
        raise Invalid("The token's expiry time is in the past.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(secret),
                     prefix=secret[:10], role=role, created_at=uow.now(), expires_at=expires_at)
    uow.session.add(token)
    uow.session.flush()
    audit.record(uow, action="token.create", target=f"token:{token.id}",
                 after={"user": user.username, "name": name, "role": role,
                        "expires_at": expires_at, "prefix": token.prefix})
    return IssuedToken(token=token, secret=secret)


def check_may_issue(user: User, role: str, issuer_role: str | None) -> None:
    if issuer_role is not None and Role(role).rank > Role(issuer_role).rank:
        raise Forbidden(f"A token cannot issue a token with more power than itself: the "
                        f"calling token acts as {issuer_role}, so it cannot issue a {role} "
                        f"token. Issue it with a {role} token.")
    if Role(role).rank > Role(user.role).rank:
        raise Forbidden(f"A token cannot have more power than its owner: {user.username} "
                        f"is a {user.role}, so the token's role cannot be {role}; raise "
                        f"{user.username}'s role first (user:admin).")


def revoke_token(uow: UnitOfWork, *, token_id: int, owner_id: int | None = None
                 ) -> ApiToken:
    """Revoke a token; with ``owner_id``, only one of that user's own (anyone
    may revoke their own leaked token without waiting for an admin)."""
    token = uow.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"There is no token with id {token_id}.")
    if owner_id is not None and token.user_id != owner_id:
        raise Forbidden(f"Token {token_id} belongs to someone else: revoking other users' "
                        "tokens needs the 'user:admin' permission, which admin has.")
    if token.revoked_at is None:
        token.revoked_at = uow.now()
        audit.record(uow, action="token.revoke", target=f"token:{token.id}",
                     after={"revoked_at": token.revoked_at})
    return token


def get_tokens(session: Session, *, user: User | None = None,
               user_id: int | None = None) -> list[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.id)
    if user is not None:
        user_id = user.id
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(session.scalars(query))


def authenticate(session: Session, *, secret: str, now: datetime) -> tuple[Actor, bool] | None:
    """The actor a token stands for, or None when it is unknown, expired,
    revoked or its owner is disabled. The flag says whether ``last_used_at``
    is stale enough to be worth a write."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == hash_token(secret))
    ).first()
    if row is None:
        return None
    token, user = row
    if token.revoked_at is not None or not user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    role = effective_role(token, user)
    actor = Actor(name=user.username, kind="user", user_id=user.id, role=role, token_id=token.id)
    stale = token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION
    return actor, stale


def effective_role(token: ApiToken, user: User) -> str:
    """The lower of the token's pinned role and its owner's current role
    (tokens issued before roles were pinned follow their owner)."""
    if token.role and Role(token.role).rank < Role(user.role).rank:
        return token.role
    return user.role


def touch_token(uow: UnitOfWork, *, token_id: int) -> None:
    """Record use at minute resolution, so reads do not turn into writes."""
    token = uow.session.get(ApiToken, token_id)
    if token is not None:
        token.last_used_at = uow.now()


def bootstrap_admin(uow: UnitOfWork, *, username: str) -> IssuedToken | None:
    """On first start, create the admin user and a token; None if users exist."""
    if uow.session.scalar(select(User.id).limit(1)) is not None:
        return None
    user = create(uow, username=username, role=Role.admin, display_name="Administrator")
    return issue_token(uow, user=user, name="bootstrap")


def set_email(uow: UnitOfWork, *, user: User, email: str) -> User:
    """Give a user the address warroom falls back to (and tells admins at)."""
    address = email.strip()
    if len(address) > 320 or not EMAIL.match(address):
        raise Invalid(f"{email[:100]!r} is not an email address.")
    return update(uow, user=user, email=address)


def unreachable_admins(session: Session) -> str | None:
    """A sentence when no active admin has an email address: then a message
    that cannot be delivered (a dead letter) or an incident nobody can be
    paged for reaches no one."""
    found = session.scalar(select(User.id).where(User.role == Role.admin.value,
                                                 User.is_active.is_(True),
                                                 User.email.is_not(None)).limit(1))
    if found is not None:
        return None
    return ("No admin has an email address, so a message warroom cannot deliver reaches "
            "nobody: set one with `warroom user set-email <admin> <address>`.")


def service_account_token(uow: UnitOfWork, *, name: str, role: str | None,
                          username: str | None = None,
                          expires_at: datetime | None = None) -> IssuedToken:
    """A token for a script: for ``username`` if given (with that user's own
    role unless ``role`` is named), else for a service account named after the
    token (created on first use, a responder unless ``role`` is named)."""
    if username:
        user = get_by_username_or_raise(uow.session, username=username)
        role = role or user.role
    else:
        role = role or Role.responder.value
        account = _slug(name)
        user = get_by_username(uow.session, username=account) or create(
            uow, username=account, role=role, is_service_account=True)
        if Role(user.role).rank < Role(parse_role(role)).rank:
            update(uow, user=user, role=role)
    return issue_token(uow, user=user, name=name, role=role, expires_at=expires_at)


def _lower(issuer_role: str | None, owner_role: str) -> str:
    if issuer_role is None or Role(owner_role).rank <= Role(issuer_role).rank:
        return owner_role
    return issuer_role


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_role(role: str) -> str:
    try:
        return Role(role.strip().lower()).value
    except ValueError:
        raise Invalid(one_of(role, [r.value for r in ROLE_ORDER], "role")) from None


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", name.strip().lower()).strip("-")
    return slug[:64] or "service"


def _user_state(user: User) -> dict[str, object]:
    return {"username": user.username, "role": user.role, "display_name": user.display_name,
            "email": user.email, "is_active": user.is_active}
