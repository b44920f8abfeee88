"""Opening, listing, acknowledging, resolving, reassigning and noting
incidents through the PagerDuty drop-in, with paging and audit checked."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.pagerduty.conftest import SERVICE
from warroom.audit.models import AuditEntry
from warroom.incidents import service as incidents


def _incident(org, number: int):
    with org.database.read() as session:
        return incidents.get(session, incident_id=number)


def test_the_seed_call_opens_an_incident_and_pages(pd, org):
    org.staff_positions()
    answer = pd.create()
    assert answer.status_code == 201, answer.text
    body = answer.json()["incident"]
    assert body["status"] == "triggered" and body["urgency"] == "high"
    assert body["service"]["summary"] == SERVICE
    assert body["html_url"].endswith(f"/incidents/INC-{body['incident_number']}")
    row = _incident(org, body["incident_number"])
    assert (row.severity, row.services, row.source) == ("sev1", [SERVICE], "pagerduty")
    assert org.paged() == ["oce"]


def test_urgency_low_maps_to_the_configured_severity(pd, org, monkeypatch):
    from warroom import config

    monkeypatch.setenv("WARROOM_PAGERDUTY_URGENCY_SEVERITY", '{"high": "sev2", "low": "sev4"}')
    config.reset()
    low = pd.create(urgency="low").json()["incident"]
    high = pd.create("Another").json()["incident"]
    assert _incident(org, low["incident_number"]).severity == "sev4"
    assert _incident(org, high["incident_number"]).severity == "sev2"
    assert (low["urgency"], high["urgency"]) == ("low", "high")


def test_body_details_and_service_by_name_or_listed_id(pd, org):
    by_name = pd.request("POST", "/incidents", json={"incident": {
        "type": "incident", "title": "Disk full", "urgency": "low",
        "service": {"id": SERVICE, "type": "service_reference"},
        "body": {"type": "incident_body", "details": "/var is at 100%"}}})
    assert by_name.status_code == 201, by_name.text
    assert _incident(org, by_name.json()["incident"]["incident_number"]).description == \
        "/var is at 100%"
    listed = pd.request("GET", "/services").json()["services"]
    pd_id = next(s["id"] for s in listed if s["name"] == SERVICE)
    by_id = pd.request("POST", "/incidents", json={"incident": {
        "type": "incident", "title": "Again", "service": {"id": pd_id,
                                                          "type": "service_reference"}}})
    assert by_id.status_code == 201
    assert by_id.json()["incident"]["service"]["id"] == pd_id


def test_unknown_service_is_pagerduty_error_and_nothing_is_saved(pd, org):
    answer = pd.request("POST", "/incidents", json={"incident": {
        "type": "incident", "title": "x", "service": {"id": "PNOPE00",
                                                      "type": "service_reference"}}})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["message"], error["code"]) == ("Invalid Input Provided", 2001)
    assert "PNOPE00" in error["errors"][0]
    assert pd.request("GET", "/incidents").json()["incidents"] == []


def test_incident_key_deduplicates_while_open(pd, org):
    first = pd.create(incident_key="db-down")
    assert first.status_code == 201
    again = pd.create(incident_key="db-down")
    assert again.status_code == 400
    assert again.json()["error"]["errors"] == [
        "Open incident with matching dedup key already exists on this service"]
    pd_id = first.json()["incident"]["id"]
    pd.request("PUT", f"/incidents/{pd_id}", json={"incident": {"type": "incident_reference",
                                                                "status": "resolved"}})
    assert pd.create(incident_key="db-down").status_code == 201


def test_acknowledge_stops_paging_like_warroom_ack(pd, org, clock):
    org.staff_positions()
    start = clock.now()
    body = pd.create().json()["incident"]
    assert org.paged() == ["oce"]
    answer = pd.request("PUT", f"/incidents/{body['id']}", role="script", sender="oce",
                        json={"incident": {"type": "incident_reference",
                                           "status": "acknowledged"}})
    assert answer.status_code == 200, answer.text
    assert answer.json()["incident"]["status"] == "acknowledged"
    assert answer.json()["incident"]["acknowledgements"][0]["acknowledger"]["summary"] == "oce"
    for minutes in (15, 30, 60, 120):
        org.at(start, minutes=minutes)
        assert org.paged() == []
    row = _incident(org, body["incident_number"])
    assert (row.acknowledged_by, row.phase) == ("oce", "triage")
    with org.database.read() as session:
        actions = list(session.scalars(select(AuditEntry.action)))
    assert {"pagerduty.incident.create", "pagerduty.incident.update",
            "incident.acknowledge", "oncall.escalation.acknowledge"} <= set(actions)


def test_unacknowledged_incident_escalates(pd, org, clock):
    org.staff_positions()
    start = clock.now()
    pd.create()
    assert org.paged() == ["oce"]
    org.at(start, minutes=16)
    assert org.paged() != []


def test_resolve_walks_to_resolved_and_ends_escalation(pd, org, clock):
    org.staff_positions()
    body = pd.create().json()["incident"]
    org.paged()
    answer = pd.request("PUT", f"/incidents/{body['id']}", json={
        "incident": {"type": "incident_reference", "status": "resolved",
                     "resolution": "Rolled back the deploy"}})
    assert answer.status_code == 200, answer.text
    shown = answer.json()["incident"]
    assert shown["status"] == "resolved" and shown["assignments"] == []
    assert shown["resolved_at"] is not None
    row = _incident(org, body["incident_number"])
    assert row.phase == "lessons_learned" and row.resolved_at is not None
    org.at(clock.now(), hours=4)
    assert org.paged() == []
    again = pd.request("PUT", f"/incidents/{body['id']}", json={
        "incident": {"type": "incident_reference", "status": "acknowledged"}})
    assert again.status_code == 400
    assert again.json()["error"]["errors"] == ["Incident Already Resolved"]


def test_bulk_update_and_urgency_change(pd, org):
    one = pd.create("One").json()["incident"]
    two = pd.create("Two").json()["incident"]
    answer = pd.request("PUT", "/incidents", json={"incidents": [
        {"id": one["id"], "type": "incident_reference", "status": "acknowledged"},
        {"id": two["id"], "type": "incident_reference", "urgency": "low"}]})
    assert answer.status_code == 200, answer.text
    shown = answer.json()["incidents"]
    assert [i["status"] for i in shown] == ["acknowledged", "triggered"]
    assert shown[1]["urgency"] == "low"
    assert _incident(org, two["incident_number"]).severity == "sev3"


def test_reassign_pages_the_new_assignee(pd, org):
    org.staff_positions()
    body = pd.create().json()["incident"]
    assert org.paged() == ["oce"]
    lead = next(o["user"]["id"] for o in pd.request("GET", "/oncalls").json()["oncalls"]
                if o["user"]["summary"] == "lead")
    answer = pd.request("PUT", f"/incidents/{body['id']}", json={"incident": {
        "type": "incident_reference",
        "assignments": [{"assignee": {"id": lead, "type": "user_reference"}}]}})
    assert answer.status_code == 200, answer.text
    assert org.paged() == ["lead"]
    assert [a["assignee"]["summary"] for a in answer.json()["incident"]["assignments"]] == \
        ["lead"]


def test_from_header_is_required_with_a_general_access_token(pd, org):
    missing = pd.request("POST", "/incidents", role="script", sender=None, json={"incident": {
        "type": "incident", "title": "x", "service": {"id": SERVICE}}})
    assert missing.status_code == 400
    assert '"From" header' in missing.json()["error"]["errors"][0]
    unknown = pd.request("PUT", "/incidents/1", role="script", sender="nobody@example.com",
                         json={"incident": {"type": "incident_reference",
                                            "status": "acknowledged"}})
    assert unknown.status_code == 400
    assert "Requester User Not Found" in unknown.json()["error"]["errors"][0]
    body = pd.create().json()["incident"]
    no_from = pd.request("POST", f"/incidents/{body['id']}/notes", role="script", sender=None,
                         json={"note": {"content": "x"}})
    assert no_from.status_code == 400
    by_email = pd.request("POST", f"/incidents/{body['id']}/notes", role="script",
                          sender="Commander@Example.com", json={"note": {"content": "x"}})
    assert by_email.status_code == 201
    assert by_email.json()["note"]["user"]["summary"] == "commander"


def test_a_persons_token_acts_as_that_person_without_from(pd, org):
    body = pd.create().json()["incident"]
    note = pd.request("POST", f"/incidents/{body['id']}/notes", sender=None,
                      json={"note": {"content": "on it"}})
    assert note.status_code == 201
    assert note.json()["note"]["user"]["summary"] == "responder"
    acked = pd.request("PUT", f"/incidents/{body['id']}", sender="admin@example.com",
                       json={"incident": {"type": "incident_reference",
                                          "status": "acknowledged"}})
    assert acked.json()["incident"]["acknowledgements"][0]["acknowledger"]["summary"] == \
        "responder"


def test_list_filters_and_pagination(pd, org, clock):
    start = clock.now()
    first = pd.create("first").json()["incident"]
    clock.advance(hours=2)
    pd.create("second", urgency="low")
    clock.advance(hours=2)
    third = pd.create("third").json()["incident"]
    pd.request("PUT", f"/incidents/{third['id']}", json={"incident": {
        "type": "incident_reference", "status": "acknowledged"}})

    def titles(**params):
        answer = pd.request("GET", "/incidents", params=params)
        assert answer.status_code == 200, answer.text
        return [i["title"] for i in answer.json()["incidents"]]

    assert titles() == ["first", "second", "third"]
    assert titles(**{"statuses[]": ["triggered"]}) == ["first", "second"]
    assert titles(**{"statuses[]": ["acknowledged", "resolved"]}) == ["third"]
    assert titles(**{"urgencies[]": "low"}) == ["second"]
    assert titles(since=(start + timedelta(hours=1)).isoformat(),
                  until=(start + timedelta(hours=3)).isoformat()) == ["second"]
    page = pd.request("GET", "/incidents", params={"limit": 2, "offset": 0,
                                                    "total": "true"}).json()
    assert (len(page["incidents"]), page["more"], page["total"]) == (2, True, 3)
    last = pd.request("GET", "/incidents", params={"limit": 2, "offset": 2}).json()
    assert (len(last["incidents"]), last["more"], last["total"]) == (1, False, None)
    assert pd.request("GET", f"/incidents/INC-{first['incident_number']}").json()[
        "incident"]["id"] == first["id"]
    bad = pd.request("GET", "/incidents", params={"since": "yesterday"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == 2001
    too_many = pd.request("GET", "/incidents", params={"limit": 1000})
    assert too_many.status_code == 400 and "limit" in too_many.json()["error"]["errors"][0]


def test_bad_bodies_answer_pagerduty_errors(pd, org):
    for body in ({}, {"incident": {"type": "incident", "title": "x"}},
                 {"incident": {"type": "incident", "title": "x", "service": {"id": SERVICE},
                               "urgency": "urgent"}},
                 {"incident": {"type": "alert", "title": "x", "service": {"id": SERVICE}}}):
        answer = pd.request("POST", "/incidents", json=body)
        assert answer.status_code == 400, (body, answer.text)
        assert answer.json()["error"]["message"] == "Invalid Input Provided"
        assert answer.json()["error"]["errors"]
    raw = pd.client.post("/pagerduty/incidents", content=b"{not json",
                         headers={**pd.headers(), "Content-Type": "application/json"})
    assert raw.status_code == 400 and raw.json()["error"]["code"] == 2001
    status = pd.request("PUT", "/incidents/1", json={"incident": {
        "type": "incident_reference", "status": "triggered"}})
    assert status.status_code in (400, 404)


def test_notes_are_on_the_timeline(pd, org):
    body = pd.create().json()["incident"]
    pd.request("POST", f"/incidents/{body['id']}/notes",
               json={"note": {"content": "Rolled back"}})
    notes = pd.request("GET", f"/incidents/{body['id']}/notes").json()["notes"]
    assert [n["content"] for n in notes] == ["Rolled back"]
    entries = pd.request("GET", f"/incidents/{body['id']}/log_entries").json()["log_entries"]
    assert entries[0]["type"] == "annotate_log_entry"
    assert entries[-1]["type"] == "trigger_log_entry"


def test_not_implemented_names_what_is_supported(pd, org):
    for method, path in (("GET", "/teams"), ("PUT", "/incidents/1/merge"),
                         ("POST", "/incidents/1/snooze"), ("GET", "/maintenance_windows"),
                         ("DELETE", "/services/PV00001/integrations/P1")):
        answer = pd.request(method, path)
        assert answer.status_code == 404, (method, path)
        error = answer.json()["error"]
        assert error["code"] == 2100
        assert "warroom does not implement" in error["errors"][0]
        assert "GET /oncalls" in error["errors"][0]
    refused = pd.request("DELETE", "/incidents/1")  # a supported path, another method
    assert refused.status_code == 405
    assert set(refused.headers["allow"].split(", ")) == {"GET", "PUT"}


def test_drill_incidents_say_so(pd, org):
    with org.unit() as uow:
        drill = incidents.declare(uow, declaration=incidents.Declaration(
            type="service_outage", severity="sev2", title="Game day", is_drill=True,
            services=[SERVICE]))
    shown = pd.request("GET", f"/incidents/{drill.ref}").json()["incident"]
    assert shown["summary"] == f"[#{drill.id}] [DRILL] Game day"
    assert shown["is_drill"] is True and shown["urgency"] == "low"


def test_a_bad_field_is_named_once_in_pagerdutys_error(pd):
    answer = pd.create(urgency="extreme")
    assert answer.status_code == 400
    errors = answer.json()["error"]["errors"]
    assert len(errors) == len(set(errors)) == 1 and errors[0].startswith("incident.urgency")


def test_a_method_the_path_does_not_take_is_refused_in_pagerdutys_shape(pd):
    answer = pd.request("DELETE", "/incidents/PI00001")
    assert answer.status_code == 405
    assert set(answer.headers["allow"].split(", ")) == {"GET", "PUT"}
    assert answer.json()["error"]["message"] == "Method Not Allowed"
    assert "DELETE is not allowed" in answer.json()["error"]["errors"][0]
