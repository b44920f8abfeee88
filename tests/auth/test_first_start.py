"""First start: the admin token reaches the operator but no log, and a fresh
install says when a message that cannot be delivered would reach nobody."""

from __future__ import annotations

import io
import os
import stat

import pytest
from typer.testing import CliRunner

from warroom.auth import service as users
from warroom.auth.bootstrap import TOKEN_FILE, first_start
from warroom.cli import app as cli_app

NOBODY = "No admin has an email address"


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def admin_token(settings) -> str:
    return (settings.data_dir / TOKEN_FILE).read_text().strip()


def test_output_that_is_not_a_terminal_gets_the_tokens_path_not_the_token(
        settings, database, client, capsys, umask_022):
    first_start(settings, database, interactive=False)
    out, err = capsys.readouterr()
    token_file = settings.data_dir / TOKEN_FILE
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = admin_token(settings)
    assert token.startswith("wr_")
    assert token not in out + err
    assert str(token_file.resolve()) in out
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "admin"
    assert NOBODY in err


def test_a_terminal_shows_the_token_and_asks_for_the_admins_email(
        settings, database, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("not an address\nops@example.com\n"))
    first_start(settings, database, interactive=True)
    out, err = capsys.readouterr()
    assert admin_token(settings) in out
    assert "is not an email address" in err
    assert NOBODY not in err
    with database.read() as session:
        assert users.get_by_username(session, username="admin").email == "ops@example.com"


def test_health_says_when_no_admin_can_be_told_until_one_has_an_email(client, database):
    first_start(database=database, settings=client.app.state.settings, interactive=False)
    assert NOBODY in client.get("/health").json()["detail"]
    done = CliRunner().invoke(cli_app, ["user", "set-email", "admin", "ops@example.com"])
    assert done.exit_code == 0, done.output
    health = client.get("/health").json()
    assert health == {"status": "ok", "database": "ok"}


def test_set_email_refuses_what_is_not_an_address(database, people):
    done = CliRunner().invoke(cli_app, ["user", "set-email", "viewer", "nobody"])
    assert done.exit_code == 1
    assert "is not an email address" in done.output
