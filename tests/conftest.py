"""Fixtures shared by every test.

Every test that asks for ``database`` runs twice: on SQLite and on the
PostgreSQL cluster that ``make test`` starts (``WARROOM_TEST_PG_URL``). Each
test gets a fresh, migrated database: a copy of a template file on SQLite, a
``CREATE DATABASE ... TEMPLATE`` on PostgreSQL. Time is a :class:`FrozenClock`
that tests move; nothing sleeps to wait for a timer.
"""

from __future__ import annotations

import itertools
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from warroom import clock as clock_module
from warroom import config, registry
from warroom.app import create_app
from warroom.auth import service as users
from warroom.auth.permissions import ROLE_ORDER
from warroom.clock import FrozenClock
from warroom.db import Actor, Database, UnitOfWork, migrate, set_database

if TYPE_CHECKING:
    from collections.abc import Iterator

    from warroom.config import Settings

pytest_plugins = ["tests.support.fixtures"]

PG_URL = os.environ.get("WARROOM_TEST_PG_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
ON_POSTGRESQL = pytest.mark.parametrize("backend", [b for b in BACKENDS if b == "postgresql"],
                                        indirect=True)
"""For a test about what only PostgreSQL does (two writers at once, pg_dump):
it runs on the PostgreSQL backend alone, as ``make test`` always provides."""
_counter = itertools.count()


def pytest_report_header() -> list[str]:
    if PG_URL:
        return [f"databases: sqlite and postgresql ({make_url(PG_URL).render_as_string()})"]
    return ["databases: sqlite only (set WARROOM_TEST_PG_URL, as `make test` does, for "
            "postgresql too)"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    migrate(database)
    database.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    if not PG_URL:
        yield None
        return
    name = f"warroom_template_{os.getpid()}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    template = Database(_pg_url(name))
    migrate(template)
    template.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, tmp_path: Path, sqlite_template: Path,
                 pg_template: str | None) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / "warroom.db"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    name = f"warroom_t{os.getpid()}_{next(_counter)}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    yield _pg_url(name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    frozen = FrozenClock()
    with clock_module.using(frozen):
        yield frozen


@pytest.fixture
def settings(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
             ) -> Iterator[Settings]:
    monkeypatch.setenv("WARROOM_DATABASE_URL", database_url)
    monkeypatch.setenv("WARROOM_SECRET_KEY", "test-secret-key-not-for-production")
    monkeypatch.setenv("WARROOM_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("WARROOM_TOKEN_CACHE_SECONDS", "0")
    monkeypatch.setenv("WARROOM_SMTP_TIMEOUT_SECONDS", "5")
    monkeypatch.setenv("WARROOM_WEBHOOK_TIMEOUT_SECONDS", "5")
    # Local receivers stand in for Slack, gateways and webhooks on loopback.
    monkeypatch.setenv("WARROOM_OUTBOUND_ALLOW", "127.0.0.0/8,::1")
    # Closing needs no review here; tests/reviews puts the shipped policy back.
    monkeypatch.setenv("WARROOM_REVIEWS_POLICY_FILE",
                       str(Path(__file__).parent / "support" / "reviews-close-freely.yaml"))
    config.reset()
    yield config.get_settings()
    config.reset()


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    registry.connect_all()
    db = Database(settings.database_url, pool_size=5)
    set_database(db)
    yield db
    set_database(None)
    db.dispose()


@pytest.fixture
def app(database: Database, settings: Settings, clock: FrozenClock):
    return create_app(settings=settings, database=database, clock=clock)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@dataclass
class People:
    """One user and token per role, plus headers ready for requests."""

    tokens: dict[str, str]

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    @property
    def admin(self) -> dict[str, str]:
        return self.headers("admin")


@pytest.fixture
def people(database: Database, clock: FrozenClock) -> People:
    tokens = {}
    with database.unit_of_work(Actor(name="setup", kind="system"), clock=clock) as uow:
        for role in ROLE_ORDER:
            user = users.create(uow, username=role.value, role=role.value,
                                email=f"{role.value}@example.com")
            tokens[role.value] = users.issue_token(uow, user=user, name="test").secret
    return People(tokens=tokens)


@pytest.fixture
def work(database: Database, clock: FrozenClock):
    """``with work() as uow:`` opens a unit of work acting as the admin user."""

    def open_unit(actor: Actor | None = None) -> UnitOfWork:
        return database.unit_of_work(actor or Actor(name="admin", kind="user", role="admin"),
                                     clock=clock)

    return open_unit


def _pg_url(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
