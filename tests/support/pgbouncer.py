"""A real PgBouncer in transaction pool mode in front of the test cluster,
on a free loopback port, for the tests that show warroom works behind one.

Debian's ``pgbouncer`` package provides it (``make test`` installs it).
PgBouncer refuses to run as root, so under root it runs as the ``postgres``
account, as the test cluster does."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
from sqlalchemy.engine import make_url

from tests.support.receivers import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
READY_SECONDS = 30.0


@dataclass(frozen=True)
class Bouncer:
    port: int
    log: Path

    def url_for(self, database_url: str) -> str:
        """The same database, reached through PgBouncer."""
        return make_url(database_url).set(host="127.0.0.1", port=self.port).render_as_string(
            hide_password=False)


@contextmanager
def pgbouncer(server_url: str, *, pool_size: int = 4) -> Iterator[Bouncer]:
    """PgBouncer forwarding every database name to ``server_url``'s server."""
    server = make_url(server_url)
    workdir = Path(tempfile.mkdtemp(prefix="warroom-pgbouncer-"))
    user = "postgres" if os.getuid() == 0 else None
    if user:
        shutil.chown(workdir, user)
    port = free_port()
    (workdir / "userlist.txt").write_text(f'"{server.username}" ""\n')
    (workdir / "pgbouncer.ini").write_text(f"""[databases]
* = host={server.host} port={server.port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {workdir / "userlist.txt"}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 500
ignore_startup_parameters = extra_float_digits
logfile = {workdir / "pgbouncer.log"}
""")
    log = workdir / "pgbouncer.log"
    process = subprocess.Popen([PGBOUNCER, str(workdir / "pgbouncer.ini")], user=user,
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    bouncer = Bouncer(port=port, log=log)
    try:
        _wait_ready(process, bouncer, server.username or "", server.database or "")
        yield bouncer
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_ready(process: subprocess.Popen[bytes], bouncer: Bouncer, user: str,
                database: str) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while True:
        if process.poll() is not None:
            logged = bouncer.log.read_text() if bouncer.log.exists() else ""
            raise AssertionError(f"pgbouncer exited ({process.returncode}): {logged[-2000:]}")
        try:
            with psycopg.connect(host="127.0.0.1", port=bouncer.port, user=user,
                                 dbname=database, connect_timeout=2, prepare_threshold=None):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
