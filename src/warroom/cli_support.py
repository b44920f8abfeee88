"""What every domain's CLI commands share: the database, the acting person,
JSON or table output, and turning domain errors into a sentence and exit code.

Everything printed goes through :func:`echo`, :func:`safe` or the table and
JSON helpers here, which escape what came from outside (an alert title is
written by whoever sends alerts): control characters and bidirectional
overrides become visible escapes, and rich markup in the text is not obeyed."""

from __future__ import annotations

import functools
import getpass
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from warroom import clock
from warroom.auth import service as users
from warroom.db import Actor, UnitOfWork, get_database
from warroom.errors import Problem
from warroom.text import for_terminal

console = Console()
error_console = Console(stderr=True)
P = ParamSpec("P")
R = TypeVar("R")

AS_USER = typer.Option(None, "--as", help="Act as this warroom user (recorded in the audit "
                       "log); defaults to the operating-system user.")
JSON_OUT = typer.Option(False, "--json", help="Print JSON for scripts instead of a table.")


def cli_actor(as_user: str | None) -> Actor:
    if as_user:
        with get_database().read() as session:
            user = users.get_by_username_or_raise(session, username=as_user)
            return Actor(name=user.username, kind="user", user_id=user.id, role=user.role)
    return Actor(name=_os_user(), kind="cli", role="admin")


@contextmanager
def unit(as_user: str | None = None) -> Iterator[UnitOfWork]:
    with get_database().unit_of_work(cli_actor(as_user), clock=clock.current()) as uow:
        yield uow


@contextmanager
def reading() -> Iterator[Session]:
    with get_database().read() as session:
        yield session


def handles_problems(command: Callable[P, R]) -> Callable[P, R]:
    """Print a domain error as one line and exit 1, instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except Problem as problem:
            error_console.print(f"[red]error:[/red] {safe(problem.detail)}")
            raise typer.Exit(1) from None

    return wrapper


def echo(message: object = "", **options: Any) -> None:
    """``typer.echo`` for a line that may hold outside text (escaped)."""
    typer.echo(for_terminal(str(message)), **options)


def safe(value: object) -> str:
    """Outside text for ``console.print``: escaped, and its ``[markup]`` shown
    as written instead of obeyed."""
    return escape(for_terminal(str(value)))


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(_plain(data), indent=2, default=str) + "\n")


def emit_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = Table(title=None if title is None else safe(title), header_style="bold")
    for column in columns:
        table.add_column(safe(column))
    for row in rows:
        table.add_row(*[safe(_cell(value)) for value in row])
    console.print(table)


def _plain(data: Any) -> Any:
    if isinstance(data, BaseModel):
        return data.model_dump(mode="json")
    if isinstance(data, list):
        return [_plain(item) for item in data]
    if isinstance(data, dict):
        return {key: _plain(value) for key, value in data.items()}
    return data


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
    return str(value)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
