"""The ``warroom`` command: serve, worker, migrate, and each domain's commands."""

from __future__ import annotations

import signal
from typing import Any

import typer

from warroom import clock, domains, runtime
from warroom.cli_support import console, echo, handles_problems
from warroom.config import get_settings
from warroom.db import SYSTEM, get_database
from warroom.db import migrate as run_migrations
from warroom.logs import configure as configure_logging

app = typer.Typer(help="warroom: self-hosted incident response.", no_args_is_help=True,
                  pretty_exceptions_show_locals=False)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    run_migrations(get_database())
    console.print(f"database is up to date ({_safe_url(settings.database_url)})")


@app.command()
@handles_problems
def serve(host: str = typer.Option(None, help="Address to listen on (WARROOM_HOST)."),
          port: int = typer.Option(None, help="Port to listen on (WARROOM_PORT)."),
          worker: bool = typer.Option(None, "--worker/--no-worker",
                                      help="Run the background worker in this process "
                                           "(WARROOM_RUN_WORKER)."),
          auto_migrate: bool = typer.Option(True, "--migrate/--no-migrate",
                                            help="Apply pending migrations first.")) -> None:
    """Serve the HTTP API (and, by default, the background worker)."""
    import uvicorn

    from warroom.app import create_app, served
    from warroom.auth import service as users

    settings = get_settings()
    if host:
        settings.host = host
    if port:
        settings.port = port
    configure_logging(settings.log_level, settings.log_format)
    clock.install(clock.from_settings(settings.fake_time_file))
    database = get_database()
    if auto_migrate:
        run_migrations(database)
    domains.connect_all()
    with database.unit_of_work(SYSTEM) as uow:
        issued = users.bootstrap_admin(uow, username=settings.admin_username)
    if issued:
        echo(f"\nwarroom is ready at {settings.base_url}\n"
             f"admin user: {settings.admin_username}\n"
             f"admin API token (shown once, store it now): {issued.secret}\n\n"
             f"  export ADMIN_TOKEN={issued.secret}\n"
             f'  curl -H "Authorization: Bearer $ADMIN_TOKEN" '
             f"{settings.base_url}/api/v1/incidents\n")
    else:
        echo(f"warroom is serving at {settings.base_url}")
    run_worker = settings.run_worker if worker is None else worker
    application = create_app(settings=settings, database=database, run_worker=run_worker)
    runtime.freeze_startup_heap()
    uvicorn.run(served(application), host=settings.host, port=settings.port, access_log=False,
                log_level="warning", lifespan="on", timeout_graceful_shutdown=5)


@app.command("worker")
def run_worker_command() -> None:
    """Run a background worker (escalations, timers, deliveries).

    Run as many as you like against PostgreSQL; they share the work.
    """
    from warroom.worker import Worker

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    clock.install(clock.from_settings(settings.fake_time_file))
    worker = Worker(get_database(), settings, clock.current())
    runtime.freeze_startup_heap()

    def _stop(*_: Any) -> None:
        worker.stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    worker.run_forever()
    worker.close()


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _mount_domain_commands() -> None:
    for module in domains.modules("cli"):
        for name, sub_app in module.COMMANDS.items():
            app.add_typer(sub_app, name=name)


_mount_domain_commands()


def main() -> None:
    app()
