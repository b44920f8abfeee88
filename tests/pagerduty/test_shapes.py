"""Each endpoint's answer against PagerDuty's documented example, field by
field (on SQLite and PostgreSQL, like every database test)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.pagerduty.conftest import fixture
from tests.pagerduty.shapes import assert_shape
from warroom.oncall.policies import service as policies
from warroom.oncall.policies.document import Policy
from warroom.oncall.schedules import service as schedules


@pytest.fixture
def rotation(org, clock):
    """A schedule-backed sev1 policy, so on-calls and policies name a schedule."""
    org.staff_positions()
    with org.unit() as uow:
        found = schedules.create(uow, name="primary", time_zone="Europe/Berlin",
                                 description="Primary on-call")
        schedules.add_layer(uow, schedule=found, spec=schedules.LayerSpec(
            name="weekly", rotation="weekly", participants=["oce", "lead"],
            starts_at=clock.now() - timedelta(days=1)))
        policies.put(uow, policy=Policy.model_validate({
            "name": "sev1", "steps": [{"targets": [{"schedule": "primary"}], "delay": "15m"},
                                      {"targets": [{"user": "lead"}], "delay": "15m"}]}))


def test_incident_create_get_and_list(pd, rotation):
    created = pd.create(incident_key="disk-full")
    assert created.status_code == 201, created.text
    assert_shape(fixture("incident.json"), created.json())
    pd_id = created.json()["incident"]["id"]
    got = pd.request("GET", f"/incidents/{pd_id}")
    assert got.status_code == 200
    assert_shape(fixture("incident.json"), got.json())
    listed = pd.request("GET", "/incidents", params={"limit": 1})
    assert_shape(fixture("incidents.json"), listed.json())
    assert_shape(fixture("incident.json")["incident"], listed.json()["incidents"][0])


def test_acknowledged_incident_keeps_the_shape(pd, rotation):
    pd_id = pd.create().json()["incident"]["id"]
    answer = pd.request("PUT", f"/incidents/{pd_id}", json={
        "incident": {"type": "incident_reference", "status": "acknowledged"}})
    assert answer.status_code == 200, answer.text
    body = answer.json()["incident"]
    assert body["status"] == "acknowledged"
    assert_shape({"at": "x", "acknowledger": fixture("note.json")["note"]["user"]},
                 body["acknowledgements"][0])
    assert_shape(fixture("incident.json"), answer.json())


def test_note_and_log_entries(pd, rotation):
    pd_id = pd.create().json()["incident"]["id"]
    note = pd.request("POST", f"/incidents/{pd_id}/notes",
                      json={"note": {"content": "Firefighters are on the scene."}})
    assert note.status_code == 201, note.text
    assert_shape(fixture("note.json"), note.json())
    entries = pd.request("GET", f"/incidents/{pd_id}/log_entries", params={"limit": 100})
    assert entries.status_code == 200
    nullable = frozenset({f"$.log_entries[{i}].agent" for i in range(100)})
    assert_shape(fixture("log_entries.json"), entries.json(), nullable=nullable)
    kinds = [e["type"] for e in entries.json()["log_entries"]]
    assert "trigger_log_entry" in kinds and "annotate_log_entry" in kinds


def test_oncalls_services_policies_schedules_and_me(pd, rotation):
    pd.create()
    oncalls = pd.request("GET", "/oncalls", role="viewer").json()
    nullable = frozenset(f"$.oncalls[{i}].schedule" for i in range(50))
    assert_shape(fixture("oncalls.json"), oncalls, nullable=nullable)
    first = [o for o in oncalls["oncalls"] if o["escalation_policy"]["summary"] == "sev1"
             and o["escalation_level"] == 1]
    assert [o["schedule"]["summary"] for o in first] == ["primary"]
    services = pd.request("GET", "/services", role="viewer").json()
    assert_shape(fixture("services.json"), services)
    assert "websocket-service" in [s["name"] for s in services["services"]]
    policies_answer = pd.request("GET", "/escalation_policies", role="viewer").json()
    assert_shape(fixture("escalation_policies.json"), policies_answer)
    sev1 = next(p for p in policies_answer["escalation_policies"] if p["name"] == "sev1")
    assert sev1["escalation_rules"][0]["targets"][0]["type"] == "schedule_reference"
    assert sev1["escalation_rules"][0]["escalation_delay_in_minutes"] == 15
    found = pd.request("GET", "/schedules", role="viewer").json()
    assert_shape(fixture("schedules.json"), found)
    assert found["schedules"][0]["time_zone"] == "Europe/Berlin"
    assert {u["summary"] for u in found["schedules"][0]["users"]} == {"oce", "lead"}
    me = pd.request("GET", "/users/me", role="viewer").json()
    assert_shape(fixture("user.json"), me)
    assert me["user"]["email"] == "viewer@example.com"
    one = pd.request("GET", f"/schedules/{found['schedules'][0]['id']}", role="viewer")
    assert one.json()["schedule"]["name"] == "primary"
    service_id = services["services"][0]["id"]
    assert pd.request("GET", f"/services/{service_id}").json()["service"]["id"] == service_id
    assert pd.request("GET", f"/escalation_policies/{sev1['id']}").json()[
        "escalation_policy"]["name"] == "sev1"


def test_errors_have_pagerduty_shape(pd, rotation):
    bad = pd.request("GET", "/incidents", params={"statuses[]": "open"})
    assert bad.status_code == 400
    assert bad.json() == fixture("error_statuses.json")
    missing = pd.request("GET", "/incidents/PI99999")
    assert missing.status_code == 404
    assert_shape(fixture("error_not_found.json"), missing.json())
    assert missing.json()["error"]["code"] == 2100
    assert missing.headers["content-type"].startswith("application/json")
