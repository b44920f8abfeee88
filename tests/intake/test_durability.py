"""A receiver answers 2xx only after committing; with the database gone it
answers 503 so the sender retries, and the retry stores everything once; and
what was answered 2xx is still there after the server holding the data is
killed with SIGKILL.

On PostgreSQL these tests run on a cluster of their own, started durably
(``fsync``, ``synchronous_commit`` and ``full_page_writes`` on, as in
production) by ``scripts/pg-cluster.sh``, so that killing it proves what a
deployment gets, and so that killing it disturbs no other test.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL
from tests.intake.conftest import am_alert, am_webhook
from tests.support.prometheus import eventually
from tests.support.receivers import free_port
from warroom.db import Database, migrate
from warroom.intake.models import Alert

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "pg-cluster.sh"
TEMPLATE = "warroom_durable_template"
_numbers = itertools.count()


@dataclass
class Cluster:
    """A PostgreSQL cluster these tests own, and may kill."""

    folder: Path
    url: str

    def run(self, action: str, *args: str) -> str:
        return subprocess.run(["bash", str(SCRIPT), action, str(self.folder / "pg"), *args],
                              check=True, capture_output=True, text=True).stdout.strip()

    def setting(self, name: str) -> str:
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return str(conn.execute(text(f"SHOW {name}")).scalar_one())
        finally:
            engine.dispose()

    def database_url(self, name: str) -> str:
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def durable_pg() -> Iterator[Cluster | None]:
    if not PG_URL:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="warroom-durable-"))
    folder.chmod(0o755)  # the server runs as the postgres account when tests run as root
    cluster = Cluster(folder, "")
    try:
        cluster.url = cluster.run("start", "durable")
        admin = create_engine(cluster.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{TEMPLATE}"'))
        admin.dispose()
        template = Database(cluster.database_url(TEMPLATE))
        migrate(template)
        template.dispose()
        yield cluster
    finally:
        cluster.run("stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, sqlite_template: Path,
                 durable_pg: Cluster | None) -> Iterator[str]:
    """As the suite's, but PostgreSQL databases are made in the durable cluster
    (dropped with it at the end of the module)."""
    if backend == "sqlite":
        path = tmp_path / "warroom.db"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    assert durable_pg is not None
    name = f"durable_{next(_numbers)}"
    admin = create_engine(durable_pg.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"'))
    admin.dispose()
    yield durable_pg.database_url(name)


@contextmanager
def database_down(database):
    """Really take the database away: the SQLite file's directory entry is
    replaced by a folder; PostgreSQL refuses connections to the database."""
    database.engine.dispose()
    if database.is_sqlite:
        path = Path(make_url(database.url).database)
        files = [Path(f"{path}{suffix}") for suffix in ("", "-wal", "-shm")]
        for file in files:
            if file.exists():
                os.rename(file, f"{file}.away")
        path.mkdir()
        try:
            yield
        finally:
            database.engine.dispose()
            path.rmdir()
            for file in files:
                if Path(f"{file}.away").exists():
                    os.rename(f"{file}.away", file)
        return
    name = make_url(database.url).database
    admin = create_engine(make_url(database.url).set(database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
    try:
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
        database.engine.dispose()


def test_database_down_is_503_and_the_retry_stores_once(client, people, database, send):
    body = am_webhook(am_alert("WebSocketServiceDown", instance="ws-1"),
                      am_alert("WebSocketServiceDown", instance="ws-2"))
    headers = people.headers("responder")
    with database_down(database):
        answer = client.post("/api/v1/alerts/alertmanager", json=body, headers=headers)
        assert answer.status_code == 503
        assert answer.headers["retry-after"]
        assert answer.headers["content-type"].startswith("application/problem+json")
    retried = client.post("/api/v1/alerts/alertmanager", json=body, headers=headers)
    assert retried.status_code == 200, retried.text
    assert (retried.json()["new"], retried.json()["incidents_opened"]) == (2, ["INC-1"])
    assert len(send.alerts()) == 2 and len(send.incidents()) == 1


def test_a_retry_after_a_lost_answer_is_a_repeat(send):
    """The sender could not know the first delivery committed; sending it
    again changes counters only."""
    alerts = [am_alert("WebSocketMessageLoss", instance=f"ws-{n}") for n in range(3)]
    first = send.alertmanager(*alerts)
    second = send.alertmanager(*alerts)
    assert (first["new"], second["new"], second["repeated"]) == (3, 0, 3)
    assert len(send.alerts()) == 3 and len(send.incidents()) == 1
    assert len(send.timeline("INC-1", kind="alert")) == 1


def test_the_postgresql_these_tests_run_on_is_durable(backend, durable_pg, database):
    """The crash and outage tests prove nothing on a cluster that may lose
    what it acknowledged (the suite's shared cluster may run with fsync off)."""
    if backend == "sqlite":
        with database.read() as session:
            assert session.execute(text("PRAGMA synchronous")).scalar_one() == 2  # FULL
        return
    settings = {name: durable_pg.setting(name)
                for name in ("fsync", "synchronous_commit", "full_page_writes")}
    assert settings == {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    url: str


@contextmanager
def warroom_serve(database, settings, tmp_path) -> Iterator[Served]:
    """A real ``warroom serve`` on the test's database (API and worker)."""
    port = free_port()
    env = {**os.environ, "WARROOM_DATABASE_URL": database.url, "WARROOM_HOST": "127.0.0.1",
           "WARROOM_PORT": str(port), "WARROOM_DATA_DIR": str(tmp_path / "server"),
           "WARROOM_SECRET_KEY": settings.secret_key.get_secret_value(),
           "WARROOM_LOG_LEVEL": "warning"}
    log = tmp_path / "warroom.log"
    process = subprocess.Popen([str(Path(sys.executable).with_name("warroom")), "serve",
                                "--no-migrate"], env=env, cwd=ROOT, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT)

    def healthy() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"warroom exited: {log.read_text()[-2000:]}")
        try:
            return httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        eventually(healthy, timeout=120, what="warroom to serve")
        yield Served(process, f"http://127.0.0.1:{port}")
    finally:
        process.kill()
        process.wait()


def test_alerts_answered_2xx_survive_a_sigkill_of_the_server_holding_them(
        backend, durable_pg, database, settings, people, tmp_path):
    """SIGKILL right after the last 2xx: of warroom itself on SQLite (the
    database lives in its process), of every PostgreSQL process otherwise.
    Nothing answered 2xx may be missing once the server is back."""
    webhooks = [am_webhook(*(am_alert("WebSocketServiceDown", instance=f"ws-{n}-{m}")
                             for m in range(5))) for n in range(20)]
    with warroom_serve(database, settings, tmp_path) as server, \
            httpx.Client(base_url=server.url, headers=people.headers("responder"),
                         timeout=30) as http:
        for body in webhooks:
            answer = http.post("/api/v1/alerts/alertmanager", json=body)
            assert answer.status_code == 200, answer.text
        if backend == "sqlite":
            server.process.kill()
        else:
            assert durable_pg is not None
            durable_pg.run("crash")
            durable_pg.run("restart")
    database.dispose()
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 100
