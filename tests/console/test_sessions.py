"""Sessions after sign-in: the screens' interface (session_actor,
console_requires, check_csrf), expiry by the clock, sign-out, and the events
that end every session of a person or of everyone."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select
from typer.testing import CliRunner

from tests.console.conftest import PASSWORD, form_token, sign_in
from warroom.audit.models import AuditEntry
from warroom.auth import rotation
from warroom.auth import service as users
from warroom.auth.models import UserSession
from warroom.cli import app as cli_app
from warroom.console.session import SESSION_COOKIE


def signed_in(browser) -> bool:
    return browser.get("/probe").status_code == 200


def test_no_session_is_sent_to_sign_in_with_where_it_was_going(browser):
    answer = browser.get("/probe", params={"tab": "timeline"})
    assert answer.status_code == 303
    location = urlsplit(answer.headers["location"])
    assert location.path == "/sign-in"
    assert parse_qs(location.query)["next"] == ["/probe?tab=timeline"]


def test_a_made_up_cookie_is_no_session(browser):
    browser.cookies.set(SESSION_COOKIE, "made-up")
    assert browser.get("/probe").status_code == 303


def test_the_permission_table_applies_to_sessions(browser, accounts):
    sign_in(browser, "viewer")
    token = browser.get("/probe").json()["csrf"]
    refused = browser.post("/probe", data={"csrf_token": token})
    assert refused.status_code == 403 and "incident:write" in refused.json()["detail"]


def test_a_role_change_holds_at_the_next_click(browser, accounts, work):
    sign_in(browser, "viewer")
    assert browser.get("/probe").json()["role"] == "viewer"
    with work() as uow:
        users.update(uow, user=users.get_by_username_or_raise(uow.session, username="viewer"),
                     role="commander")
    assert browser.get("/probe").json()["role"] == "commander"
    token = browser.get("/probe").json()["csrf"]
    assert browser.post("/probe", data={"csrf_token": token}).json() == {"changed_by": "viewer"}


def test_a_form_post_needs_this_sessions_csrf_token(app, browser, accounts):
    sign_in(browser, "responder")
    token = browser.get("/probe").json()["csrf"]
    missing = browser.post("/probe", data={})
    assert missing.status_code == 403 and "This form has expired" in missing.text
    assert missing.headers["content-type"].startswith("text/html")
    assert browser.post("/probe", data={"csrf_token": token + "x"}).status_code == 403
    assert browser.post("/probe", data={"csrf_token": token}).status_code == 200
    assert browser.post("/probe", headers={"X-CSRF-Token": token}).status_code == 200
    cross = browser.post("/probe", data={"csrf_token": token},
                         headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    # another person's token is no good in this session
    from fastapi.testclient import TestClient
    with TestClient(app, follow_redirects=False) as other:
        sign_in(other, "admin")
        theirs = other.get("/probe").json()["csrf"]
    assert browser.post("/probe", data={"csrf_token": theirs}).status_code == 403


def test_an_idle_session_ends_after_the_idle_time(browser, accounts, clock):
    sign_in(browser, "viewer")
    clock.advance(minutes=119)
    assert signed_in(browser)  # use resets the idle time
    clock.advance(minutes=119)
    assert signed_in(browser)
    clock.advance(minutes=120)
    assert not signed_in(browser)


def test_a_busy_session_still_ends_at_its_absolute_end(browser, accounts, clock):
    sign_in(browser, "viewer")
    for _ in range(23):
        clock.advance(minutes=60)
        assert signed_in(browser)
    clock.advance(minutes=60)
    assert not signed_in(browser)


def test_expiry_follows_the_settings(browser, accounts, clock, monkeypatch):
    from warroom import config
    monkeypatch.setenv("WARROOM_SESSION_IDLE_MINUTES", "5")
    config.reset()
    sign_in(browser, "viewer")
    clock.advance(minutes=4)
    assert signed_in(browser)
    clock.advance(minutes=5)
    assert not signed_in(browser)


def test_sign_out_ends_the_session_on_the_server(browser, accounts, database):
    sign_in(browser, "viewer")
    cookie = browser.cookies[SESSION_COOKIE]
    token = browser.get("/probe").json()["csrf"]
    answer = browser.post("/sign-out", data={"csrf_token": token})
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in"
    assert not signed_in(browser)
    browser.cookies.set(SESSION_COOKIE, cookie)  # a kept copy of the cookie is dead too
    assert not signed_in(browser)
    with database.read() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "console.sign_out")).one()
    assert entry.actor == "viewer" and entry.target == "user:viewer"


def test_sign_out_without_the_token_is_refused(browser, accounts):
    sign_in(browser, "viewer")
    assert browser.post("/sign-out").status_code == 403
    assert signed_in(browser)


def test_disabling_a_user_ends_their_sessions(app, browser, accounts, database):
    sign_in(browser, "responder")
    result = CliRunner().invoke(cli_app, ["user", "disable", "responder"])
    assert result.exit_code == 0, result.output
    assert not signed_in(browser)
    with database.read() as session:
        reasons = session.scalars(select(UserSession.end_reason)).all()
    assert reasons == ["user_disabled"]


def test_rotating_keys_ends_every_session(app, people, browser, accounts, database):
    from fastapi.testclient import TestClient
    sign_in(browser, "viewer")
    with TestClient(app, follow_redirects=False) as other:
        sign_in(other, "admin")
        answer = client_rotate(app, people)
        assert answer["ended_sessions"] == 2
        assert other.get("/probe").status_code == 303
    assert not signed_in(browser)


def client_rotate(app, people):
    from fastapi.testclient import TestClient
    with TestClient(app) as api:
        answer = api.post("/api/v1/admin/security/rotate-keys", headers=people.admin)
    assert answer.status_code == 200, answer.text
    assert answer.json()["ended_sessions"] == 2
    with app.state.database.read() as session:
        ended = session.scalars(select(UserSession).where(
            UserSession.end_reason == "keys_rotated")).all()
    return {"ended_sessions": len(ended)}


def test_the_rotation_audit_entry_counts_ended_sessions(browser, accounts, work, database):
    sign_in(browser, "viewer")
    with work() as uow:
        done = rotation.rotate(uow, rotation.RotationRequest(), caller_token_id=None)
    assert done.ended_sessions == 1
    with database.read() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "security.rotate_keys")).one()
    assert entry.after["ended_sessions"] == 1


def test_a_new_password_ends_the_users_other_sessions(browser, accounts, work):
    sign_in(browser, "viewer")
    from warroom.auth import passwords
    with work() as uow:
        passwords.set_password(uow, user=users.get_by_username_or_raise(
            uow.session, username="viewer"), password="a brand new passphrase")
    assert not signed_in(browser)
    assert sign_in(browser, "viewer").status_code == 401
    assert sign_in(browser, "viewer", password="a brand new passphrase").status_code == 303


def test_a_session_is_touched_at_minute_resolution(browser, accounts, clock, database):
    sign_in(browser, "viewer")
    start = clock.now()
    clock.advance(seconds=30)
    assert signed_in(browser)
    with database.read() as session:
        assert session.scalar(select(UserSession.last_seen_at)) == start
    clock.advance(seconds=31)
    assert signed_in(browser)
    with database.read() as session:
        assert session.scalar(select(UserSession.last_seen_at)) == clock.now()


def test_an_htmx_request_is_told_where_to_go(browser):
    answer = browser.get("/probe", headers={"HX-Request": "true"})
    assert answer.status_code == 303 and answer.headers["HX-Redirect"].startswith("/sign-in")


def test_the_sign_in_page_token_survives_until_used(browser, accounts):
    token = form_token(browser)
    answer = browser.post("/sign-in", data={"username": "viewer", "password": PASSWORD,
                                            "csrf_token": token})
    assert answer.status_code == 303
