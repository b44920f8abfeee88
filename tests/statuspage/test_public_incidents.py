"""Public incidents and their updates, written for the public and optionally
pointing at an internal incident."""

from __future__ import annotations

import pytest

from tests.statuspage.support import post, statuses, summary

OPEN = {"name": "Messages are delayed", "status": "investigating",
        "body": "Some messages arrive late. We are looking into it.",
        "components": {"chat": "degraded"}}


def open_incident(client, people, **fields):
    return post(client, people, "/api/v1/statuspage/incidents", {**OPEN, **fields}, expect=201)


def declare_internal(client, people) -> str:
    answer = client.post("/api/v1/incidents", json={"type": "service_outage",
                                                    "severity": "sev2", "title": "Chat slow"},
                         headers=people.admin)
    return answer.json()["id"]


def test_opening_an_incident_moves_its_components_and_records_old_and_new(client, people):
    opened = open_incident(client, people)
    assert (opened["status"], opened["impact"]) == ("investigating", "minor")
    assert opened["components"] == ["chat"]
    (update,) = opened["updates"]
    assert update["affected_components"][0]["old_status"] == "operational"
    assert update["affected_components"][0]["new_status"] == "degraded_performance"
    assert statuses(client, people)["chat"] == "degraded_performance"
    listed = summary(client)["incidents"]
    assert [i["id"] for i in listed] == [opened["id"]]


def test_updates_move_through_the_statuses_and_stamp_their_times(client, people, clock):
    code = open_incident(client, people)["id"]
    clock.advance(minutes=10)
    post(client, people, f"/api/v1/statuspage/incidents/{code}/updates",
         {"status": "identified", "body": "A queue is backed up."}, expect=201)
    clock.advance(minutes=10)
    post(client, people, f"/api/v1/statuspage/incidents/{code}/updates",
         {"status": "monitoring", "body": "Queue drained; watching."}, expect=201)
    clock.advance(minutes=10)
    done = post(client, people, f"/api/v1/statuspage/incidents/{code}/updates",
                {"status": "resolved"}, expect=201)
    assert [u["status"] for u in done["updates"]] == ["resolved", "monitoring", "identified",
                                                      "investigating"]
    assert done["updates"][0]["body"] == "This incident has been resolved."
    public = client.get("/api/v2/incidents.json").json()["incidents"][0]
    assert public["monitoring_at"].startswith("2026-01-05T12:20:00")
    assert public["resolved_at"].startswith("2026-01-05T12:30:00")
    assert client.get("/api/v2/incidents/unresolved.json").json()["incidents"] == []


def test_resolving_puts_components_back_unless_another_incident_holds_them(client, people):
    first = open_incident(client, people)["id"]
    open_incident(client, people, name="Sign-in errors", components={"chat": "partial",
                                                                      "authentication": "outage"})
    post(client, people, f"/api/v1/statuspage/incidents/{first}/updates",
         {"status": "resolved"}, expect=201)
    assert statuses(client, people)["chat"] == "partial_outage"


def test_resolving_twice_is_a_conflict(client, people):
    code = open_incident(client, people)["id"]
    post(client, people, f"/api/v1/statuspage/incidents/{code}/updates",
         {"status": "resolved"}, expect=201)
    post(client, people, f"/api/v1/statuspage/incidents/{code}/updates",
         {"status": "resolved"}, expect=409)


def test_an_incident_cannot_start_resolved(client, people):
    post(client, people, "/api/v1/statuspage/incidents", {**OPEN, "status": "resolved"},
         expect=422)


def test_impact_can_be_set_by_hand(client, people):
    code = open_incident(client, people, impact="critical")["id"]
    assert summary(client)["status"]["indicator"] == "critical"
    edited = client.patch(f"/api/v1/statuspage/incidents/{code}", json={"impact": "major"},
                          headers=people.admin).json()
    assert edited["impact"] == "major"


def test_linking_an_internal_incident_writes_its_timeline_not_the_page(client, people):
    ref = declare_internal(client, people)
    opened = open_incident(client, people, internal_incident=ref)
    assert opened["internal_incident"] == ref
    events = client.get(f"/api/v1/incidents/{ref}/timeline", params={"kind": "statuspage"},
                        headers=people.admin).json()
    assert "Messages are delayed" in events[0]["summary"]
    internal = client.get(f"/api/v1/incidents/{ref}", headers=people.admin).json()
    assert internal["extra"]["statuspage"][0]["id"] == opened["id"]
    assert ref not in client.get("/api/v2/summary.json").text


def test_an_unknown_internal_incident_is_404(client, people):
    post(client, people, "/api/v1/statuspage/incidents", {**OPEN, "internal_incident": "INC-77"},
         expect=404)


def test_an_incident_is_renamed_unlinked_and_deleted(client, people):
    ref = declare_internal(client, people)
    code = open_incident(client, people, internal_incident=ref)["id"]
    edited = client.patch(f"/api/v1/statuspage/incidents/{code}",
                          json={"name": "Delayed messages", "internal_incident": ""},
                          headers=people.admin).json()
    assert (edited["name"], edited["internal_incident"]) == ("Delayed messages", None)
    assert client.delete(f"/api/v1/statuspage/incidents/{code}",
                         headers=people.admin).status_code == 204
    assert client.get(f"/api/v1/statuspage/incidents/{code}",
                      headers=people.admin).status_code == 404
    assert client.get(f"/status/incidents/{code}").status_code == 404


def test_listing_filters_open_and_finished(client, people):
    done = open_incident(client, people)["id"]
    post(client, people, f"/api/v1/statuspage/incidents/{done}/updates",
         {"status": "resolved"}, expect=201)
    still = open_incident(client, people, name="Uploads fail")["id"]
    def ids(status):
        return [i["id"] for i in client.get("/api/v1/statuspage/incidents",
                                            params={"status": status},
                                            headers=people.admin).json()]
    assert ids("open") == [still]
    assert ids("finished") == [done]
    assert client.get("/api/v1/statuspage/incidents", params={"status": "later"},
                      headers=people.admin).status_code == 422


@pytest.mark.parametrize("body", [
    {"name": "x"}, {"name": "", "body": "b"}, {"name": "x", "body": "b", "status": "panicking"},
    {"name": "x", "body": "b", "impact": "apocalyptic"},
    {"name": "x", "body": "b", "components": {"fridge": "down"}},
    {"name": "x", "body": "b", "components": {"chat": "melting"}},
    {"name": "x" * 301, "body": "b"}, {"name": "x", "body": "b", "secret": 1}])
def test_bad_incident_bodies_are_422(client, people, body):
    post(client, people, "/api/v1/statuspage/incidents", body, expect=422)


@pytest.mark.parametrize("body", [{}, {"status": "scheduled"}, {"status": "identified",
                                                               "components": {"x": "down"}}])
def test_bad_update_bodies_are_422(client, people, body):
    code = open_incident(client, people)["id"]
    post(client, people, f"/api/v1/statuspage/incidents/{code}/updates", body, expect=422)


def test_public_incident_writes_need_the_statuspage_write_permission(client, people):
    refused = client.post("/api/v1/statuspage/incidents", json=OPEN,
                          headers=people.headers("responder"))
    assert refused.status_code == 403
    assert client.get("/api/v1/statuspage/incidents",
                      headers=people.headers("viewer")).status_code == 200
