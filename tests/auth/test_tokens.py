"""API tokens: shown once, stored hashed, expiring, revocable, role-capped."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from typer.testing import CliRunner

from warroom.auth import service
from warroom.auth.models import ApiToken
from warroom.cli import app as cli_app


def test_token_is_stored_only_as_a_hash(client, people, database):
    with database.read() as session:
        stored = [t.token_hash for t in session.scalars(select(ApiToken))]
    for secret in people.tokens.values():
        assert secret not in stored
        assert service.hash_token(secret) in stored


def test_anonymous_is_401_and_bad_token_is_401(client):
    assert client.get("/api/v1/incidents").status_code == 401
    answer = client.get("/api/v1/incidents", headers={"Authorization": "Bearer wr_nope"})
    assert answer.status_code == 401
    assert answer.json()["detail"] == "This API token is unknown, expired or revoked."


def test_expired_token_stops_working(client, people, clock):
    created = client.post("/api/v1/tokens", headers=people.admin, json={
        "name": "short", "expires_at": (clock.now() + timedelta(hours=1)).isoformat()}).json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    clock.advance(hours=1, seconds=1)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_revoked_token_stops_working(client, people):
    created = client.post("/api/v1/tokens", headers=people.admin, json={"name": "ci"}).json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    client.delete(f"/api/v1/tokens/{created['id']}", headers=people.admin)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_disabled_user_tokens_stop_working(client, people):
    client.patch("/api/v1/users/responder", json={"is_active": False}, headers=people.admin)
    assert client.get("/api/v1/me", headers=people.headers("responder")).status_code == 401


def test_last_used_is_recorded_at_minute_resolution(client, people, clock, database):
    client.get("/api/v1/me", headers=people.headers("viewer"))
    first = _last_used(database, "viewer")
    assert first == clock.now()
    clock.advance(seconds=30)
    client.get("/api/v1/me", headers=people.headers("viewer"))
    assert _last_used(database, "viewer") == first
    clock.advance(seconds=31)
    client.get("/api/v1/me", headers=people.headers("viewer"))
    assert _last_used(database, "viewer") == clock.now()


def test_token_role_caps_the_owner(client, people):
    created = client.post("/api/v1/tokens", headers=people.admin,
                          json={"name": "read-only", "role": "viewer"}).json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/api/v1/me", headers=headers).json()["role"] == "viewer"
    answer = client.post("/api/v1/incidents", headers=headers,
                         json={"type": "third_party", "severity": "low"})
    assert answer.status_code == 403
    assert "incident:write" in answer.json()["detail"]


def test_token_cannot_exceed_owner_role(client, people):
    answer = client.post("/api/v1/tokens", headers=people.headers("viewer"),
                         json={"name": "escalate", "role": "admin"})
    assert answer.status_code == 403
    assert "more power than itself" in answer.json()["detail"]


def test_only_admins_issue_tokens_for_others(client, people):
    answer = client.post("/api/v1/tokens", headers=people.headers("commander"),
                         json={"name": "x", "username": "viewer"})
    assert answer.status_code == 403


def test_token_list_never_shows_secrets(client, people):
    listed = client.get("/api/v1/tokens", headers=people.admin).json()
    text = str(listed)
    for secret in people.tokens.values():
        assert secret not in text
    assert all("token" not in row for row in listed)


def test_cli_token_create_prints_only_the_token(database):
    result = CliRunner().invoke(cli_app, ["token", "create", "--name", "alertmanager",
                                          "--role", "responder"])
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.strip().splitlines()
    assert line.startswith("wr_") and " " not in line
    with database.read() as session:
        user = service.get_by_username(session, username="alertmanager")
        assert user is not None and user.role == "responder" and user.is_service_account


def test_cli_token_for_a_user_takes_the_users_role_unless_told(database, work):
    with work() as uow:
        service.create(uow, username="vic", role="viewer")
    result = CliRunner().invoke(cli_app, ["token", "create", "--name", "walk", "--user", "vic"])
    assert result.exit_code == 0, result.output
    with database.read() as session:
        (token,) = service.get_tokens(session, user=service.get_by_username(session,
                                                                             username="vic"))
        assert token.role == "viewer"


def test_cli_token_bad_role_is_a_sentence(database):
    result = CliRunner().invoke(cli_app, ["token", "create", "--name", "x", "--role", "god"])
    assert result.exit_code == 1
    assert "not a valid role" in result.output


def test_bootstrap_admin_happens_once(work):
    with work() as uow:
        first = service.bootstrap_admin(uow, username="admin")
    with work() as uow:
        second = service.bootstrap_admin(uow, username="admin")
    assert first is not None and first.secret.startswith("wr_")
    assert second is None


def _last_used(database, username):
    with database.read() as session:
        user = service.get_by_username(session, username=username)
        return service.get_tokens(session, user=user)[0].last_used_at
