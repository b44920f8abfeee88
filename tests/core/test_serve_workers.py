"""``warroom serve --workers N``: N API processes answer on one port, each
with its own pool on PostgreSQL, and stop together; what cannot work
(SQLite, an in-process worker in each copy) is refused with a sentence."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from tests.conftest import ON_POSTGRESQL
from tests.support.prometheus import eventually
from tests.support.receivers import free_port
from tests.support.serve import serving
from warroom.cli import app as cli_app

runner = CliRunner()


def _api_pids(admin_url: str, name: str) -> set[int]:
    """The process ids named in the API processes' connections
    (``application_name`` is ``warroom api <pid>``)."""
    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            names = conn.scalars(text(
                "SELECT application_name FROM pg_stat_activity WHERE datname = :name "
                "AND application_name LIKE 'warroom api %'"), {"name": name})
            return {int(found.rsplit(" ", 1)[1]) for found in names}
    finally:
        engine.dispose()


@ON_POSTGRESQL
def test_two_api_processes_answer_on_one_port_and_stop_together(
        backend, database_url, settings, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "WARROOM_DATABASE_URL": database_url, "WARROOM_PORT": str(port),
           "WARROOM_HOST": "127.0.0.1", "WARROOM_SECRET_KEY": "test-secret-key-not-for-production",
           "WARROOM_DATA_DIR": str(tmp_path / "var")}
    name = make_url(database_url).database or ""
    admin = os.environ["WARROOM_TEST_PG_URL"]

    def both_answered() -> set[int]:
        with ThreadPoolExecutor(8) as pool:  # a new connection each: both processes accept
            codes = list(pool.map(lambda _: httpx.get(url + "/health", timeout=10).status_code,
                                  range(16)))
        assert set(codes) == {200}
        pids = _api_pids(admin, name)
        return pids if len(pids) == 2 else set()

    with serving(["--workers", "2", "--no-worker", "--no-migrate"], env=env,
                 log=tmp_path / "serve.log", url=url) as process:
        pids = eventually(both_answered, timeout=60, what="both API processes to answer")
        assert process.pid not in pids  # the supervisor holds no pool of its own
    assert process.returncode == 0, (tmp_path / "serve.log").read_text()[-2000:]
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert eventually(lambda: not _api_pids(admin, name), timeout=30,
                      what="the API processes' connections to close")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_several_processes_on_sqlite_are_refused(backend, database):
    done = runner.invoke(cli_app, ["serve", "--workers", "2"])
    assert done.exit_code == 1
    said = " ".join(done.output.split())
    assert "--workers 2 needs PostgreSQL" in said


@ON_POSTGRESQL
def test_a_worker_in_each_api_process_is_refused(backend, database):
    done = runner.invoke(cli_app, ["serve", "--workers", "2", "--worker"])
    assert done.exit_code == 1
    assert "run the background worker as `warroom worker`" in " ".join(done.output.split())
