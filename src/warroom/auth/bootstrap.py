"""First start: hand the bootstrap admin token and console password over
without logging them, and make sure someone hears about messages that cannot
be delivered.

The token is written to ``<data_dir>/admin-token`` and the password to
``<data_dir>/admin-password`` (owner-only), and both are printed only when the
output is a terminal: output redirected to a file or a journal is a log, and
a log keeps an admin credential for as long as it is kept.
"""

from __future__ import annotations

import os
import secrets
from typing import TYPE_CHECKING

import typer

from warroom.auth import passwords
from warroom.auth import service as users
from warroom.db import SYSTEM, Database
from warroom.errors import Invalid

if TYPE_CHECKING:
    from pathlib import Path

    from warroom.auth.service import IssuedToken
    from warroom.config import Settings

TOKEN_FILE = "admin-token"
PASSWORD_FILE = "admin-password"


def first_start(settings: Settings, database: Database, *, interactive: bool) -> None:
    """Create the admin on an empty database, hand over its token, ask for
    its email address (on a terminal), and say if dead letters reach nobody."""
    password = passwords.generate()
    with database.unit_of_work(SYSTEM) as uow:
        issued = users.bootstrap_admin(uow, username=settings.admin_username)
        if issued is not None:
            passwords.set_password(uow, user=issued.token.user, password=password)
    if issued is None:
        typer.echo(f"warroom is serving at {settings.base_url}")
    else:
        hand_over(issued, settings, interactive=interactive, password=password)
        if interactive:
            ask_for_email(database, settings.admin_username)
    with database.read() as session:
        warning = users.unreachable_admins(session)
    if warning:
        typer.echo(f"warning: {warning}", err=True)


def hand_over(issued: IssuedToken, settings: Settings, *, interactive: bool,
              password: str | None = None) -> Path:
    path = write_token_file(settings.data_dir / TOKEN_FILE, issued.secret)
    if password is not None:
        password_path = write_token_file(settings.data_dir / PASSWORD_FILE, password)
    lines = [f"\nwarroom is ready at {settings.base_url}",
             f"admin user: {settings.admin_username}"]
    if interactive:
        lines += [f"admin API token (shown once, store it now): {issued.secret}",
                  f"also written to {path} (readable only by you); delete it once stored",
                  "", f"  export ADMIN_TOKEN={issued.secret}"]
    else:
        lines += [f"admin API token written to {path} (readable only by you; not printed, "
                  "because this output is not a terminal)", "",
                  f'  export ADMIN_TOKEN="$(cat {path})"']
    lines += ['  curl -H "Authorization: Bearer $ADMIN_TOKEN" '
              f"{settings.base_url}/api/v1/incidents"]
    if password is not None:
        lines += ["", f"console: sign in at {settings.base_url}/sign-in as "
                  f"{settings.admin_username}"]
        if interactive:
            lines += [f"admin console password (shown once): {password}",
                      f"also written to {password_path} (readable only by you); change it "
                      f"with `warroom user set-password {settings.admin_username}`"]
        else:
            lines += [f"admin console password written to {password_path} (readable only "
                      "by you; not printed, because this output is not a terminal); change "
                      f"it with `warroom user set-password {settings.admin_username}`"]
    lines.append("")
    typer.echo("\n".join(lines))
    return path


def write_token_file(path: Path, secret: str) -> Path:
    """Write ``secret`` to ``path`` with mode 0600 whatever the umask,
    replacing any earlier file in one step."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, (secret + "\n").encode())
    finally:
        os.close(descriptor)
    os.replace(draft, path)
    return path.resolve()


def ask_for_email(database: Database, username: str) -> None:
    """Ask until a valid address or an empty answer (skip)."""
    while True:
        answer = typer.prompt(f"Email address for {username} (undeliverable messages and "
                              "paging problems are sent there; empty to skip)",
                              default="", show_default=False).strip()
        if not answer:
            return
        try:
            with database.unit_of_work(SYSTEM) as uow:
                user = users.get_by_username_or_raise(uow.session, username=username)
                users.set_email(uow, user=user, email=answer)
        except Invalid as problem:
            typer.echo(problem.detail, err=True)
            continue
        typer.echo(f"{username} will be emailed at {answer}")
        return
