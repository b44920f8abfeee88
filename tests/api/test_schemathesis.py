"""A bounded Schemathesis pass against a real ``warroom serve``: a few
generated requests per operation (fixed seed) with an admin token and with a
viewer token on SQLite, and with the admin token on a fresh PostgreSQL
database (with WARROOM_TEST_PG_URL). Any 5xx, or a response that does not
match the OpenAPI document, fails the test."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import BACKENDS, PG_URL
from tests.support.receivers import free_port
from tests.support.serve import serving
from warroom.db import Database, migrate

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SEED = "20261201"
EXAMPLES = "3"
RUN_TIMEOUT = 420  # a guard against a hung run; a quiet machine needs well under a minute
# revoking tokens (every one, or one by a guessable id) would lock the pass out
ADMIN_EXCLUDES = ["/api/v1/admin/security/rotate-keys", "/api/v1/tokens/{token_id}"]


@dataclass
class Server:
    url: str
    tokens: dict[str, str]
    workdir: Path


# token roles per database, in order: the admin pass writes, then the viewer
# reads what it left. PostgreSQL gets the admin pass only: the viewer's reads
# and refusals are the same on both databases.
ROLES = {"sqlite": ("admin", "viewer"), "postgresql": ("admin",)}


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    with _database(request.param, workdir) as url:
        env = _environment(url, workdir)
        migrated = Database(url)
        migrate(migrated)
        migrated.dispose()
        tokens = {role: _cli(env, "token", "create", "--name", f"fuzz-{role}", "--role", role)
                  for role in ROLES[request.param]}
        yield from _serve(env, tokens, workdir)


@pytest.mark.e2e
def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(server):
    failed = [_fuzz(server, role) for role in server.tokens]
    assert not any(failed), "\n\n".join(filter(None, failed)) + _server_log(server)


def _fuzz(server: Server, role: str) -> str:
    """One Schemathesis pass with the role's token; its report if it failed."""
    command = [str(BIN / "schemathesis"), "run", str(server.workdir / "openapi.json"),
               "--url", server.url, "-H", f"Authorization: Bearer {server.tokens[role]}",
               "--seed", SEED, "--max-examples", EXAMPLES, "--phases", "fuzzing",
               "--checks", "not_a_server_error,response_schema_conformance",
               "--workers", "2", "--request-timeout", "20", "--generation-database", "none",
               "--no-color", "--output-truncate", "true"]
    if role == "admin":
        for path in ADMIN_EXCLUDES:
            command += ["--exclude-path", path]
    run = subprocess.run(command, cwd=server.workdir, capture_output=True,
                         text=True, timeout=RUN_TIMEOUT)
    if run.returncode != 0 or " passed" not in run.stdout:
        return f"--- {role} pass ---\n" + run.stdout[-12000:] + run.stderr[-3000:]
    return ""


class _database:
    """A fresh database for the server: a file on SQLite, a new database on
    PostgreSQL (dropped afterwards)."""

    def __init__(self, backend: str, workdir: Path) -> None:
        self.backend, self.workdir = backend, workdir
        self.name = f"warroom_fuzz_{os.getpid()}"

    def __enter__(self) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.workdir / 'warroom.db'}"
        with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}"'))
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        return make_url(PG_URL).set(database=self.name).render_as_string(hide_password=False)

    def __exit__(self, *exc: object) -> None:
        if self.backend != "sqlite":
            admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            admin.dispose()


def _environment(url: str, workdir: Path) -> dict[str, str]:
    return {**os.environ, "WARROOM_DATABASE_URL": url, "WARROOM_HOST": "127.0.0.1",
            "WARROOM_PORT": str(free_port()), "WARROOM_DATA_DIR": str(workdir / "var"),
            "WARROOM_SECRET_KEY": "fuzzing-secret-key-not-for-production",
            "WARROOM_LOG_LEVEL": "warning"}


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(BIN / "warroom"), *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def _serve(env: dict[str, str], tokens: dict[str, str], workdir: Path) -> Iterator[Server]:
    server = Server(f"http://127.0.0.1:{env['WARROOM_PORT']}", tokens, workdir)
    with serving(["--no-migrate"], env=env, log=workdir / "warroom.log", url=server.url):
        document = httpx.get(server.url + "/openapi.json", timeout=120)
        (workdir / "openapi.json").write_bytes(document.raise_for_status().content)
        yield server


def _server_log(server: Server) -> str:
    log = server.workdir / "warroom.log"
    return "\n--- server log ---\n" + log.read_text()[-6000:] if log.exists() else ""
