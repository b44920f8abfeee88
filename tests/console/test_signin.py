"""Password sign-in through the form: the round trip, the cookie, bad input,
CSRF on the form itself, rate limits, audit entries and the ``next`` rule."""

from __future__ import annotations

import io
import stat
from datetime import timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.console.conftest import PASSWORD, form_token, sign_in
from warroom.audit.models import AuditEntry
from warroom.auth.bootstrap import PASSWORD_FILE, first_start
from warroom.auth.models import User
from warroom.cli import app as cli_app
from warroom.console.session import SESSION_COOKIE, safe_next


def audit_actions(database) -> list[tuple[str, str, dict]]:
    with database.read() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        return [(r.action, r.target, r.after or {}) for r in rows
                if r.action.startswith("console.")]


def test_a_password_round_trip_opens_a_session_with_the_users_role(browser, accounts,
                                                                    database):
    answer = sign_in(browser, "Responder", next_url="/probe?x=1")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/probe?x=1"
    me = browser.get("/probe")
    assert me.status_code == 200 and me.json()["name"] == "responder"
    assert me.json()["role"] == "responder"
    with database.read() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "responder"))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    action, target, after = audit_actions(database)[-1]
    assert (action, target, after["method"]) == ("console.sign_in", "user:responder",
                                                 "password")


def test_the_cookie_is_httponly_lax_and_secure_only_over_tls(app, browser, accounts,
                                                              monkeypatch):
    cookie = sign_in(browser, "viewer").headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie
    browser.cookies.clear()
    browser.base_url = "https://testserver"
    tls = sign_in(browser, "viewer").headers["set-cookie"]
    assert "Secure" in tls and "HttpOnly" in tls


def test_the_secure_setting_marks_the_cookie_even_behind_plain_http(browser, accounts,
                                                                     monkeypatch):
    from warroom import config
    monkeypatch.setenv("WARROOM_SESSION_COOKIE_SECURE", "true")
    config.reset()
    assert "Secure" in sign_in(browser, "viewer").headers["set-cookie"]


def test_the_database_keeps_only_a_hash_of_the_cookie(browser, accounts, database):
    sign_in(browser, "viewer")
    value = browser.cookies[SESSION_COOKIE]
    with database.read() as session:
        stored = session.execute(select_sessions()).all()
    assert stored and all(value not in str(row) for row in stored)


def select_sessions():
    from warroom.auth.models import UserSession
    return select(UserSession.secret_hash, UserSession.address, UserSession.method)


def test_a_wrong_password_answers_the_form_with_the_error_beside_the_field(
        browser, accounts, database):
    answer = sign_in(browser, "viewer", password="not the password")
    assert answer.status_code == 401
    assert 'id="password-error"' in answer.text and "do not match" in answer.text
    assert 'value="viewer"' in answer.text  # the username is kept
    assert SESSION_COOKIE not in browser.cookies
    action, target, after = audit_actions(database)[-1]
    assert (action, target, after["reason"]) == ("console.sign_in_failed", "user:viewer",
                                                 "wrong_credentials")
    with database.read() as session:
        text = " ".join(str(r.after) for r in session.scalars(select(AuditEntry)))
    assert "not the password" not in text and PASSWORD not in text


def test_empty_fields_are_named_beside_each_field(browser, accounts):
    token = form_token(browser)
    answer = browser.post("/sign-in", data={"username": " ", "password": "",
                                            "csrf_token": token})
    assert answer.status_code == 422
    assert 'id="username-error"' in answer.text and "Enter your username." in answer.text
    assert 'id="password-error"' in answer.text and "Enter your password." in answer.text


def test_an_unknown_user_and_a_disabled_one_get_the_same_answer(browser, accounts, work):
    with work() as uow:
        from warroom.auth import service as users
        users.update(uow, user=users.get_by_username_or_raise(uow.session, username="viewer"),
                     is_active=False)
    assert sign_in(browser, "viewer").status_code == 401
    assert sign_in(browser, "nobody-here").status_code == 401


def test_the_sign_in_form_needs_its_own_csrf_token(browser, accounts, database):
    form_token(browser)  # the browser has a pre-session cookie
    forged = browser.post("/sign-in", data={"username": "admin", "password": PASSWORD,
                                            "csrf_token": "forged.token"})
    assert forged.status_code == 400 and "expired" in forged.text
    assert SESSION_COOKIE not in browser.cookies
    browser.cookies.clear()  # a cross-site form: no pre-session cookie, no token
    bare = browser.post("/sign-in", data={"username": "admin", "password": PASSWORD})
    assert bare.status_code == 400
    assert not [a for a in audit_actions(database) if a[0] == "console.sign_in"]


def test_a_token_from_another_browser_does_not_work(app, browser, accounts):
    from fastapi.testclient import TestClient
    with TestClient(app, follow_redirects=False) as other:
        stolen = form_token(other)
    form_token(browser)
    answer = browser.post("/sign-in", data={"username": "admin", "password": PASSWORD,
                                            "csrf_token": stolen})
    assert answer.status_code == 400


def test_failures_per_user_pause_sign_in_until_the_window_passes(browser, accounts, clock,
                                                                  database):
    for _ in range(5):
        assert sign_in(browser, "admin", password="wrong password!").status_code == 401
    paused = sign_in(browser, "admin")  # even the right password waits
    assert paused.status_code == 429
    assert "Too many failed sign-ins for this account" in paused.text
    assert int(paused.headers["retry-after"]) > 0
    assert audit_actions(database)[-1][0] == "console.sign_in_refused"
    assert sign_in(browser, "viewer").status_code == 303  # other users are not paused
    browser.cookies.clear()
    clock.advance(minutes=16)
    assert sign_in(browser, "admin").status_code == 303


def test_failures_per_address_pause_every_username_from_it(browser, accounts, clock,
                                                            monkeypatch):
    from warroom import config
    monkeypatch.setenv("WARROOM_SIGNIN_MAX_FAILURES_PER_ADDRESS", "3")
    config.reset()
    for name in ("a-1", "a-2", "a-3"):
        assert sign_in(browser, name, password="guess guess").status_code == 401
    answer = sign_in(browser, "viewer")
    assert answer.status_code == 429 and "your address" in answer.text
    clock.advance(timedelta(minutes=15, seconds=1))
    assert sign_in(browser, "viewer").status_code == 303


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "/ok\r\nSet-Cookie: x=1", "evil.example", "", "/sign-in",
    "http:/evil.example"])
def test_next_never_leaves_the_site(target):
    assert safe_next(target) == "/"


def test_next_keeps_a_local_path_and_query():
    assert safe_next("/incidents/INC-7?tab=timeline") == "/incidents/INC-7?tab=timeline"


def test_an_outside_next_lands_on_the_home_page(browser, accounts):
    answer = sign_in(browser, "viewer", next_url="https://evil.example/phish")
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_a_signed_in_person_visiting_the_form_goes_on_to_next(browser, accounts):
    sign_in(browser, "viewer")
    again = browser.get("/sign-in", params={"next": "/probe"})
    assert again.status_code == 303 and again.headers["location"] == "/probe"


def test_set_password_prompts_twice_and_the_new_password_signs_in(browser, accounts,
                                                                  database):
    new = "another long passphrase"
    mismatch = CliRunner().invoke(cli_app, ["user", "set-password", "viewer"],
                                  input=f"{new}\nsomething else\n{new}\n{new}\n")
    assert mismatch.exit_code == 0, mismatch.output
    assert "do not match" in mismatch.output.lower() and new not in mismatch.output
    assert sign_in(browser, "viewer").status_code == 401
    assert sign_in(browser, "viewer", password=new).status_code == 303
    with database.read() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "user.set_password")).all()[-1]
    assert entry.target == "user:viewer" and new not in str(entry.after)


def test_set_password_reads_stdin_and_refuses_a_short_one(browser, accounts):
    short = CliRunner().invoke(cli_app, ["user", "set-password", "admin", "--password-stdin"],
                               input="short\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    assert sign_in(browser, "admin").status_code == 303  # the old password still works
    browser.cookies.clear()
    done = CliRunner().invoke(cli_app, ["user", "set-password", "admin", "--password-stdin"],
                              input="piped in from a vault\n")
    assert done.exit_code == 0, done.output
    assert sign_in(browser, "admin", password="piped in from a vault").status_code == 303
    unknown = CliRunner().invoke(cli_app, ["user", "set-password", "nobody",
                                           "--password-stdin"], input="long enough pass\n")
    assert unknown.exit_code != 0 and "no user named" in unknown.output


def test_first_start_hands_over_a_console_password_beside_the_token(
        settings, database, browser, capsys):
    first_start(settings, database, interactive=False)
    out, err = capsys.readouterr()
    path = settings.data_dir / PASSWORD_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    password = path.read_text().strip()
    assert len(password) >= 20 and password not in out + err
    assert str(path.resolve()) in out and "/sign-in as admin" in out
    assert "warroom user set-password admin" in out
    assert sign_in(browser, "admin", password=password).status_code == 303
    assert browser.get("/probe").json()["role"] == "admin"


def test_first_start_on_a_terminal_prints_the_password(settings, database, capsys,
                                                        monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    first_start(settings, database, interactive=True)
    out, _ = capsys.readouterr()
    password = (settings.data_dir / PASSWORD_FILE).read_text().strip()
    assert f"admin console password (shown once): {password}" in out
