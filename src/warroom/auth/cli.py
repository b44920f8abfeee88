"""``warroom user ...`` and ``warroom token ...``."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import typer

from warroom.auth import passwords, rotation, service
from warroom.cli_support import (
    JSON_OUT,
    echo,
    emit_json,
    emit_table,
    handles_problems,
    reading,
    unit,
)

users_app = typer.Typer(help="People who use warroom (and are paged by it).",
                        no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)
security_app = typer.Typer(help="Rotate warroom's own credentials after a compromise.",
                           no_args_is_help=True)
COMMANDS = {"user": users_app, "token": tokens_app, "security": security_app}


@users_app.command("create")
@handles_problems
def create_user(username: str, role: str = typer.Option("responder", help="viewer, "
                "responder, commander or admin"),
                name: str = typer.Option("", help="Display name."),
                email: str = typer.Option(None, help="Email address."),
                json_out: bool = JSON_OUT) -> None:
    """Add a user."""
    with unit() as uow:
        user = service.create(uow, username=username, role=role, display_name=name,
                              email=email)
    if json_out:
        emit_json({"username": user.username, "role": user.role, "id": user.id})
    else:
        echo(f"created {user.username} ({user.role})")


@users_app.command("list")
@handles_problems
def list_users(json_out: bool = JSON_OUT) -> None:
    """List users."""
    with reading() as session:
        rows = service.get_all(session, include_inactive=True)
        data = [{"username": u.username, "name": u.display_name, "role": u.role,
                 "email": u.email, "active": u.is_active} for u in rows]
    if json_out:
        emit_json(data)
    else:
        emit_table("Users", ["username", "name", "role", "email", "active"],
                   [list(d.values()) for d in data])


@users_app.command("set-role")
@handles_problems
def set_role(username: str, role: str) -> None:
    """Change a user's role."""
    with unit() as uow:
        user = service.get_by_username_or_raise(uow.session, username=username)
        service.update(uow, user=user, role=role)
    echo(f"{username} is now {role}")


@users_app.command("set-email")
@handles_problems
def set_email(username: str, email: str) -> None:
    """Set a user's email address (an admin's is where undeliverable messages
    are reported)."""
    with unit() as uow:
        user = service.get_by_username_or_raise(uow.session, username=username)
        service.set_email(uow, user=user, email=email)
    typer.echo(f"{username} will be emailed at {email.strip()}")


@users_app.command("set-password")
@handles_problems
def set_password(username: str,
                 password_stdin: bool = typer.Option(
                     False, "--password-stdin",
                     help="Read the password from the first line of standard input "
                          "(for scripts) instead of prompting twice."),
                 ) -> None:
    """Set a user's console password (their other console sessions end)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    with unit() as uow:
        user = service.get_by_username_or_raise(uow.session, username=username)
        passwords.set_password(uow, user=user, password=password)
    echo(f"{user.username} can now sign in to the console with that password")


@users_app.command("disable")
@handles_problems
def disable(username: str) -> None:
    """Disable a user: their tokens and console sessions stop working at once."""
    with unit() as uow:
        user = service.get_by_username_or_raise(uow.session, username=username)
        service.update(uow, user=user, is_active=False)
    echo(f"{username} is disabled")


@tokens_app.command("create")
@handles_problems
def create_token(name: str = typer.Option(..., "--name", help="What the token is for."),
                 role: str = typer.Option(None, "--role",
                                          help="viewer, responder, commander or admin "
                                          "(default: the --user's own role, else responder)"),
                 user: str = typer.Option(None, "--user", help="Issue for this existing user "
                                          "instead of a service account named after --name."),
                 expires: datetime = typer.Option(None, "--expires",
                                                  help="Expiry, e.g. 2027-01-01T00:00:00+00:00"),
                 ) -> None:
    """Create a token and print it alone on stdout (it is shown only once)."""
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    with unit() as uow:
        issued = service.service_account_token(uow, name=name, role=role, username=user,
                                               expires_at=expires)
    echo(issued.secret)


@tokens_app.command("list")
@handles_problems
def list_tokens(json_out: bool = JSON_OUT) -> None:
    """List tokens (never their secrets)."""
    with reading() as session:
        data = [{"id": t.id, "name": t.name, "user": t.user.username, "prefix": t.prefix,
                 "role": t.role, "expires_at": t.expires_at, "last_used_at": t.last_used_at,
                 "revoked_at": t.revoked_at} for t in service.get_tokens(session)]
    if json_out:
        emit_json(data)
    else:
        emit_table("API tokens", list(data[0].keys()) if data else ["id"],
                   [list(d.values()) for d in data])


@tokens_app.command("revoke")
@handles_problems
def revoke(token_id: int) -> None:
    """Revoke a token by id."""
    with unit() as uow:
        service.revoke_token(uow, token_id=token_id)
    echo(f"token {token_id} revoked")


@security_app.command("rotate-keys")
@handles_problems
def rotate_keys(integration_keys: bool = typer.Option(
                    False, "--integration-keys",
                    help="Also reissue every integration key (give the new ones to "
                         "your monitoring)."),
                reason: str = typer.Option("", "--reason", help="Why, for the audit log."),
                json_out: bool = JSON_OUT) -> None:
    """Revoke every API token, void every signed link sent so far, optionally
    reissue integration keys. Issue new tokens with `warroom token create`."""
    with unit() as uow:
        done = rotation.rotate(uow, rotation.RotationRequest(integration_keys=integration_keys,
                                                             reason=reason),
                               caller_token_id=None)
    data = {"revoked_tokens": done.revoked_tokens,
            "link_key_generation": done.link_key_generation, "reissued": done.reissued,
            "ended_sessions": done.ended_sessions}
    if json_out:
        emit_json(data)
        return
    echo(f"revoked {len(done.revoked_tokens)} API tokens; signed links sent before "
         f"now no longer work (key generation {done.link_key_generation}); "
         f"{done.ended_sessions} console sessions ended")
    for kind, items in done.reissued.items():
        for item in items:
            echo(f"{kind} {item.get('name')}: {item.get('url') or item.get('key')}")
