"""The incident API, including the seed playbook's own declaration call."""

from __future__ import annotations

from datetime import timedelta

import pytest

SEED_BODY = {"type": "security_breach", "severity": "critical",
             "description": "Unauthorized database access detected"}


def declare(client, people, **fields):
    body = {"type": "service_outage", "severity": "sev2", "title": "Chat down", **fields}
    answer = client.post("/api/v1/incidents", json=body, headers=people.admin)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_seed_declaration_call_works_verbatim(client, people):
    answer = client.post("/api/v1/admin/incidents", json=SEED_BODY, headers={
        **people.admin, "Content-Type": "application/json"})
    assert answer.status_code == 201
    incident = answer.json()
    assert incident["id"] == "INC-1"
    assert incident["severity"] == "sev1"
    assert incident["type"] == "security_breach"
    assert incident["phase"] == "detection"
    assert incident["title"] == "Unauthorized database access detected"
    assert answer.headers["location"] == "/api/v1/incidents/INC-1"
    events = client.get("/api/v1/incidents/INC-1/timeline", headers=people.admin).json()
    assert [e["kind"] for e in events] == ["declared", "step", "step"]
    audit = client.get("/api/v1/audit", params={"target": "incident:INC-1"},
                       headers=people.admin).json()
    assert [e["action"] for e in audit] == ["incident.declare"]


def test_incident_ids_count_up(client, people):
    assert [declare(client, people)["id"] for _ in range(3)] == ["INC-1", "INC-2", "INC-3"]


@pytest.mark.parametrize(("given", "stored"), [("critical", "sev1"), ("high", "sev2"),
                                               ("medium", "sev3"), ("low", "sev4"),
                                               ("SEV3", "sev3"), ("sev4", "sev4")])
def test_severity_aliases(client, people, given, stored):
    assert declare(client, people, severity=given)["severity"] == stored


def test_unknown_severity_is_422_listing_valid_ones(client, people):
    answer = client.post("/api/v1/incidents", json={"type": "service_outage",
                                                    "severity": "urgent"}, headers=people.admin)
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    for name in ("sev1", "sev2", "sev3", "sev4", "critical", "low"):
        assert name in detail
    assert answer.json()["errors"][0]["field"] == "severity"


def test_unknown_type_is_422_listing_valid_ones(client, people):
    answer = client.post("/api/v1/incidents", json={"type": "alien_invasion",
                                                    "severity": "low"}, headers=people.admin)
    assert answer.status_code == 422
    assert "third_party" in answer.json()["detail"]


def test_unknown_fields_are_refused(client, people):
    answer = client.post("/api/v1/incidents", json={**SEED_BODY, "sevirity": "low"},
                         headers=people.admin)
    assert answer.status_code == 422
    assert "sevirity" in answer.json()["detail"]


def test_list_filters_and_pagination(client, people):
    declare(client, people, severity="sev1", type="security_breach", title="DB breach")
    declare(client, people, severity="sev3", type="performance_degradation", title="Slow chat")
    declare(client, people, severity="sev3", title="Media outage", is_drill=True)
    h = people.admin

    def ids(**params):
        return [i["id"] for i in client.get("/api/v1/incidents", params=params,
                                            headers=h).json()["items"]]

    assert ids() == ["INC-3", "INC-2", "INC-1"]
    assert ids(severity="medium") == ["INC-3", "INC-2"]
    assert ids(severity=["sev1", "sev3"], type="performance_degradation") == ["INC-2"]
    assert ids(q="breach") == ["INC-1"]
    assert ids(q="CHAT") == ["INC-2"]
    assert ids(drill="true") == ["INC-3"]
    assert ids(status="closed") == []
    assert ids(phase="detection") == ["INC-3", "INC-2", "INC-1"]
    page = client.get("/api/v1/incidents", params={"limit": 2, "offset": 2}, headers=h).json()
    assert page["total"] == 3 and [i["id"] for i in page["items"]] == ["INC-1"]
    bad = client.get("/api/v1/incidents", params={"severity": "nope"}, headers=h)
    assert bad.status_code == 422


def test_get_unknown_incident_is_404_with_hint(client, people):
    answer = client.get("/api/v1/incidents/INC-77", headers=people.admin)
    assert answer.status_code == 404
    assert "INC-42" in answer.json()["detail"]


def test_update_fields_and_severity_change_on_timeline(client, people):
    declare(client, people)
    answer = client.patch("/api/v1/incidents/INC-1", headers=people.admin, json={
        "severity": "critical", "reason": "all regions affected", "services": ["chat", "media"],
        "labels": {"region": "eu"}, "personal_data_breach": True})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["severity"] == "sev1" and body["services"] == ["chat", "media"]
    assert body["personal_data_breach"] is True
    events = client.get("/api/v1/incidents/INC-1/timeline", headers=people.admin).json()
    severity = [e for e in events if e["kind"] == "severity"]
    assert severity[0]["summary"] == "Severity raised from sev2 to sev1: all regions affected"
    assert any(e["kind"] == "update" for e in events)


def test_full_lifecycle_sets_milestones(client, people, clock):
    declare(client, people)
    h = people.admin
    steps = ["triage", "containment", "eradication", "recovery", "lessons_learned", "closed"]
    for phase in steps:
        clock.advance(minutes=5)
        answer = client.post("/api/v1/incidents/INC-1/transition", json={"phase": phase},
                             headers=h)
        assert answer.status_code == 200, answer.text
    incident = client.get("/api/v1/incidents/INC-1", headers=h).json()
    assert incident["phase"] == "closed"
    assert incident["legal_next_phases"] == []
    for milestone in ("acknowledged_at", "contained_at", "resolved_at", "closed_at"):
        assert incident[milestone] is not None, milestone
    assert incident["targets"]["minutes_to_acknowledge"] == 5.0
    assert incident["targets"]["minutes_to_contain"] == 15.0
    assert incident["targets"]["minutes_to_resolve"] == 25.0
    kinds = [e["kind"] for e in client.get("/api/v1/incidents/INC-1/timeline",
                                           headers=h).json()]
    assert kinds.count("phase") == 6


def test_illegal_transition_is_409_naming_legal_phases(client, people):
    declare(client, people)
    answer = client.post("/api/v1/incidents/INC-1/transition", json={"phase": "recovery"},
                         headers=people.admin)
    assert answer.status_code == 409
    body = answer.json()
    assert body["detail"] == "INC-1 is in detection; it can move to triage, not recovery."
    assert body["legal_next"] == ["triage"]


def test_unknown_phase_is_422(client, people):
    declare(client, people)
    answer = client.post("/api/v1/incidents/INC-1/transition", json={"phase": "panic"},
                         headers=people.admin)
    assert answer.status_code == 422
    assert "lessons_learned" in answer.json()["detail"]


def test_responder_cannot_close_but_commander_can(client, people):
    declare(client, people)
    for phase in ["triage", "recovery", "lessons_learned"]:
        client.post("/api/v1/incidents/INC-1/transition", json={"phase": phase},
                    headers=people.headers("responder"))
    answer = client.post("/api/v1/incidents/INC-1/transition", json={"phase": "closed"},
                         headers=people.headers("responder"))
    assert answer.status_code == 403
    answer = client.post("/api/v1/incidents/INC-1/transition", json={"phase": "closed"},
                         headers=people.headers("commander"))
    assert answer.status_code == 200


def test_acknowledge_moves_to_triage_once(client, people, clock):
    declare(client, people)
    clock.advance(minutes=2)
    first = client.post("/api/v1/incidents/INC-1/acknowledge",
                        headers=people.headers("responder")).json()
    assert first["acknowledged_by"] == "responder" and first["phase"] == "triage"
    assert first["targets"]["minutes_to_acknowledge"] == 2.0
    clock.advance(minutes=2)
    again = client.post("/api/v1/incidents/INC-1/acknowledge", headers=people.admin).json()
    assert again["acknowledged_by"] == "responder"


def test_response_target_breach_is_reported(client, people, clock):
    declare(client, people, severity="critical")
    clock.advance(minutes=6)
    incident = client.get("/api/v1/incidents/INC-1", headers=people.admin).json()
    assert incident["targets"]["response_target"] == "5 min"
    assert incident["targets"]["response_breached"] is True


def test_assign_roles_with_primary_and_backup(client, people):
    declare(client, people)
    answer = client.post("/api/v1/incidents/INC-1/roles", headers=people.admin, json={
        "role": "incident_commander", "primary": "commander", "backup": "admin"})
    assert answer.status_code == 200, answer.text
    (role,) = answer.json()["roles"]
    assert (role["name"], role["primary"], role["backup"]) == ("Incident Commander",
                                                               "commander", "admin")
    answer = client.post("/api/v1/incidents/INC-1/roles", headers=people.admin, json={
        "role": "database_administrator", "primary": "responder"})
    assert len(answer.json()["roles"]) == 2
    unknown = client.post("/api/v1/incidents/INC-1/roles", headers=people.admin,
                          json={"role": "wizard", "primary": "admin"})
    assert unknown.status_code == 422 and "legal_compliance" in unknown.json()["detail"]
    nobody = client.post("/api/v1/incidents/INC-1/roles", headers=people.admin,
                         json={"role": "technical_lead", "primary": "ghost"})
    assert nobody.status_code == 404 and "ghost" in nobody.json()["detail"]
    same = client.post("/api/v1/incidents/INC-1/roles", headers=people.admin,
                       json={"role": "technical_lead", "primary": "admin", "backup": "admin"})
    assert same.status_code == 422


def test_notes_go_on_the_timeline(client, people):
    declare(client, people)
    answer = client.post("/api/v1/incidents/INC-1/notes", json={"text": "Rolled back v2.3"},
                         headers=people.headers("responder"))
    assert answer.status_code == 201
    (note,) = answer.json()
    assert note["summary"] == "Rolled back v2.3" and note["actor"] == "responder"
    empty = client.post("/api/v1/incidents/INC-1/notes", json={"text": ""},
                        headers=people.admin)
    assert empty.status_code == 422


def test_milestones_are_editable_with_a_reason(client, people, clock):
    declare(client, people)
    earlier = (clock.now() - timedelta(hours=1)).isoformat()
    answer = client.post("/api/v1/incidents/INC-1/milestones", headers=people.admin, json={
        "milestone": "started_at", "value": earlier, "reason": "logs show errors from 11:00"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["started_at"].startswith(earlier[:19])
    events = client.get("/api/v1/incidents/INC-1/timeline", params={"kind": "milestone"},
                        headers=people.admin).json()
    assert "logs show errors from 11:00" in events[0]["summary"]
    backwards = client.post("/api/v1/incidents/INC-1/milestones", headers=people.admin, json={
        "milestone": "started_at", "value": (clock.now() + timedelta(minutes=1)).isoformat(),
        "reason": "typo"})
    assert backwards.status_code == 422
    assert "cannot be earlier" in backwards.json()["detail"]
    no_reason = client.post("/api/v1/incidents/INC-1/milestones", headers=people.admin,
                            json={"milestone": "started_at", "value": earlier})
    assert no_reason.status_code == 422


def test_declared_in_error_closes_and_keeps_the_incident(client, people):
    declare(client, people)
    answer = client.post("/api/v1/incidents/INC-1/declared-in-error",
                         json={"reason": "test alert from staging"}, headers=people.admin)
    assert answer.status_code == 200
    body = answer.json()
    assert body["phase"] == "closed" and body["declared_in_error"] is True
    assert client.get("/api/v1/incidents/INC-1", headers=people.admin).status_code == 200
    again = client.post("/api/v1/incidents/INC-1/declared-in-error", json={"reason": "again"},
                        headers=people.admin)
    assert again.status_code == 409


def test_there_is_no_delete(client, people):
    declare(client, people)
    assert client.delete("/api/v1/incidents/INC-1", headers=people.admin).status_code == 405


def test_related_incidents_link_both_ways(client, people):
    declare(client, people)
    declare(client, people, related=["INC-1"])
    first = client.get("/api/v1/incidents/INC-1", headers=people.admin).json()
    assert first["related"] == [{"incident": "INC-2", "kind": "related"}]
    self_link = client.post("/api/v1/incidents/INC-1/links", json={"incident": "INC-1"},
                            headers=people.admin)
    assert self_link.status_code == 422
    unlinked = client.delete("/api/v1/incidents/INC-2/links/INC-1", headers=people.admin)
    assert unlinked.json()["related"] == []


def test_labels_are_limited(client, people):
    labels = {f"k{i}": "v" for i in range(65)}
    answer = client.post("/api/v1/incidents", headers=people.admin, json={
        "type": "service_outage", "severity": "low", "labels": labels})
    assert answer.status_code == 422
    assert "64 labels" in answer.json()["detail"]


def test_future_start_time_is_refused(client, people, clock):
    answer = client.post("/api/v1/incidents", headers=people.admin, json={
        "type": "service_outage", "severity": "low",
        "started_at": (clock.now() + timedelta(days=1)).isoformat()})
    assert answer.status_code == 422
    assert "future" in answer.json()["detail"]


def test_severities_carry_targets_and_tiers(client, people):
    severities = client.get("/api/v1/severities", headers=people.headers("viewer")).json()
    assert [(s["id"], s["response_target"], s["escalation_tier"]) for s in severities] == [
        ("sev1", "5 min", "Executive Team"), ("sev2", "15 min", "Management Team"),
        ("sev3", "1 h", "Operations Team"), ("sev4", "next business day", "Support Team")]
    assert severities[0]["escalation"] == "Immediate executive notification"
    assert severities[1]["engagement_target_minutes"] == 60
