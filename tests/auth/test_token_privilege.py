"""A token never issues a token above its own effective role, keeps the role
it was issued with when its owner is raised later, and anyone may list and
revoke their own tokens."""

from __future__ import annotations

from typer.testing import CliRunner

from warroom.cli import app as cli_app


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def mint(client, headers, **body):
    return client.post("/api/v1/tokens", headers=headers, json={"name": "minted", **body})


def assert_refused(answer, *words: str) -> None:
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    for word in words:
        assert word in answer.json()["detail"]


def test_a_capped_token_cannot_mint_a_token_above_its_cap(client, people):
    capped = mint(client, people.admin, role="viewer").json()["token"]
    assert_refused(mint(client, bearer(capped), role="admin"), "viewer", "admin")
    assert_refused(mint(client, bearer(capped), role="responder"), "viewer")


def test_a_token_minted_without_a_role_inherits_the_cap_not_the_owner(client, people):
    capped = mint(client, people.admin, role="responder").json()["token"]
    child = mint(client, bearer(capped)).json()
    assert child["role"] == "responder"
    answer = client.post("/api/v1/users", headers=bearer(child["token"]),
                         json={"username": "mallory", "role": "admin"})
    assert_refused(answer, "user:admin")


def test_a_token_keeps_the_role_it_was_issued_with_when_its_owner_is_raised(client, people):
    issued = mint(client, people.admin, username="viewer").json()
    assert issued["role"] == "viewer"
    client.patch("/api/v1/users/viewer", headers=people.admin, json={"role": "admin"})
    assert client.get("/api/v1/me", headers=bearer(issued["token"])).json()["role"] == "viewer"
    assert client.get("/api/v1/me", headers=people.headers("viewer")).json()["role"] == "viewer"


def test_a_lowered_owner_lowers_their_tokens(client, people):
    client.patch("/api/v1/users/commander", headers=people.admin, json={"role": "viewer"})
    me = client.get("/api/v1/me", headers=people.headers("commander")).json()
    assert me["role"] == "viewer"


def test_a_cli_service_account_raised_later_keeps_its_old_tokens_low(client, people):
    runner = CliRunner()
    low = runner.invoke(cli_app, ["token", "create", "--name", "ci", "--role", "viewer"])
    assert low.exit_code == 0, low.output
    raised = runner.invoke(cli_app, ["token", "create", "--name", "ci", "--role", "admin"])
    assert raised.exit_code == 0, raised.output
    old = bearer(low.stdout.strip())
    assert client.get("/api/v1/me", headers=old).json()["role"] == "viewer"
    assert_refused(mint(client, old, role="admin"), "viewer")
    assert_refused(client.post("/api/v1/users", headers=old,
                               json={"username": "mallory", "role": "admin"}), "user:admin")


def test_a_token_cannot_be_issued_above_its_owner(client, people):
    answer = mint(client, people.admin, username="viewer", role="admin")
    assert_refused(answer, "more power than its owner")


def test_anyone_lists_only_their_own_tokens(client, people):
    mint(client, people.headers("responder"))
    listed = client.get("/api/v1/tokens", headers=people.headers("responder"))
    assert listed.status_code == 200, listed.text
    assert {row["user"] for row in listed.json()} == {"responder"}
    assert len(listed.json()) == 2
    everyone = client.get("/api/v1/tokens", headers=people.admin).json()
    assert {row["user"] for row in everyone} >= {"viewer", "responder", "admin"}


def test_anyone_revokes_their_own_leaked_token_but_not_others(client, people):
    leaked = mint(client, people.headers("viewer")).json()
    answer = client.delete(f"/api/v1/tokens/{leaked['id']}", headers=people.headers("viewer"))
    assert answer.status_code == 200, answer.text
    assert client.get("/api/v1/me", headers=bearer(leaked["token"])).status_code == 401
    others = mint(client, people.admin).json()
    assert_refused(client.delete(f"/api/v1/tokens/{others['id']}",
                                 headers=people.headers("commander")), "user:admin")
    assert client.get("/api/v1/me", headers=bearer(others["token"])).status_code == 200
