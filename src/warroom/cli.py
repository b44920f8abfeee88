"""The ``warroom`` command: serve, worker, migrate, and each domain's commands."""

from __future__ import annotations

import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from warroom import backup, budget, clock, registry, runtime
from warroom.app import create_app, served
from warroom.audit import verify as audit_verify
from warroom.auth import bootstrap
from warroom.cli_support import echo, handles_problems
from warroom.config import Settings, get_settings
from warroom.db import applied_revisions, get_database, set_process_role
from warroom.db import migrate as run_migrations
from warroom.doctor import doctor_app
from warroom.errors import Invalid
from warroom.logs import configure as configure_logging
from warroom.worker import Worker

app = typer.Typer(help="warroom: self-hosted incident response.", no_args_is_help=True,
                  pretty_exceptions_show_locals=False)


@app.callback()
def _connect_domains() -> None:
    # Every command may fire hooks, so every domain joins them before it runs.
    registry.connect_all()


@app.command()
@handles_problems
def migrate() -> None:
    """Create or upgrade the database schema (and, on SQLite, the secret key)."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    settings.secret_bytes()
    database = get_database()
    fresh = not applied_revisions(database)
    applied = run_migrations(database)
    where = _safe_url(settings.database_url)
    if fresh:
        tables = sorted(inspect(database.engine).get_table_names())
        typer.echo(f"created a new database at {where}: {len(tables)} tables "
                   f"({', '.join(tables)})")
    elif applied:
        typer.echo(f"upgraded {where}: applied {', '.join(applied)}")
    typer.echo(f"database is up to date ({where})")


@app.command()
@handles_problems
def serve(host: str = typer.Option(None, help="Address to listen on (WARROOM_HOST)."),
          port: int = typer.Option(None, help="Port to listen on (WARROOM_PORT)."),
          worker: bool = typer.Option(None, "--worker/--no-worker",
                                      help="Run the background worker in this process "
                                           "(WARROOM_RUN_WORKER)."),
          auto_migrate: bool = typer.Option(True, "--migrate/--no-migrate",
                                            help="Apply pending migrations first."),
          certfile: Path | None = typer.Option(None, help="Serve HTTPS with this PEM "
                                               "certificate (chain); needs --keyfile."),
          keyfile: Path | None = typer.Option(None, help="The certificate's PEM private key."),
          workers: int = typer.Option(1, "--workers", min=1,
                                      help="API processes on the one port (PostgreSQL only; "
                                           "the background worker then runs as "
                                           "`warroom worker`).")
          ) -> None:
    """Serve the HTTP API (and, by default, the background worker)."""
    import uvicorn  # only the commands that serve pay for importing the server

    tls = tls_options(certfile, keyfile)

    runtime.raise_open_file_limit()
    settings = get_settings()
    if host:
        settings.host = host
    if port:
        settings.port = port
    configure_logging(settings.log_level, settings.log_format)
    run_worker = check_processes(settings, workers=workers, worker=worker)
    settings.require_shared_key()
    ensure_port_free(settings.host, settings.port)
    clock.install(clock.from_settings(settings.fake_time_file))
    set_process_role("serve")
    database = get_database()
    budget.check(database, processes=workers, listen=int(run_worker))
    if auto_migrate:
        run_migrations(database)
    registry.connect_all()
    bootstrap.first_start(settings, database,
                          interactive=sys.stdin.isatty() and sys.stdout.isatty())
    if workers > 1:
        serve_processes(settings, database, workers=workers, tls=tls)
        return
    application = create_app(settings=settings, database=database, run_worker=run_worker)
    runtime.freeze_startup_heap()
    uvicorn.run(served(application), **server_options(settings), **tls)


def check_processes(settings: Settings, *, workers: int, worker: bool | None) -> bool:
    """Whether this ``serve`` runs the worker; refuses what cannot work.

    Several API processes need PostgreSQL: on SQLite they would take turns
    at the one writer lock, slower than one process. They never run the
    background worker themselves (N copies would all wake on every commit),
    so ``--worker`` with ``--workers`` is refused rather than ignored."""
    if workers == 1:
        return settings.run_worker if worker is None else worker
    if settings.is_sqlite:
        raise Invalid(f"--workers {workers} needs PostgreSQL: SQLite allows one writer at a "
                      "time, so several API processes would only queue for it. Serve with "
                      "one process, or set WARROOM_DATABASE_URL to PostgreSQL.")
    if worker:
        raise Invalid(f"--workers {workers} serves the API only: run the background worker "
                      "as `warroom worker` (as many as you like), and drop --worker.")
    return False


def serve_processes(settings: Settings, database: Any, *, workers: int,
                    tls: dict[str, Any]) -> None:
    """``workers`` uvicorn processes sharing one listening socket. uvicorn
    needs the app as an import string (each process builds its own, with its
    own database pool: :func:`warroom.app.api_process`), and the protocol
    too. Host and port go to the processes by the environment they inherit."""
    import uvicorn

    from warroom import serving

    os.environ["WARROOM_HOST"], os.environ["WARROOM_PORT"] = settings.host, str(settings.port)
    database.dispose()  # the processes open their own pools; this one only supervises
    options = {**server_options(settings), "http": serving.guarded_protocol_path(),
               "timeout_worker_healthcheck": WORKER_HEALTHCHECK_SECONDS}
    uvicorn.run("warroom.app:api_process", factory=True, workers=workers, **options, **tls)


WORKER_HEALTHCHECK_SECONDS = 60
"""How long uvicorn's supervisor waits for an API process to answer its
health check before killing and replacing it. Its default of 5 s is shorter
than a process needs to import warroom on a busy machine: every process would
be killed before it could serve, again and again."""


def tls_options(certfile: Path | None, keyfile: Path | None) -> dict[str, Any]:
    """uvicorn's TLS options, checked before anything starts: senders such as
    PagerDuty's own client refuse plain ``http://`` URLs."""
    if certfile is None and keyfile is None:
        return {}
    if certfile is None or keyfile is None:
        raise Invalid("--certfile and --keyfile go together: give both to serve HTTPS, "
                      "or neither to serve plain HTTP (behind a TLS-terminating proxy).")
    for option, path in (("--certfile", certfile), ("--keyfile", keyfile)):
        if not path.is_file():
            raise Invalid(f"{option} {path} is not a readable file.")
    return {"ssl_certfile": str(certfile), "ssl_keyfile": str(keyfile)}


def ensure_port_free(host: str, port: int) -> None:
    """Stop with one sentence before anything is created or printed when the
    address is taken: otherwise the first start would announce "ready at ..."
    and then die in uvicorn with a bare ``Errno 98``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as failed:
            reason = (failed.strerror or str(failed)).lower()
            typer.echo(f"warroom cannot listen on {host}:{port} ({reason}): set WARROOM_PORT "
                       f"to a free port, for example WARROOM_PORT={port + 1} make run, or stop "
                       "whatever holds it.", err=True)
            raise typer.Exit(1) from None


def server_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn serves: ``X-Forwarded-For`` only from the configured
    proxies (uvicorn alone would believe it from any local caller, who could
    then forge the source address the audit log records), and the guarded
    protocol with its timeouts and connection caps (``warroom.serving``)."""
    from warroom import serving  # imports uvicorn: only for the commands that serve

    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    return {"host": settings.host, "port": settings.port, "access_log": False,
            "log_level": "warning", "lifespan": "on", "timeout_graceful_shutdown": 5,
            "proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or None,
            **serving.uvicorn_options(settings)}


@app.command("worker")
@handles_problems
def run_worker_command() -> None:
    """Run a background worker (escalations, timers, deliveries).

    Run as many as you like against PostgreSQL; they share the work.
    """
    runtime.raise_open_file_limit()
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    settings.require_shared_key()
    clock.install(clock.from_settings(settings.fake_time_file))
    set_process_role("worker")
    database = get_database()
    budget.check(database, processes=1, listen=1)
    worker = Worker(database, settings, clock.current())
    runtime.freeze_startup_heap()

    def _stop(*_: Any) -> None:
        worker.stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    worker.run_forever()
    worker.close()


@app.command("backup")
@handles_problems
def backup_command(target: Path = typer.Argument(..., help="The file to write the backup to.")
                   ) -> None:
    """Write a consistent copy of the database while warroom runs (SQLite: the
    online backup API; PostgreSQL: pg_dump -Fc)."""
    settings = get_settings()
    typer.echo(backup.backup(settings.database_url, target).message)


@app.command("restore")
@handles_problems
def restore_command(source: Path = typer.Argument(..., help="A file `warroom backup` wrote."),
                    force: bool = typer.Option(False, "--force",
                                               help="Replace what the database holds "
                                                    "(refused otherwise unless it is empty).")
                    ) -> None:
    """Restore a backup into an empty database, then verify the audit chain
    (exit 1 if it does not verify)."""
    settings = get_settings()
    typer.echo(backup.restore(settings.database_url, source, force=force).message)
    with get_database().read() as session:
        result = audit_verify.verify(session)
    echo(result.message)  # findings name rows, which may hold outside text
    if not result.ok:
        raise typer.Exit(1)


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _mount_domain_commands() -> None:
    for domain in registry.DOMAINS:
        for name, sub_app in domain.commands.items():
            app.add_typer(sub_app, name=name)
    app.add_typer(doctor_app, name="doctor")


_mount_domain_commands()


def main() -> None:
    app()
