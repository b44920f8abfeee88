"""Engine, unit of work and migrations.

The caller (a route, a CLI command, a worker job) owns the transaction: it opens
a :class:`UnitOfWork`, calls services that add and flush, and the unit commits
once at the end. That is what lets "store the alert, open the incident, write
the timeline, queue the page" be one atomic change.

SQLite allows one writer at a time. Write units take a process-wide lock and
``BEGIN IMMEDIATE`` so that two writers queue up instead of failing half-way
with "database is locked"; read units use a plain deferred ``BEGIN``.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import orjson
from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from warroom import clock as clock_module
from warroom.config import get_settings

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from sqlalchemy.engine import Connection

    from warroom.clock import Clock

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _json_dumps(value: Any) -> str:
    """JSON columns (labels, timeline data, audit before/after) are written in
    bulk on every alert; orjson encodes them several times faster than the
    standard library."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite has no zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}
    if TYPE_CHECKING:
        # Every model here is mapped to a plain Table (no mapping to a join or a
        # select), and the set-based writers build insert()/update() from it.
        __table__: ClassVar[Table]


class HealthProbe(Base):
    """One row that :meth:`Database.check_writable` rewrites: a database that
    answers reads but refuses writes (disk full, read-only file or replica)
    would otherwise look healthy while every alert is refused."""

    __tablename__ = "health_probe"
    id: Mapped[int] = mapped_column(primary_key=True)
    checked_at: Mapped[datetime]


class Lease(Base):
    """A named, expiring claim one process holds (see :mod:`warroom.lease`):
    the node that keeps Slack's Socket Mode connection, for one."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime]
    acquired_at: Mapped[datetime]


@dataclass(frozen=True)
class Actor:
    """Who caused a change: a person with a token, the CLI, or the system itself."""

    name: str
    kind: str = "user"  # user | cli | system | integration
    user_id: int | None = None
    role: str | None = None
    token_id: int | None = None

    @property
    def label(self) -> str:
        return self.name if self.kind == "user" else f"{self.kind}:{self.name}"


SYSTEM = Actor(name="warroom", kind="system")


@dataclass
class UnitOfWork:
    """One transaction plus everything a service needs to record a change."""

    session: Session
    actor: Actor
    clock: Clock
    source_ip: str | None = None
    database: Database | None = None
    _before_commit: list[Callable[[UnitOfWork], None]] = field(default_factory=list)
    _after_commit: list[Callable[[], None]] = field(default_factory=list)
    _memo: dict[str, Any] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock.now()

    def before_commit(self, key: str, callback: Callable[[UnitOfWork], None]) -> None:
        """Run ``callback`` once just before commit (for example to seal the audit
        chain as late as possible, holding its lock for the shortest time)."""
        if key not in self._memo:
            self._memo[key] = True
            self._before_commit.append(callback)

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    def memo(self, key: str, default: Any) -> Any:
        return self._memo.setdefault(key, default)

    @property
    def is_sqlite(self) -> bool:
        return self.session.get_bind().dialect.name == "sqlite"


MAX_OVERFLOW = 20
"""Connections a PostgreSQL pool may open beyond its size under a burst."""


class Database:
    """An engine plus the rules for opening units of work on it."""

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False,
                 sqlite_synchronous: str = "full", application_name: str | None = None,
                 pgbouncer: bool = False, listen_url: str | None = None) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.pgbouncer = pgbouncer
        """Behind PgBouncer in transaction mode: psycopg prepares no statements."""
        self.listen_url = listen_url or url
        """Where the worker's LISTEN connection goes: directly to PostgreSQL."""
        self.write_lock = threading.RLock()
        """Held by every unit of work on SQLite (one writer at a time anyway), so
        writers in this process queue here rather than on SQLite's busy timeout."""
        if self.is_sqlite:
            _ensure_sqlite_file(url)
            self.engine = create_engine(url, echo=echo, poolclass=NullPool if ":memory:" in url
                                        else None, connect_args={"check_same_thread": False},
                                        json_serializer=_json_dumps,
                                        json_deserializer=orjson.loads)
            _configure_sqlite(self.engine, synchronous=sqlite_synchronous)
        else:
            connect: dict[str, Any] = {}
            if application_name and "application_name" not in url:
                connect["application_name"] = application_name
            if pgbouncer:
                connect["prepare_threshold"] = None
            self.engine = create_engine(url, echo=echo, pool_size=pool_size,
                                        max_overflow=MAX_OVERFLOW, pool_pre_ping=True,
                                        json_serializer=_json_dumps,
                                        json_deserializer=orjson.loads, connect_args=connect)

    @contextmanager
    def unit_of_work(self, actor: Actor = SYSTEM, *, source_ip: str | None = None,
                     clock: Clock | None = None) -> Iterator[UnitOfWork]:
        """A write transaction: commits when the block ends, rolls back on error."""
        lock = self.write_lock if self.is_sqlite else _NO_LOCK
        with lock:
            session = Session(self.engine, expire_on_commit=False)
            if self.is_sqlite:
                session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            uow = UnitOfWork(session=session, actor=actor, clock=clock or clock_module.current(),
                             source_ip=source_ip, database=self)
            try:
                yield uow
                for callback in uow._before_commit:
                    callback(uow)
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()
        for after in uow._after_commit:
            after()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (never commits). Objects stay readable after the
        block: closing releases the connection without expiring them."""
        session = Session(self.engine, expire_on_commit=False)
        try:
            yield session
        finally:
            session.close()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def check_writable(self, now: datetime) -> None:
        """Commit a one-row write; raises when the database cannot store one."""
        with self.unit_of_work(SYSTEM) as uow:
            uow.session.execute(update(HealthProbe).where(HealthProbe.id == 1)
                                .values(checked_at=now))

    def dispose(self) -> None:
        self.engine.dispose()


UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "25006")
"""Errors that mean "no writable database here right now", not "this change
is wrong": a connection failure (class 08), the server shutting down or
starting up (57P0x), and a read-only transaction (25006), which is what a
primary demoted to a replica, or a pooler still pointing at one, answers."""


def unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot take the change right now
    (so the sender should retry), rather than that the change is wrong.

    A failover raises all of these within seconds of each other: the pool's
    connections to the old primary are cut, new ones find no read-write host
    until the replica is promoted. Each is the same answer for a client."""
    if isinstance(error, (OperationalError, PoolTimeout)):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    return sqlstate.startswith(UNAVAILABLE_SQLSTATES)


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NO_LOCK = _NoLock()


def _ensure_sqlite_file(url: str) -> None:
    """Create the database file readable by its owner only, whatever the umask
    (it holds people's contact details); SQLite gives its ``-wal`` and ``-shm``
    files the same mode as the database file."""
    if "///" not in url:
        return  # sqlite:// is an in-memory database
    path = url.split("///", 1)[-1].split("?", 1)[0]
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.fchmod(descriptor, 0o600)
    os.close(descriptor)


SQLITE_SYNCHRONOUS = ("full", "normal")


def _configure_sqlite(engine: Engine, *, synchronous: str) -> None:
    """WAL for concurrent readers, explicit BEGIN so writers can ask for IMMEDIATE.

    ``synchronous=FULL`` (the default) syncs the WAL at every commit, so a
    change answered 2xx survives a power loss; NORMAL only survives a crash of
    the process. Set on every new connection, as SQLite keeps it per connection.
    """
    if synchronous not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"synchronous must be one of {', '.join(SQLITE_SYNCHRONOUS)}, "
                         f"not {synchronous!r}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


_database: Database | None = None
_role = "cli"


def set_process_role(role: str) -> None:
    """Name what this process is (``serve``, ``api``, ``worker``) in the
    ``application_name`` of its PostgreSQL connections, with its process id:
    ``pg_stat_activity`` then shows which process holds which connections,
    which is how an operator checks the connection budget."""
    global _role
    _role = role


def get_database() -> Database:
    """The process-wide database named by ``WARROOM_DATABASE_URL``."""
    global _database
    if _database is None:
        settings = get_settings()
        _database = Database(settings.database_url, pool_size=settings.db_pool_size,
                             sqlite_synchronous=settings.sqlite_synchronous,
                             application_name=f"warroom {_role} {os.getpid()}",
                             pgbouncer=settings.db_pgbouncer,
                             listen_url=settings.db_listen_url)
    return _database


def set_database(database: Database | None) -> None:
    global _database
    _database = database


def migrate(database: Database) -> list[str]:
    """Bring the schema up to date (every domain's migration branch); returns
    the revisions applied now, so the caller can say what changed."""
    from alembic import command

    before = applied_revisions(database)
    command.upgrade(alembic_config(database), "heads")
    return sorted(applied_revisions(database) - before)


def applied_revisions(database: Database) -> set[str]:
    """The heads recorded in ``alembic_version`` (empty for a new database)."""
    from alembic.migration import MigrationContext

    with database.engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def alembic_config(database: Database) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.set_main_option("path_separator", "os")
    config.attributes["engine"] = database.engine
    return config
