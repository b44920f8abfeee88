"""The admin screens under ``/settings`` (never ``/admin``: ``/admin/status``
is an API path): users, API tokens, integrations and routing rules.

Every screen needs the permission the API's matching routes need to change
things (user:admin for users and tokens, routing:admin for integrations and
routing rules); only admins hold them. Each form calls the auth or intake
service in a unit of work acting as the signed-in admin, so the services'
rules hold here as through the API: a token never outranks its owner or the
admin issuing it, disabling a user ends their console sessions, and a secret
(a token, an integration key) is shown in the one answer that creates it and
never again. A refusal re-renders the screen with the sentence beside the
field (4xx) and the unit of work rolls back, so nothing is half-saved.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from pydantic import ValidationError
from starlette.responses import Response

from warroom.auth import passwords
from warroom.auth import service as users
from warroom.auth.deps import token_cache
from warroom.auth.permissions import ROLE_ORDER, Permission
from warroom.console.screens import render, see_other
from warroom.console.session import check_csrf, console_requires
from warroom.db import Actor
from warroom.errors import Conflict, Problem
from warroom.http import client_ip
from warroom.intake import integrations, switches, trial
from warroom.intake.rules import rulebook
from warroom.intake.schemas import IntegrationIn

router = APIRouter(include_in_schema=False)
UserAdmin = Annotated[Actor, console_requires(Permission.user_admin)]
RoutingAdmin = Annotated[Actor, console_requires(Permission.routing_admin)]
CSRF = [Depends(check_csrf)]
SECTIONS = (("/settings", "Users", Permission.user_admin),
            ("/settings/tokens", "API tokens", Permission.user_admin),
            ("/settings/integrations", "Integrations", Permission.routing_admin),
            ("/settings/routing", "Routing rules", Permission.routing_admin))
"""The admin area's tabs, each gated like its screen."""
ROLES = [r.value for r in ROLE_ORDER]
SECRET_PAGE = {"Cache-Control": "no-store"}
"""A page showing a secret once is never kept by the browser or a proxy."""
EXAMPLE = json.dumps({"labels": {"alertname": "WebSocketServiceDown",
                                 "job": "websocket-service"}}, indent=2)


def _unit(request: Request, actor: Actor) -> Any:
    return request.app.state.database.unit_of_work(actor, source_ip=client_ip(request),
                                                   clock=request.app.state.clock)


def _status(problem: Problem) -> int:
    return problem.status if problem.status < 500 else 400


def _screen(request: Request, actor: Actor, name: str, context: dict[str, Any], *,
            status: int = 200, headers: dict[str, str] | None = None) -> Response:
    page = render(request, actor, name, {
        "sections": [(href, label) for href, label, _ in SECTIONS], "roles": ROLES,
        **context}, status=status)
    page.headers.update(headers or {})
    return page


# ---- users --------------------------------------------------------------------


@router.get("/settings")
def users_page(request: Request, actor: UserAdmin) -> Response:
    return _users(request, actor, form={}, errors={})


def _users(request: Request, actor: Actor, *, form: dict[str, str], errors: dict[str, str],
           status: int = 200) -> Response:
    with request.app.state.database.read() as session:
        rows = users.get_all(session, include_inactive=True)
        session.expunge_all()
    return _screen(request, actor, "settings_users.html", {
        "users": rows, "form": form, "errors": errors}, status=status)


@router.post("/settings/users", dependencies=CSRF)
def create_user(request: Request, actor: UserAdmin,
                username: Annotated[str, Form(max_length=64)] = "",
                role: Annotated[str, Form(max_length=20)] = "",
                email: Annotated[str, Form(max_length=320)] = "",
                display_name: Annotated[str, Form(max_length=200)] = "",
                password: Annotated[str, Form(max_length=1024)] = "") -> Response:
    """A person (or service account) with a role; an email and a console
    password are optional (single sign-on users need none)."""
    form = {"username": username, "role": role, "email": email, "display_name": display_name}
    field = "role"
    try:
        with _unit(request, actor) as uow:
            users.parse_role(role)
            field = "username"
            user = users.create(uow, username=username, role=role,
                                display_name=display_name.strip())
            if email.strip():
                field = "email"
                users.set_email(uow, user=user, email=email)
            if password:
                field = "password"
                passwords.set_password(uow, user=user, password=password)
            created = user.username
    except Problem as problem:
        return _users(request, actor, form=form, errors={field: problem.detail},
                      status=_status(problem))
    return see_other(f"/settings/users/{created}")


@router.get("/settings/users/{username}")
def user_page(request: Request, username: str, actor: UserAdmin) -> Response:
    return _user(request, actor, username, form={}, errors={})


def _user(request: Request, actor: Actor, username: str, *, form: dict[str, str],
          errors: dict[str, str], status: int = 200) -> Response:
    with request.app.state.database.read() as session:
        user = users.get_by_username_or_raise(session, username=username)
        tokens = users.get_tokens(session, user=user)
        session.expunge_all()
    return _screen(request, actor, "settings_user.html", {
        "user": user, "tokens": tokens, "now": request.app.state.clock.now(), "form": form,
        "errors": errors}, status=status)


def _change(request: Request, actor: Actor, username: str, field: str, change: Any, *,
            form: dict[str, str] | None = None) -> Response:
    """Run ``change(uow, user)``; on a refusal show the user's page with the
    sentence by ``field``."""
    try:
        with _unit(request, actor) as uow:
            change(uow, users.get_by_username_or_raise(uow.session, username=username))
    except Problem as problem:
        if problem.status == 404:
            raise
        return _user(request, actor, username, form=form or {},
                     errors={field: problem.detail}, status=_status(problem))
    token_cache(request).clear()  # a role change or a disabled owner holds at once
    return see_other(f"/settings/users/{username}")


@router.post("/settings/users/{username}/role", dependencies=CSRF)
def change_role(request: Request, username: str, actor: UserAdmin,
                role: Annotated[str, Form(max_length=20)] = "") -> Response:
    return _change(request, actor, username, "role",
                   lambda uow, user: users.update(uow, user=user, role=role))


@router.post("/settings/users/{username}/email", dependencies=CSRF)
def change_email(request: Request, username: str, actor: UserAdmin,
                 email: Annotated[str, Form(max_length=320)] = "") -> Response:
    """Set the address (checked as ``warroom user set-email`` checks it), or
    clear it with an empty field."""
    def change(uow: Any, user: Any) -> None:
        if email.strip():
            users.set_email(uow, user=user, email=email)
        else:
            users.update(uow, user=user, email="")

    return _change(request, actor, username, "email", change, form={"email": email})


@router.post("/settings/users/{username}/active", dependencies=CSRF)
def change_active(request: Request, username: str, actor: UserAdmin,
                  active: Annotated[str, Form(pattern="^(yes|no)$")] = "no") -> Response:
    """Disable (their console sessions end, their tokens stop working) or enable."""
    def change(uow: Any, user: Any) -> None:
        if active == "no" and user.id == actor.user_id:
            raise Conflict("You cannot disable your own account; ask another admin.")
        users.update(uow, user=user, is_active=active == "yes")

    return _change(request, actor, username, "active", change)


@router.post("/settings/users/{username}/password", dependencies=CSRF)
def change_password(request: Request, username: str, actor: UserAdmin,
                    password: Annotated[str, Form(max_length=1024)] = "") -> Response:
    """A console password (their other sessions end); never logged or audited."""
    return _change(request, actor, username, "password",
                   lambda uow, user: passwords.set_password(uow, user=user, password=password))


# ---- tokens -------------------------------------------------------------------


@router.get("/settings/tokens")
def tokens_page(request: Request, actor: UserAdmin) -> Response:
    return _tokens(request, actor, form={}, errors={})


def _tokens(request: Request, actor: Actor, *, form: dict[str, str], errors: dict[str, str],
            issued: dict[str, Any] | None = None, status: int = 200) -> Response:
    with request.app.state.database.read() as session:
        owners = users.usernames(session)
        rows = [{"token": t, "owner": owners.get(t.user_id, "?")}
                for t in users.get_tokens(session)]
        people = [u.username for u in users.get_all(session)]
        session.expunge_all()
    return _screen(request, actor, "settings_tokens.html", {
        "rows": rows, "people": people, "form": form, "errors": errors, "issued": issued,
        "now": request.app.state.clock.now()}, status=status,
        headers=SECRET_PAGE if issued else None)


@router.post("/settings/tokens", dependencies=CSRF)
def create_token(request: Request, actor: UserAdmin,
                 name: Annotated[str, Form(max_length=100)] = "",
                 username: Annotated[str, Form(max_length=64)] = "",
                 role: Annotated[str, Form(max_length=20)] = "",
                 expires: Annotated[str, Form(max_length=20)] = "") -> Response:
    """Issue a token; its secret is on this one answer. Its role is at most
    its owner's and the issuing admin's (the service's rule)."""
    form = {"name": name, "username": username, "role": role, "expires": expires}
    field = "name"
    try:
        with _unit(request, actor) as uow:
            if not name.strip():
                raise Problem("Name the token after what uses it, such as ci-deploy.",
                              status=400, title="Bad Request")
            field = "expires"
            expires_at = _end_of_day(expires) if expires.strip() else None
            field = "username"
            owner = users.get_by_username_or_raise(uow.session,
                                                   username=username.strip() or actor.name)
            field = "role"
            issued = users.issue_token(uow, user=owner, name=name.strip(), role=role or None,
                                       expires_at=expires_at, issuer_role=actor.role)
            shown = {"secret": issued.secret, "name": issued.token.name,
                     "owner": owner.username, "role": issued.token.role}
    except Problem as problem:
        if field == "role" and problem.status == 422 and "expiry" in problem.detail:
            field = "expires"
        return _tokens(request, actor, form=form, errors={field: problem.detail},
                       status=_status(problem))
    return _tokens(request, actor, form={}, errors={}, issued=shown, status=201)


def _end_of_day(text: str) -> datetime:
    """A date field's value: the token works until the end of that day, UTC."""
    try:
        day = datetime.fromisoformat(text.strip()).date()
    except ValueError:
        raise Problem("Give the expiry as a date, such as 2027-01-31.", status=400,
                      title="Bad Request") from None
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


@router.post("/settings/tokens/{token_id}/revoke", dependencies=CSRF)
def revoke_token(request: Request, token_id: int, actor: UserAdmin) -> Response:
    try:
        with _unit(request, actor) as uow:
            users.revoke_token(uow, token_id=token_id)
    except Problem as problem:
        return _tokens(request, actor, form={}, errors={f"token-{token_id}": problem.detail},
                       status=_status(problem))
    token_cache(request).clear()
    return see_other("/settings/tokens")


# ---- integrations -------------------------------------------------------------


@router.get("/settings/integrations")
def integrations_page(request: Request, actor: RoutingAdmin) -> Response:
    return _integrations(request, actor, form={}, errors={})


def _integrations(request: Request, actor: Actor, *, form: dict[str, str],
                  errors: dict[str, str], issued: dict[str, str] | None = None,
                  status: int = 200) -> Response:
    with request.app.state.database.read() as session:
        rows = [{"row": i, "url": integrations.url(i)} for i in integrations.get_all(session)]
        session.expunge_all()
    return _screen(request, actor, "settings_integrations.html", {
        "rows": rows, "kinds": integrations.KINDS, "form": form, "errors": errors,
        "issued": issued}, status=status, headers=SECRET_PAGE if issued else None)


@router.post("/settings/integrations", dependencies=CSRF)
def create_integration(request: Request, actor: RoutingAdmin,
                       name: Annotated[str, Form(max_length=100)] = "",
                       kind: Annotated[str, Form(max_length=20)] = "") -> Response:
    """A secret intake URL (or PagerDuty routing key) for one tool, shown once."""
    form = {"name": name, "kind": kind}
    try:
        wanted = IntegrationIn.model_validate({"name": name.strip(), "kind": kind})
    except ValidationError as error:
        field = str(error.errors()[0]["loc"][0]) if error.errors()[0]["loc"] else "name"
        sentence = (f"Pick the kind of tool: {', '.join(integrations.KINDS)}." if field == "kind"
                    else "Name it with letters, digits, '.', '_' or '-' (up to 100), "
                         "starting with a letter or digit, such as prometheus-eu.")
        return _integrations(request, actor, form=form, errors={field: sentence}, status=422)
    try:
        with _unit(request, actor) as uow:
            made = integrations.create(uow, name=wanted.name, kind=wanted.kind)
            shown = {"name": made.integration.name, "kind": made.integration.kind,
                     "key": made.key, "url": integrations.url(made.integration, made.key)}
    except Problem as problem:
        return _integrations(request, actor, form=form, errors={"name": problem.detail},
                             status=_status(problem))
    return _integrations(request, actor, form={}, errors={}, issued=shown, status=201)


@router.post("/settings/integrations/{integration_id}/revoke", dependencies=CSRF)
def revoke_integration(request: Request, integration_id: int, actor: RoutingAdmin) -> Response:
    try:
        with _unit(request, actor) as uow:
            integrations.revoke(uow, integration_id=integration_id)
    except Problem as problem:
        return _integrations(request, actor, form={},
                             errors={f"integration-{integration_id}": problem.detail},
                             status=_status(problem))
    return see_other("/settings/integrations")


# ---- routing rules ------------------------------------------------------------


@router.get("/settings/routing")
def routing_page(request: Request, actor: RoutingAdmin) -> Response:
    return _routing(request, actor, payload=EXAMPLE, errors={})


def _routing(request: Request, actor: Actor, *, payload: str, errors: dict[str, str],
             results: list[dict[str, Any]] | None = None, status: int = 200) -> Response:
    with request.app.state.database.read() as session:
        try:
            ruleset = rulebook.current(session,
                                       generation=switches.read(session).rules_generation)
            positions = {r.name: r.position for r in rulebook.records(session)}
            rules = [{"order": n + 1, "rule": r, "position": positions.get(r.name)}
                     for n, r in enumerate(ruleset.rules)]
            shadowed = ruleset.shadowed
        except Problem as problem:
            rules, shadowed = [], []
            errors = {**errors, "rules": problem.detail}
    return _screen(request, actor, "settings_routing.html", {
        "rules": rules, "shadowed": shadowed, "payload": payload, "errors": errors,
        "results": results}, status=status)


@router.post("/settings/routing/test", dependencies=CSRF)
def test_payload(request: Request, actor: RoutingAdmin,
                 payload: Annotated[str, Form(max_length=200_000)] = "") -> Response:
    """Which rule a pasted payload matches and what it would open; nothing
    is stored, paged or opened (it only reads the rules)."""
    try:
        parsed = json.loads(payload)
    except ValueError as error:
        return _routing(request, actor, payload=payload, status=400, errors={
            "payload": f"This is not valid JSON (line {getattr(error, 'lineno', 1)}, column "
                       f"{getattr(error, 'colno', 1)}): paste the body the tool sends."})
    try:
        with request.app.state.database.read() as session:
            results = trial.explain_payload(session, parsed)
    except Problem as problem:
        return _routing(request, actor, payload=payload, errors={"payload": problem.detail},
                        status=_status(problem))
    return _routing(request, actor, payload=payload, errors={}, results=results)
