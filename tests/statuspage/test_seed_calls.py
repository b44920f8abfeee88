"""Seed 002's two status page calls work as written in the playbook."""

from __future__ import annotations

import pytest

from tests.statuspage.support import (
    SEED_MAINTENANCE_OFF,
    SEED_MAINTENANCE_ON,
    SEED_STATUS,
    post,
    statuses,
    summary,
)


def test_seed_status_update_call_works_verbatim(client, people):
    page = post(client, people, "/api/v1/admin/status", SEED_STATUS)
    assert {c["name"]: c["status"] for c in page["components"]} == {
        "chat": "operational", "media": "degraded_performance", "authentication": "operational"}
    assert (page["indicator"], page["description"]) == ("minor", "Minor Service Outage")
    notice = page["current_incident"]
    assert notice["status"] == "investigating"
    assert notice["name"] == "Degraded performance of media"
    assert notice["updates"][0]["body"] == SEED_STATUS["message"]
    assert notice["components"] == ["media"]
    shown = summary(client)
    assert shown["status"] == {"indicator": "minor", "description": "Minor Service Outage"}
    assert [i["incident_updates"][0]["body"] for i in shown["incidents"]] == [
        SEED_STATUS["message"]]


@pytest.mark.parametrize(("word", "stored"), [
    ("operational", "operational"), ("degraded", "degraded_performance"),
    ("partial", "partial_outage"), ("outage", "major_outage"), ("major", "major_outage"),
    ("maintenance", "under_maintenance"), ("degraded_performance", "degraded_performance"),
    ("Major Outage", "major_outage"), ("partial-outage", "partial_outage")])
def test_seed_short_words_map_to_statuspage_vocabulary(client, people, word, stored):
    post(client, people, "/api/v1/admin/status", {"status": "degraded",
                                                  "components": {"media": word}})
    assert statuses(client, people)["media"] == stored


def test_unknown_component_is_422_naming_the_valid_components(client, people):
    answer = post(client, people, "/api/v1/admin/status",
                  {**SEED_STATUS, "components": {"video": "degraded"}}, expect=422)
    assert "'video' is not a component" in answer["detail"]
    for name in ("chat", "media", "authentication"):
        assert name in answer["detail"]
    assert answer["errors"][0]["field"] == "components.video"
    assert statuses(client, people)["media"] == "operational"  # nothing was applied


def test_unknown_component_status_is_422_naming_the_valid_words(client, people):
    answer = post(client, people, "/api/v1/admin/status",
                  {**SEED_STATUS, "components": {"media": "wobbly"}}, expect=422)
    for word in ("operational", "degraded_performance", "partial_outage", "major_outage",
                 "under_maintenance", "degraded", "outage"):
        assert word in answer["detail"]


def test_unknown_overall_status_is_422_naming_the_valid_words(client, people):
    answer = post(client, people, "/api/v1/admin/status", {**SEED_STATUS, "status": "meh"},
                  expect=422)
    for word in ("degraded", "operational", "investigating", "monitoring", "resolved"):
        assert word in answer["detail"]


def test_a_second_report_updates_the_same_notice(client, people):
    first = post(client, people, "/api/v1/admin/status", SEED_STATUS)["current_incident"]
    second = post(client, people, "/api/v1/admin/status", {
        "status": "identified", "message": "A faulty media node was found.",
        "components": {"media": "partial"}})["current_incident"]
    assert second["id"] == first["id"]
    assert second["status"] == "identified"
    assert second["impact"] == "major"
    assert [u["body"] for u in second["updates"]] == ["A faulty media node was found.",
                                                      SEED_STATUS["message"]]
    assert second["updates"][0]["affected_components"] == [{
        "code": second["updates"][0]["affected_components"][0]["code"], "name": "media",
        "old_status": "degraded_performance", "new_status": "partial_outage"}]


def test_an_operational_report_resolves_the_notice_and_its_components(client, people):
    notice = post(client, people, "/api/v1/admin/status", SEED_STATUS)["current_incident"]
    page = post(client, people, "/api/v1/admin/status",
                {"status": "operational", "message": "Error rates are back to normal."})
    assert page["current_incident"]["id"] == notice["id"]
    assert page["current_incident"]["status"] == "resolved"
    assert page["indicator"] == "none"
    assert statuses(client, people)["media"] == "operational"
    assert summary(client)["incidents"] == []


def test_an_operational_report_with_nothing_open_only_sets_components(client, people):
    page = post(client, people, "/api/v1/admin/status",
                {"status": "operational", "components": {"chat": "operational"}})
    assert page["current_incident"] is None
    assert client.get("/api/v1/statuspage/incidents", headers=people.admin).json() == []


def test_seed_maintenance_mode_call_shows_a_banner_and_puts_components_under_maintenance(
        public, people):
    page = post(public, people, "/api/v1/admin/maintenance", SEED_MAINTENANCE_ON)
    assert page["maintenance_mode"]["name"] == SEED_MAINTENANCE_ON["message"]
    assert set(statuses(public, people).values()) == {"under_maintenance"}
    html = public.get("/status").text
    assert "Maintenance mode" in html and SEED_MAINTENANCE_ON["message"] in html
    active = public.get("/api/v2/scheduled-maintenances/active.json").json()
    assert [m["name"] for m in active["scheduled_maintenances"]] == [
        SEED_MAINTENANCE_ON["message"]]
    assert summary(public)["status"]["description"] == "Service Under Maintenance"


def test_maintenance_mode_off_restores_the_previous_statuses(client, people):
    post(client, people, "/api/v1/admin/status", {**SEED_STATUS, "components": {
        "media": "degraded", "chat": "partial"}})
    before = statuses(client, people)
    post(client, people, "/api/v1/admin/maintenance", SEED_MAINTENANCE_ON)
    page = post(client, people, "/api/v1/admin/maintenance", SEED_MAINTENANCE_OFF)
    assert page["maintenance_mode"] is None
    assert statuses(client, people) == before
    assert "Maintenance mode" not in client.get("/status").text


def test_maintenance_mode_can_cover_some_components_only(client, people):
    post(client, people, "/api/v1/admin/maintenance", {**SEED_MAINTENANCE_ON,
                                                       "components": ["chat"]})
    assert statuses(client, people) == {"chat": "under_maintenance", "media": "operational",
                                        "authentication": "operational"}


def test_switching_maintenance_mode_twice_is_harmless(client, people):
    first = post(client, people, "/api/v1/admin/maintenance", SEED_MAINTENANCE_ON)
    again = post(client, people, "/api/v1/admin/maintenance", SEED_MAINTENANCE_ON)
    assert again["maintenance_mode"]["id"] == first["maintenance_mode"]["id"]
    post(client, people, "/api/v1/admin/maintenance", SEED_MAINTENANCE_OFF)
    off = post(client, people, "/api/v1/admin/maintenance", SEED_MAINTENANCE_OFF)
    assert off["maintenance_mode"] is None
    assert set(statuses(client, people).values()) == {"operational"}


@pytest.mark.parametrize("path", ["/api/v1/admin/status", "/api/v1/admin/maintenance"])
def test_seed_calls_need_the_statuspage_write_permission(client, people, path):
    body = SEED_STATUS if path.endswith("status") else SEED_MAINTENANCE_ON
    assert client.post(path, json=body).status_code == 401
    refused = client.post(path, json=body, headers=people.headers("responder"))
    assert refused.status_code == 403
    assert "statuspage:write" in refused.json()["detail"]
    assert client.post(path, json=body, headers=people.headers("commander")).status_code == 200


@pytest.mark.parametrize("body", [
    {"enabled": "maybe"}, {"message": "no enabled"}, {"enabled": True, "extra": 1},
    {"enabled": True, "message": "x" * 2001}, {"enabled": True, "components": ["nope"]},
    {"enabled": True, "components": "chat"}])
def test_bad_maintenance_bodies_are_refused_with_422(client, people, body):
    post(client, people, "/api/v1/admin/maintenance", body, expect=422)


@pytest.mark.parametrize("body", [
    {"message": "no status"}, {"status": "degraded", "components": ["media"]},
    {"status": "degraded", "components": {"media": 3}}, {"status": "degraded", "x": 1},
    {"status": "degraded", "message": "x" * 20_001},
    {"status": "degraded", "incident": "nosuchincident"}])
def test_bad_status_bodies_are_refused_with_4xx(client, people, body):
    answer = client.post("/api/v1/admin/status", json=body, headers=people.admin)
    assert answer.status_code in (404, 422), answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_malformed_json_is_400(client, people):
    answer = client.post("/api/v1/admin/status", content=b'{"status": "degraded",',
                         headers={**people.admin, "Content-Type": "application/json"})
    assert answer.status_code == 400
