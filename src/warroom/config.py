"""Settings from the environment (``WARROOM_*``) or a ``.env`` file.

Each domain that needs knobs of its own declares a subclass of
:class:`WarroomSettings` in its own package; every subclass registers itself in
:data:`SETTINGS_CLASSES` so that one test can check docs/configuration.md documents
every setting, and :func:`reset` can drop cached values when tests change the
environment.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import ClassVar, Literal, Self, Unpack

from pydantic import ConfigDict, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from warroom.errors import Invalid

SETTINGS_CLASSES: list[type[WarroomSettings]] = []

_SOURCE_ROOT = Path(__file__).resolve().parents[2]


def shipped_dir(name: str) -> Path:
    """Where shipped data (``rules/``, ``playbooks/``) lives.

    A checkout keeps it beside ``src/``; an operator may run from a folder that
    holds their own copy, which then wins.
    """
    local = Path.cwd() / name
    return local if local.is_dir() else _SOURCE_ROOT / name


class WarroomSettings(BaseSettings):
    """Base for every settings class: same prefix, same ``.env`` file."""

    model_config = SettingsConfigDict(env_prefix="WARROOM_", env_file=".env", extra="ignore")

    _instances: ClassVar[dict[type, object]] = {}

    def __init_subclass__(cls, **kwargs: Unpack[ConfigDict]) -> None:
        super().__init_subclass__(**kwargs)
        SETTINGS_CLASSES.append(cls)

    @classmethod
    def current(cls) -> Self:
        """The process-wide instance, read once from the environment."""
        instance = WarroomSettings._instances.get(cls)
        if not isinstance(instance, cls):
            instance = cls()
            WarroomSettings._instances[cls] = instance
        return instance


class Settings(WarroomSettings):
    """Core settings: storage, HTTP, security, delivery and the worker."""

    database_url: str = "sqlite:///./var/warroom.db"
    """SQLAlchemy URL; ``postgresql+psycopg://user:pass@host/db`` for PostgreSQL."""
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = None
    """Base URL used in links sent to people (acknowledge links, status page)."""
    data_dir: Path = Path("var")
    secret_key: SecretStr | None = None
    """Signs one-click links and encrypts webhook secrets; generated into
    ``<data_dir>/secret.key`` on first start when unset (SQLite only)."""
    secret_key_file: Path | None = None
    """A file holding the key, shared by every process of a scaled-out instance."""
    log_level: str = "info"
    log_format: Literal["console", "json"] = "console"
    max_body_bytes: int = 1_048_576
    """Largest request body accepted; larger ones get 413."""
    db_pool_size: int = 10
    db_pgbouncer: bool = False
    """``WARROOM_DATABASE_URL`` goes through PgBouncer in transaction mode: no
    server-side prepared statements (the next transaction may run on another
    server connection, where the statement was never prepared)."""
    db_listen_url: str | None = None
    """A direct URL to PostgreSQL, not through PgBouncer, for the worker's
    ``LISTEN`` connection (a subscription lives in a session, which
    transaction pooling would hand to someone else). Defaults to the
    database URL."""
    sqlite_synchronous: Literal["full", "normal"] = "full"
    """SQLite's ``synchronous`` pragma: ``full`` syncs the WAL on every commit,
    so what was answered 2xx survives a power loss; ``normal`` survives a
    process crash only (see "SQLite durability" in docs/deployment.md)."""
    admin_username: str = "admin"
    timezone: str = "UTC"
    """Organisation time zone, used for business hours (Sev4's next business day)."""
    business_hours_start: str = "09:00"
    business_days: str = "mon,tue,wed,thu,fri"
    token_cache_seconds: float = 2.0
    """How long a checked API token is remembered in memory; a revocation made
    through another process takes effect within this time."""
    trusted_proxies: str = ""
    """Comma-separated addresses or networks of reverse proxies whose
    ``X-Forwarded-For`` is believed; from anyone else it is ignored."""
    metrics_public: bool = True
    """Serve ``/metrics`` without a token (it only exposes counts)."""
    http_header_timeout_seconds: float = 10.0
    """A request's headers must arrive within this long (408 and close otherwise)."""
    http_body_timeout_seconds: float = 30.0
    """A request's body must arrive within this long after its headers."""
    http_max_concurrency: int = 1000
    """Requests handled at once; more get 503 with Retry-After."""
    http_max_connections: int = 0
    """Open connections kept; 0: three quarters of the open-file limit."""

    # worker and outbox delivery
    run_worker: bool = True
    """``warroom serve`` also runs the background worker in the same process."""
    worker_poll_seconds: float = 1.0
    """Longest the worker sleeps when nothing wakes it (fallback poll)."""
    worker_slow_cycle_seconds: float = 5.0
    """An engine cycle that takes longer than this is logged as slow."""
    worker_batch_size: int = 100
    worker_concurrency: int = 16
    outbox_max_attempts: int = 8
    outbox_backoff_base_seconds: float = 5.0
    outbox_backoff_max_seconds: float = 900.0
    outbox_lease_seconds: float = 60.0
    """A message claimed by a worker that died is retried after this long."""

    # channels
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_from: str = "warroom@localhost"
    smtp_timeout_seconds: float = 10.0
    webhook_timeout_seconds: float = 10.0

    # testing
    fake_time_file: Path | None = None
    """When set, 'now' is read from this file (ISO timestamp); for end-to-end
    tests that move the clock of a separate process."""

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def secret_bytes(self) -> bytes:
        """The signing key, creating ``<data_dir>/secret.key`` once if needed."""
        self.require_shared_key()
        configured = self.secret_key.get_secret_value() if self.secret_key else None
        return _secret_for(configured, self.secret_key_file, self.data_dir)

    def require_shared_key(self) -> None:
        """On PostgreSQL refuse to generate a key: each API and worker process
        would make its own, and links signed or secrets sealed by one would be
        rejected by the others."""
        if self.is_sqlite or self.secret_key or self.secret_key_file:
            return
        raise Invalid("On PostgreSQL every warroom process must share one secret key (a key "
                      "generated by each process would break acknowledge links and sealed "
                      "secrets across processes): set WARROOM_SECRET_KEY, or "
                      "WARROOM_SECRET_KEY_FILE to a file every process can read.")


@lru_cache(maxsize=8)
def _secret_for(configured: str | None, key_file: Path | None, data_dir: Path) -> bytes:
    if configured:
        return configured.encode()
    if key_file is not None:
        if not key_file.is_file():
            raise Invalid(f"WARROOM_SECRET_KEY_FILE names {key_file}, which is not a file.")
        return key_file.read_text().strip().encode()
    generated = data_dir / "secret.key"
    if not generated.exists():
        _create_key_file(generated)
    return generated.read_text().strip().encode()


def _create_key_file(path: Path) -> None:
    """Write a new key readable by its owner only, whatever the umask, and
    atomically: a second process starting at the same moment reads the one
    key that won."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, secrets.token_urlsafe(48).encode())
    finally:
        os.close(descriptor)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()


def get_settings() -> Settings:
    return Settings.current()


def reset() -> None:
    """Forget cached settings so the next read sees the environment again."""
    WarroomSettings._instances.clear()
    _secret_for.cache_clear()
