"""Choosing playbooks by more than the type: services, labels and the words of
the title and description, with the reason on the timeline and in the audit log."""

from __future__ import annotations

import pytest

from tests.playbooks.conftest import write_playbook
from warroom.playbooks import catalogue

SEED_002_DECLARATION = {"type": "security_breach", "severity": "critical",
                        "description": "Unauthorized database access detected"}

TYPED = """
name: {name}
version: "1"
title: A matching playbook
source: seed 002 Specific Incident Scenarios
applies_to:
  incident_types: [service_outage]
{match}
phases:
  - phase: triage
    due: 0-5 minutes
    steps:
      - id: look
        title: Look at the dashboard
        role: technical_lead
        kind: checklist
        source: seed 000 §2.1 Manual Detection Indicators
"""


def declare(client, people, body):
    answer = client.post("/api/v1/admin/incidents", headers=people.admin, json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def runs_of(client, people, ref):
    answer = client.get(f"/api/v1/incidents/{ref}/playbooks", headers=people.admin)
    return [(r["playbook"], r["how"]) for r in answer.json()["runs"]]


def test_seed_002_declaration_gets_the_database_compromise_playbook(client, people):
    ref = declare(client, people, SEED_002_DECLARATION)
    assert runs_of(client, people, ref) == [("initial-response", "every_incident"),
                                            ("database-compromise", "match")]
    events = client.get(f"/api/v1/incidents/{ref}/timeline", headers=people.admin).json()
    summaries = [e["summary"] for e in events if e["kind"] == "step"]
    assert ("Playbook database-compromise 2025.12.04 attached: matched type security_breach "
            "and text 'database'") in summaries
    (entry,) = client.get("/api/v1/audit", headers=people.admin, params={
        "target": f"incident:{ref}/playbooks"}).json()
    assert entry["action"] == "playbook.select"
    assert [(c["playbook"], c["how"], c["why"]) for c in entry["after"]["chosen"]] == [
        ("initial-response", "every_incident", "attached to every incident (selection.yaml)"),
        ("database-compromise", "match", "matched type security_breach and text 'database'")]


def test_a_breach_that_names_nothing_specific_still_gets_the_type_playbook(client, people):
    ref = declare(client, people, {**SEED_002_DECLARATION,
                                   "description": "Suspicious WebSocket connections"})
    assert runs_of(client, people, ref)[1] == ("security-incident", "type")


def test_a_routing_rule_still_outranks_a_match(work, client, people):
    from warroom.incidents import service as incidents

    with work() as uow:
        ref = incidents.declare(uow, declaration=incidents.Declaration(
            type="security_breach", severity="critical", description="database access",
            context={"playbook": "security-incident"})).ref
    assert runs_of(client, people, ref)[1:] == [("security-incident", "routing")]


def test_the_most_specific_match_wins_and_equal_ones_all_attach(
        playbooks_dir, client, people):
    write_playbook(playbooks_dir, "by-word", TYPED.format(
        name="by-word", match="  match:\n    keywords: [replica]"))
    write_playbook(playbooks_dir, "by-word-and-label", TYPED.format(
        name="by-word-and-label",
        match="  match:\n    keywords: [replica]\n    labels: {region: eu}"))
    write_playbook(playbooks_dir, "by-service", TYPED.format(
        name="by-service", match="  match:\n    services: [media]\n    pattern: 'lag+ed'"))
    body = {"type": "service_outage", "severity": "sev2", "title": "Replica laggged",
            "labels": {"region": "eu"}, "services": ["media"]}
    ref = declare(client, people, body)
    assert sorted(runs_of(client, people, ref)[1:]) == [("by-service", "match"),
                                                        ("by-word-and-label", "match")]
    events = client.get(f"/api/v1/incidents/{ref}/timeline", headers=people.admin).json()
    assert any(e["summary"].endswith("matched type service_outage and service 'media' and "
                                     "text /lag+ed/") for e in events)


@pytest.mark.parametrize(("match", "says"), [
    ("  match:\n    pattern: '(unclosed'", "is not a regular expression"),
    ("  match: {}", "match needs at least one of"),
    ("  match:\n    keyword: [db]", "keyword: Extra inputs are not permitted"),
])
def test_bad_selectors_are_a_clear_error_at_load(playbooks_dir, match, says):
    path = write_playbook(playbooks_dir, "bad-match", TYPED.format(name="bad-match",
                                                                   match=match))
    (problems,) = catalogue.validate([path]).values()
    assert any(says in problem for problem in problems), problems
