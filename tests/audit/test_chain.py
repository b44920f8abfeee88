"""The audit chain catches edited, deleted, reordered and truncated entries."""

from __future__ import annotations

from sqlalchemy import text
from typer.testing import CliRunner

from warroom.audit import verify as audit
from warroom.cli import app as cli_app
from warroom.incidents import service as incidents


def make_history(work, count: int = 5) -> None:
    for n in range(count):
        with work() as uow:
            incidents.declare(uow, declaration=incidents.Declaration(
                type="service_outage", severity="low", title=f"incident {n}"))


def verify(database):
    with database.read() as session:
        return audit.verify(session)


def tamper(database, sql: str) -> None:
    with database.engine.begin() as conn:
        conn.execute(text(sql))


def test_intact_chain_verifies(database, work):
    make_history(work)
    result = verify(database)
    # Each declaration is audited, and so is the choice of its playbooks.
    assert result.ok and result.checked == 10
    assert result.message == "audit chain intact: 10 entries verified"


def test_edited_entry_is_named(database, work):
    make_history(work)
    tamper(database, "UPDATE audit_entries SET actor = 'someone-else' WHERE seq = 3")
    result = verify(database)
    assert not result.ok
    assert result.first_bad_seq == 3
    assert result.problem == "the entry was edited after it was written"


def test_edited_json_payload_is_caught(database, work):
    make_history(work)
    tamper(database, """UPDATE audit_entries SET after = '{"severity": "sev1"}' WHERE seq = 2""")
    result = verify(database)
    assert (result.ok, result.first_bad_seq) == (False, 2)


def test_deleted_entry_is_named(database, work):
    make_history(work)
    tamper(database, "DELETE FROM audit_entries WHERE seq = 2")
    result = verify(database)
    assert not result.ok
    assert result.first_bad_seq == 2
    assert result.problem == "entry 2 is missing (deleted)"


def test_deleted_and_renumbered_entry_is_caught(database, work):
    make_history(work)
    tamper(database, "DELETE FROM audit_entries WHERE seq = 2")
    for seq in (3, 4, 5):
        tamper(database, f"UPDATE audit_entries SET seq = {seq - 1} WHERE seq = {seq}")
    tamper(database, "UPDATE audit_head SET seq = 4")
    result = verify(database)
    assert not result.ok
    assert result.first_bad_seq == 2


def test_reordered_entries_are_named(database, work):
    make_history(work)
    tamper(database, "UPDATE audit_entries SET seq = 100 WHERE seq = 3")
    tamper(database, "UPDATE audit_entries SET seq = 3 WHERE seq = 4")
    tamper(database, "UPDATE audit_entries SET seq = 4 WHERE seq = 100")
    result = verify(database)
    assert not result.ok
    assert result.first_bad_seq == 3
    assert result.problem == "entries were reordered"


def test_cut_off_tail_is_caught(database, work):
    make_history(work)
    tamper(database, "DELETE FROM audit_entries WHERE seq = 5")
    result = verify(database)
    assert not result.ok
    assert result.first_bad_seq == 5
    assert "deleted" in result.problem


def test_cli_verify_exits_nonzero_and_names_the_entry(database, work):
    make_history(work)
    runner = CliRunner()
    ok = runner.invoke(cli_app, ["audit", "verify"])
    assert ok.exit_code == 0 and "10 entries verified" in ok.output
    tamper(database, "UPDATE audit_entries SET action = 'nothing' WHERE seq = 4")
    broken = runner.invoke(cli_app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "broken at entry 4" in broken.output


def test_entries_record_actor_ip_and_before_after(client, people):
    client.post("/api/v1/incidents", json={"type": "third_party", "severity": "low"},
                headers=people.admin)
    client.patch("/api/v1/incidents/INC-1", json={"title": "Vendor outage"},
                 headers=people.headers("responder"))
    entries = client.get("/api/v1/audit", params={"action": "incident.update"},
                         headers=people.admin).json()
    (entry,) = entries
    assert entry["actor"] == "responder"
    assert entry["source_ip"] == "testclient"
    assert entry["before"]["title"] == "Low third party"
    assert entry["after"]["title"] == "Vendor outage"
    assert client.get("/api/v1/audit/verify", headers=people.admin).json()["ok"] is True


def test_every_state_change_is_audited(client, people):
    h = people.admin
    client.post("/api/v1/incidents", json={"type": "third_party", "severity": "low"}, headers=h)
    client.post("/api/v1/incidents/INC-1/notes", json={"text": "hi"}, headers=h)
    client.post("/api/v1/incidents/INC-1/transition", json={"phase": "triage"}, headers=h)
    client.post("/api/v1/incidents/INC-1/roles", json={"role": "technical_lead",
                                                       "primary": "responder"}, headers=h)
    client.post("/api/v1/users", json={"username": "dana", "role": "viewer"}, headers=h)
    actions = [e["action"] for e in client.get("/api/v1/audit", params={"limit": 100},
                                               headers=h).json()]
    for action in ("incident.declare", "incident.note", "incident.transition",
                   "incident.assign_role", "user.create"):
        assert action in actions
