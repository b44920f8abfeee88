"""Shipped policies and positions (data, validated), custom policies, position
bindings, people's contact methods and teams, over the API and CLI."""

from __future__ import annotations

import json

import yaml
from typer.testing import CliRunner

from warroom import config
from warroom.cli import app as cli_app
from warroom.config import shipped_dir
from warroom.oncall.policies import service as policies
from warroom.oncall.positions import catalog

runner = CliRunner()


def test_shipped_policies_reproduce_the_seed_matrix_exactly(client, people):
    answer = client.get("/api/v1/oncall/policies", headers=people.headers("viewer"))
    found = {p["name"]: p for p in answer.json()}
    assert sorted(found) == ["sev1", "sev2", "sev3", "sev4"]
    table = {name: list(zip(p["step_minutes"], [s["name"] for s in p["steps"]], strict=True))
             for name, p in found.items()}
    assert table == {
        "sev1": [(0, "On-call Engineer"), (15, "Team Lead"), (30, "Engineering Manager"),
                 (60, "VP Engineering"), (120, "CTO")],
        "sev2": [(0, "On-call Engineer"), (15, "Team Lead"), (30, "Engineering Manager"),
                 (120, "VP Engineering")],
        "sev3": [(0, "On-call Engineer"), (15, "Team Lead"), (60, "Engineering Manager")],
        "sev4": [(0, "On-call Engineer"), (30, "Team Lead")],
    }
    assert all(p["source"] == "shipped" for p in found.values())


def test_every_shipped_policy_file_is_valid_and_names_known_positions():
    folder = shipped_dir("rules") / "escalation" / "policies"
    files = sorted(folder.glob("*.yaml"))
    assert [f.stem for f in files] == ["sev1", "sev2", "sev3", "sev4"]
    known = {p.id for p in catalog.positions()}
    for path in files:
        document = yaml.safe_load(path.read_text())
        assert document["name"] == path.stem
        policy = policies.shipped()[path.stem]
        assert {t.position for t in policy.targets()} <= known


def test_a_custom_policy_replaces_the_shipped_one_until_deleted(client, people, org):
    org.person("ana")
    body = {"name": "sev3", "steps": [{"targets": [{"user": "ana"}], "delay": "20m"}]}
    put = client.put("/api/v1/oncall/policies/sev3", json=body, headers=people.admin)
    assert put.status_code == 200, put.text
    assert (put.json()["source"], put.json()["steps"][0]["delay"]) == ("custom", "20m")
    assert org.declare("sev3") and org.paged() == ["ana"]
    assert client.delete("/api/v1/oncall/policies/sev3", headers=people.admin).status_code \
        == 204
    shown = client.get("/api/v1/oncall/policies/sev3", headers=people.admin).json()
    assert shown["source"] == "shipped"


def test_policies_that_cannot_work_are_refused(client, people):
    forever = {"name": "loop", "repeat": 3, "steps": [{"targets": [{"user": "admin"}],
                                                       "delay": "0m"}]}
    answer = client.put("/api/v1/oncall/policies/loop", json=forever, headers=people.admin)
    assert answer.status_code == 422 and "must wait" in answer.json()["detail"]
    typo = {"name": "typo", "steps": [{"targets": [{"schedule": "primray"}], "delay": "5m"}]}
    answer = client.put("/api/v1/oncall/policies/typo", json=typo, headers=people.admin)
    assert answer.status_code == 404 and "primray" in answer.json()["detail"]
    two = {"name": "two", "steps": [{"targets": [{"user": "a", "team": "b"}], "delay": "5m"}]}
    answer = client.put("/api/v1/oncall/policies/two", json=two, headers=people.admin)
    assert answer.status_code == 422 and "exactly one" in answer.json()["detail"]


def test_positions_are_bound_per_organisation_or_per_service(org, client, people):
    org.person("ana")
    org.person("omar")
    client.put("/api/v1/oncall/positions/on_call_engineer", headers=people.admin,
               json={"targets": [{"user": "ana"}]})
    answer = client.put("/api/v1/oncall/positions/on_call_engineer", headers=people.admin,
                        json={"targets": [{"user": "omar"}], "service": "payments"})
    assert answer.status_code == 200, answer.text
    listed = {p["id"]: p for p in answer.json()}
    assert set(listed) == {"on_call_engineer", "team_lead", "engineering_manager",
                           "vp_engineering", "cto"}
    assert listed["on_call_engineer"]["bindings"] == [
        {"service": "", "targets": [{"user": "ana"}]},
        {"service": "payments", "targets": [{"user": "omar"}]}]
    org.declare("sev3", services=["payments"])
    assert org.paged() == ["omar"]
    org.declare("sev3", services=["chat"])
    assert org.paged() == ["ana"]


def test_bad_bindings_are_refused(client, people):
    position = client.put("/api/v1/oncall/positions/on_call_engineer", headers=people.admin,
                          json={"targets": [{"position": "cto"}]})
    assert position.status_code == 422 and "not to another position" in \
        position.json()["detail"]
    unknown = client.put("/api/v1/oncall/positions/janitor", headers=people.admin,
                         json={"targets": [{"user": "admin"}]})
    assert unknown.status_code == 422 and "on_call_engineer" in unknown.json()["detail"]


def with_a_gateway(monkeypatch) -> None:
    monkeypatch.setenv("WARROOM_SMS_GATEWAY_URL", "https://sms-gateway.example.com/send")
    config.reset()


def test_people_manage_their_own_contact_methods_only(client, people, monkeypatch):
    with_a_gateway(monkeypatch)
    mine = client.post("/api/v1/oncall/people/responder/contact-methods",
                       headers=people.headers("responder"),
                       json={"kind": "webhook", "address": "https://hooks.example.com/r",
                             "secret": "a-long-signing-secret"})
    assert mine.status_code == 201, mine.text
    assert mine.json()["signed"] is True and "secret" not in mine.json()
    theirs = client.post("/api/v1/oncall/people/viewer/contact-methods",
                         headers=people.headers("responder"),
                         json={"kind": "email", "address": "v@example.com"})
    assert theirs.status_code == 403 and "oncall:write" in theirs.json()["detail"]
    commander = client.post("/api/v1/oncall/people/viewer/contact-methods",
                            headers=people.headers("commander"),
                            json={"kind": "sms", "address": "+4915112345678"})
    assert commander.status_code == 201
    bad = client.post("/api/v1/oncall/people/responder/contact-methods",
                      headers=people.headers("responder"), json={"kind": "sms",
                                                                 "address": "call me"})
    assert bad.status_code == 422 and "international form" in bad.json()["detail"]


def test_notification_rules_and_renotify_through_the_api(client, people, monkeypatch):
    with_a_gateway(monkeypatch)
    h = people.headers("responder")
    email = client.post("/api/v1/oncall/people/responder/contact-methods", headers=h,
                        json={"kind": "email", "address": "r@example.com"}).json()
    phone = client.post("/api/v1/oncall/people/responder/contact-methods", headers=h,
                        json={"kind": "voice", "address": "+15550001111"}).json()
    client.post("/api/v1/oncall/people/responder/notification-rules", headers=h,
                json={"contact_method_id": email["id"], "delay_minutes": 0})
    client.post("/api/v1/oncall/people/responder/notification-rules", headers=h,
                json={"contact_method_id": phone["id"], "delay_minutes": 5})
    client.patch("/api/v1/oncall/people/responder", headers=h, json={"renotify_minutes": 10})
    person = client.get("/api/v1/oncall/people/responder", headers=people.headers("viewer"))
    assert person.json()["renotify_minutes"] == 10
    assert [(r["kind"], r["delay_minutes"]) for r in person.json()["notification_rules"]] == [
        ("email", 0), ("voice", 5)]
    removed = client.delete(f"/api/v1/oncall/people/responder/contact-methods/{phone['id']}",
                            headers=h)
    assert [r["kind"] for r in removed.json()["notification_rules"]] == ["email"]


def test_teams_over_the_api(client, people):
    created = client.post("/api/v1/oncall/teams", headers=people.admin,
                          json={"name": "sre", "members": ["responder"]})
    assert created.status_code == 201
    client.put("/api/v1/oncall/teams/sre/members/commander", headers=people.admin)
    team = client.get("/api/v1/oncall/teams/sre", headers=people.headers("viewer")).json()
    assert team["members"] == ["commander", "responder"]
    person = client.get("/api/v1/oncall/people/commander", headers=people.admin).json()
    assert person["teams"] == ["sre"]


def test_cli_binds_positions_and_lists_policies(database, people):
    bound = runner.invoke(cli_app, ["oncall", "position", "bind", "team_lead", "--target",
                                    "user:commander"])
    assert bound.exit_code == 0, bound.output
    listed = json.loads(runner.invoke(cli_app, ["oncall", "position", "list", "--json"]).stdout)
    assert [b["targets"] for p in listed if p["id"] == "team_lead" for b in p["bindings"]] == [
        [{"user": "commander"}]]
    table = runner.invoke(cli_app, ["oncall", "policy", "list"]).stdout
    assert "sev1" in table and "120: CTO" in table
    typo = runner.invoke(cli_app, ["oncall", "position", "bind", "cto", "--target", "boss"])
    assert typo.exit_code == 1 and "kind:name" in typo.output
