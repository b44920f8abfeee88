"""The seed's ``POST /api/v1/admin/security/rotate-keys``: every API token is
revoked, the caller gets a replacement, and the rotation is audited."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from warroom.audit.models import AuditEntry
from warroom.cli import app as cli_app

ROTATE = "/api/v1/admin/security/rotate-keys"


def test_the_seed_call_revokes_every_token_and_hands_the_caller_a_new_one(client, people,
                                                                          database):
    # The seed's curl: a bearer token, no body, no content type.
    answer = client.post(ROTATE, headers=people.admin)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert sorted(t["user"] for t in body["revoked_tokens"]) == \
        ["admin", "commander", "responder", "viewer"]
    assert body["reissued"] == {}
    for role in ("admin", "commander", "responder", "viewer"):
        assert client.get("/api/v1/me", headers=people.headers(role)).status_code == 401
    fresh = {"Authorization": f"Bearer {body['token']}"}
    me = client.get("/api/v1/me", headers=fresh)
    assert me.status_code == 200 and me.json()["role"] == "admin"
    tokens = client.get("/api/v1/tokens", headers=fresh).json()
    assert [t["revoked_at"] is None for t in tokens].count(True) == 1
    with database.read() as session:
        entry = session.scalars(select(AuditEntry)
                                .where(AuditEntry.action == "security.rotate_keys")).one()
    assert entry.actor == "admin" and entry.after["revoked_tokens"] == 4
    assert client.get("/api/v1/audit/verify", headers=fresh).json()["ok"] is True


def test_only_admins_may_rotate_and_a_refusal_changes_nothing(client, people):
    for role in ("viewer", "responder", "commander"):
        assert client.post(ROTATE, headers=people.headers(role)).status_code == 403
    assert client.post(ROTATE).status_code == 401
    assert client.get("/api/v1/me", headers=people.headers("viewer")).status_code == 200


def test_a_bad_body_is_422_and_revokes_nothing(client, people):
    answer = client.post(ROTATE, headers=people.admin, json={"integration_keys": "maybe"})
    assert answer.status_code == 422
    assert "integration_keys" in answer.text
    assert client.get("/api/v1/me", headers=people.headers("viewer")).status_code == 200


def test_the_reason_is_audited(client, people, database):
    client.post(ROTATE, headers=people.admin, json={"reason": "INC-7: token leaked in a log"})
    with database.read() as session:
        entry = session.scalars(select(AuditEntry)
                                .where(AuditEntry.action == "security.rotate_keys")).one()
    assert entry.after["reason"] == "INC-7: token leaked in a log"


def test_the_cli_rotates_without_issuing_a_token(client, people, settings):
    result = CliRunner().invoke(cli_app, ["security", "rotate-keys", "--json"])
    assert result.exit_code == 0, result.output
    assert "revoked_tokens" in result.output
    assert client.get("/api/v1/me", headers=people.admin).status_code == 401
