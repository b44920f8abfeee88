"""``warroom evidence add`` and ``collect``: a file or a real command's
output, with the metadata that makes it defensible."""

from __future__ import annotations

import hashlib
import json
import subprocess

from typer.testing import CliRunner

from tests.conftest import ON_POSTGRESQL
from warroom.cli import app as cli_app

runner = CliRunner()


def run(*args: str) -> dict:
    done = runner.invoke(cli_app, ["evidence", args[0], "--json", *args[1:]])
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def test_add_a_file_with_its_source_and_collection_time(incident, tmp_path, client):
    log = tmp_path / "access.log"
    log.write_bytes(b"GET /ws 101\n" * 1000)
    item = run("add", incident, str(log), "--source", "web-01:/var/log/websocket/access.log",
               "--collected-at", "2026-03-01T10:15:00+02:00", "--method", "cp",
               "--sha256", hashlib.sha256(log.read_bytes()).hexdigest())
    assert (item["source_host"], item["source_locator"], item["method_tool"]) == (
        "web-01", "/var/log/websocket/access.log", "cp")
    assert (item["collected_tz"], item["size"]) == ("+02:00", 12000)
    wrong = runner.invoke(cli_app, ["evidence", "add", incident, str(log), "--sha256",
                                    "ab" * 32])
    assert wrong.exit_code == 1 and "does not match" in wrong.output
    listed = run("list", incident)
    assert [i["ref"] for i in listed] == [item["ref"]]
    out = tmp_path / "copy.log"
    done = runner.invoke(cli_app, ["evidence", "download", item["ref"], "-o", str(out),
                                   "--purpose", "send to the lab"])
    assert done.exit_code == 0, done.output
    assert out.read_bytes() == log.read_bytes()
    shown = run("show", item["ref"])
    assert [e["action"] for e in shown["custody"]] == ["collected", "registered", "downloaded"]
    verified = runner.invoke(cli_app, ["evidence", "verify"])
    assert verified.exit_code == 0 and "evidence intact" in verified.output


@ON_POSTGRESQL  # pg_dump reads a PostgreSQL database
def test_collect_pg_dump_stores_its_output_and_records_the_run(
        incident, backend, database_url, client, tmp_path):
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    item = run("collect", incident, "--", "pg_dump", "-F", "c", "-t", "incidents", url)
    record = item["collection"]
    assert record["exit_code"] == 0
    assert record["argv"] == ["pg_dump", "-F", "c", "-t", "incidents", url]
    assert item["method_argv"] == record["argv"]
    assert item["method_version"].startswith("pg_dump (PostgreSQL)")
    assert record["started_at"] <= record["ended_at"]
    assert record["stderr_sha256"] == hashlib.sha256(b"").hexdigest()
    assert record["host"] and item["source_host"] == record["host"]
    # the stored output is a custom-format dump pg_restore can read
    dumped = subprocess.run(["pg_restore", "-l"], input=_content(item["ref"], tmp_path),
                            capture_output=True, check=True)
    assert b"TABLE public incidents" in dumped.stdout


def test_collect_records_a_failing_command_and_its_stderr(incident, client):
    done = runner.invoke(cli_app, ["evidence", "collect", "--json", incident, "--", "sh", "-c",
                                   "echo partial; echo broken >&2; exit 3"])
    assert done.exit_code == 2, done.output
    item = json.loads(done.stdout.split("\nwarning")[0])
    assert item["collection"]["exit_code"] == 3
    assert item["collection"]["stderr_sha256"] == hashlib.sha256(b"broken\n").hexdigest()
    assert item["size"] == len(b"partial\n")


def _content(ref: str, folder) -> bytes:
    out = folder / "dump.bin"
    done = runner.invoke(cli_app, ["evidence", "download", ref, "-o", str(out),
                                   "--purpose", "test restore"])
    assert done.exit_code == 0, done.output
    return out.read_bytes()
