"""``warroom backup`` and ``warroom restore``: a consistent copy of the whole
database, taken while warroom runs, and put back into an empty database.

SQLite is copied with its online backup API, which reads a consistent
snapshot page by page while writers carry on (copying the file itself could
catch a half-written page or miss what is still in the ``-wal`` file).
PostgreSQL is dumped with ``pg_dump -Fc`` (one snapshot, compressed, restored
selectively by ``pg_restore``), without owners or privileges so that the dump
restores under whichever role the new server gives warroom. The URL's
credentials reach ``pg_dump`` and ``pg_restore`` through the environment
(``PGPASSWORD`` and friends), never on a command line that ``ps`` shows or a
log records.

A restore refuses a target that already holds tables unless told to replace
them: restoring over a live database by mistake is the one way a recovery
step could destroy what it meant to recover. After a restore the audit chain
is verified, so the operator knows at once whether the copy they restored is
the untampered one ("restore from clean backup").
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from warroom.errors import Invalid

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"

_LIBPQ_QUERY = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
                "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
                "target_session_attrs": "PGTARGETSESSIONATTRS",
                "connect_timeout": "PGCONNECT_TIMEOUT", "options": "PGOPTIONS"}
"""URL query parameters that libpq also reads from the environment."""


@dataclass(frozen=True)
class Done:
    """What a backup or restore did, in one sentence for the operator."""

    message: str


def backup(url: str, target: Path) -> Done:
    """Write a consistent copy of the database at ``url`` to ``target``.

    The copy is written beside the target under a temporary name, readable by
    its owner only (it holds people's contact details), and renamed into
    place when complete, so an interrupted backup never leaves a truncated
    file under the name a restore would use."""
    parsed = make_url(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, draft_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(descriptor)
    draft = Path(draft_name)
    os.chmod(draft, 0o600)
    try:
        if parsed.get_backend_name() == "sqlite":
            _sqlite_copy(_sqlite_path(parsed), draft)
        else:
            _run_pg(["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(draft)],
                    parsed)
        os.replace(draft, target)
    finally:
        draft.unlink(missing_ok=True)
    size = target.stat().st_size
    return Done(f"backed up {_safe(parsed)} to {target} ({size} bytes)")


def restore(url: str, source: Path, *, force: bool = False) -> Done:
    """Put the backup ``source`` into the database at ``url``, which must be
    empty unless ``force`` (then its tables are replaced)."""
    parsed = make_url(url)
    if not source.is_file():
        raise Invalid(f"{source} is not a readable backup file.")
    with source.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if parsed.get_backend_name() == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise Invalid(f"{source} is not an SQLite backup, and the database to restore "
                          "into is SQLite: restore a PostgreSQL dump into PostgreSQL.")
        path = _sqlite_path(parsed)
        _refuse_non_empty(_sqlite_tables(path), _safe(parsed), force)
        _sqlite_copy(source, path)
    else:
        if not head.startswith(PG_DUMP_MAGIC):
            raise Invalid(f"{source} is not a pg_dump custom-format backup, and the database "
                          "to restore into is PostgreSQL: restore an SQLite backup into "
                          "SQLite.")
        _refuse_non_empty(_pg_tables(url), _safe(parsed), force)
        options = ["--clean", "--if-exists"] if force else []
        _run_pg(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                 "--single-transaction", *options, "-d", parsed.database or "", str(source)],
                parsed)
    return Done(f"restored {source} into {_safe(parsed)}")


def _refuse_non_empty(tables: list[str], where: str, force: bool) -> None:
    if tables and not force:
        shown = ", ".join(sorted(tables)[:5]) + (" ..." if len(tables) > 5 else "")
        raise Invalid(f"{where} is not empty ({len(tables)} tables: {shown}): restore into an "
                      "empty database, or pass --force to replace what it holds.")


def _sqlite_path(parsed: URL) -> Path:
    name = parsed.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise Invalid("An in-memory SQLite database has nothing to back up or restore: "
                      "set WARROOM_DATABASE_URL to a file.")
    return Path(name)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy with SQLite's online backup API (a consistent snapshot)."""
    if not source.is_file():
        raise Invalid(f"There is no SQLite database at {source}.")
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    reader = sqlite3.connect(source)
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)
    finally:
        writer.close()
        reader.close()


def _sqlite_tables(path: Path) -> list[str]:
    if not path.is_file():
        return []
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                  "AND name NOT LIKE 'sqlite_%'").fetchall()
    finally:
        connection.close()
    return [row[0] for row in rows]


def _pg_tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(text(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")))
    finally:
        engine.dispose()


def pg_environment(parsed: URL) -> dict[str, str]:
    """libpq's environment for the URL: host, port, user, password and
    database never appear on the command line. What the URL names wins over
    the inherited environment; what it leaves out (a ``PGPASSFILE``, TLS
    files) is inherited."""
    env = dict(os.environ)
    fields = {"PGHOST": parsed.host, "PGPORT": parsed.port, "PGUSER": parsed.username,
              "PGPASSWORD": parsed.password, "PGDATABASE": parsed.database}
    for key, value in fields.items():
        if value is not None and value != "":
            env[key] = str(value)
    for name, given in parsed.query.items():
        variable = {"host": "PGHOST", "port": "PGPORT"}.get(name) or _LIBPQ_QUERY.get(name)
        if variable:
            env[variable] = given if isinstance(given, str) else ",".join(given)
    return env


def _run_pg(argv: list[str], parsed: URL) -> None:
    tool = argv[0]
    if shutil.which(tool) is None:
        raise Invalid(f"{tool} is not installed: install PostgreSQL's client programs "
                      "(Debian: postgresql-client) in the same major version as the server.")
    done = subprocess.run(argv, env=pg_environment(parsed), capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()
        raise Invalid(f"{tool} failed (exit {done.returncode}): "
                      f"{reason[-1] if reason else 'no message'}")


def _safe(parsed: URL) -> str:
    return parsed.render_as_string(hide_password=True)
