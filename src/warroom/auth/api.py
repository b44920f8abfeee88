"""Users and API tokens over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request

from warroom.auth import rotation, service
from warroom.auth.deps import requires, sees_contacts, token_cache
from warroom.auth.models import ApiToken, User
from warroom.auth.permissions import ROLE_PERMISSIONS, Permission, Role, allows
from warroom.auth.schemas import (
    IssuedTokenOut,
    RotatedKeys,
    RotateKeys,
    TokenCreate,
    TokenOut,
    UserCreate,
    UserOut,
    UserUpdate,
)
from warroom.db import Actor
from warroom.errors import Forbidden
from warroom.http import DbInt, read_session, write_unit

router = APIRouter(tags=["auth"])
Admin = Annotated[Actor, requires(Permission.user_admin)]
Anyone = Annotated[Actor, requires(Permission.user_read)]


@router.get("/api/v1/me")
def me(request: Request, actor: Anyone) -> dict[str, object]:
    """Who this token belongs to and what it may do."""
    role = Role(actor.role or "viewer")
    return {"username": actor.name, "role": role.value,
            "permissions": sorted(p.value for p in ROLE_PERMISSIONS[role])}


@router.get("/api/v1/users", response_model=list[UserOut])
def list_users(request: Request, actor: Anyone) -> list[UserOut]:
    """Everyone; email addresses only to ``contact:read`` (and each their own)."""
    with read_session(request) as session:
        return [_user(u, reveal=sees_contacts(actor, u.username))
                for u in service.get_all(session, include_inactive=True)]


@router.post("/api/v1/users", status_code=201, response_model=UserOut)
def create_user(body: UserCreate, request: Request, actor: Admin) -> UserOut:
    with write_unit(request, actor) as uow:
        return _user(service.create(uow, **body.model_dump()))


@router.patch("/api/v1/users/{username}", response_model=UserOut)
def update_user(username: str, body: UserUpdate, request: Request, actor: Admin) -> UserOut:
    with write_unit(request, actor) as uow:
        user = service.get_by_username_or_raise(uow.session, username=username)
        service.update(uow, user=user, **body.model_dump(exclude_unset=True))
    token_cache(request).clear()
    return _user(user)


@router.get("/api/v1/tokens", response_model=list[TokenOut])
def list_tokens(request: Request, actor: Anyone) -> list[TokenOut]:
    """Admins see every token; everyone else sees their own."""
    owner_id = None if allows(actor.role or "viewer", Permission.user_admin) else actor.user_id
    with read_session(request) as session:
        return [_token(t, t.user.username)
                for t in service.get_tokens(session, user_id=owner_id)]


@router.post("/api/v1/tokens", status_code=201, response_model=IssuedTokenOut)
def create_token(body: TokenCreate, request: Request,
                 actor: Annotated[Actor, requires(Permission.user_read)]) -> IssuedTokenOut:
    """Issue a token. Anyone may issue one for themselves, admins for anyone;
    never above the calling token's own effective role."""
    username = body.username or actor.name
    if username != actor.name and not allows(actor.role or "viewer", Permission.user_admin):
        raise Forbidden("Only admins can issue tokens for other users: it needs the "
                        "'user:admin' permission.")
    with write_unit(request, actor) as uow:
        user = service.get_by_username_or_raise(uow.session, username=username)
        issued = service.issue_token(uow, user=user, name=body.name, role=body.role,
                                     expires_at=body.expires_at,
                                     issuer_role=actor.role or "viewer")
        return IssuedTokenOut(token=issued.secret,
                              **_token(issued.token, user.username).model_dump())


@router.delete("/api/v1/tokens/{token_id}", response_model=TokenOut)
def revoke_token(token_id: DbInt, request: Request, actor: Anyone) -> TokenOut:
    """Anyone may revoke their own tokens; admins may revoke anyone's."""
    owner_id = None if allows(actor.role or "viewer", Permission.user_admin) else actor.user_id
    with write_unit(request, actor) as uow:
        token = service.revoke_token(uow, token_id=token_id, owner_id=owner_id)
        out = _token(token, token.user.username)
    token_cache(request).clear()
    return out


@router.post("/api/v1/admin/security/rotate-keys", response_model=RotatedKeys)
def rotate_keys(request: Request,
                actor: Annotated[Actor, requires(Permission.keys_rotate)],
                body: RotateKeys | None = None) -> RotatedKeys:
    """Rotate warroom's credentials after a compromise: revoke every API token
    (the caller gets a replacement, shown once), void every signed link sent
    so far, and with ``integration_keys`` reissue the integration keys."""
    body = body or RotateKeys()
    with write_unit(request, actor) as uow:
        done = rotation.rotate(uow, rotation.RotationRequest(
            integration_keys=body.integration_keys, reason=body.reason),
            caller_token_id=actor.token_id)
        answer = RotatedKeys(rotated_at=uow.now(), revoked_tokens=done.revoked_tokens,
                             token=done.new_token.secret if done.new_token else None,
                             link_key_generation=done.link_key_generation,
                             reissued=done.reissued, ended_sessions=done.ended_sessions)
    token_cache(request).clear()
    return answer


def _user(user: User, *, reveal: bool = True) -> UserOut:
    out = UserOut.model_validate(user, from_attributes=True)
    return out if reveal else out.model_copy(update={"email": None})


def _token(token: ApiToken, username: str) -> TokenOut:
    return TokenOut(id=token.id, name=token.name, user=username, prefix=token.prefix,
                    role=token.role, created_at=token.created_at, expires_at=token.expires_at,
                    last_used_at=token.last_used_at, revoked_at=token.revoked_at)
