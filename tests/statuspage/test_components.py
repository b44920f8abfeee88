"""Components: shipped defaults, CRUD by API, recorded status changes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from tests.statuspage.support import post, statuses
from warroom.statuspage import content
from warroom.statuspage.models import StatusChange

SHIPPED = Path(__file__).resolve().parents[2] / "rules" / "statuspage" / "components.yaml"


def test_shipped_components_are_seed_002s_and_valid():
    raw = yaml.safe_load(SHIPPED.read_text())
    assert [c["name"] for c in raw["components"]] == ["chat", "media", "authentication"]
    assert [c.name for c in content.default_components()] == ["chat", "media", "authentication"]


def test_a_fresh_page_has_the_shipped_components(client, people):
    assert statuses(client, people) == {"chat": "operational", "media": "operational",
                                        "authentication": "operational"}


def test_a_component_is_created_edited_and_deleted(client, people):
    created = post(client, people, "/api/v1/statuspage/components", {
        "name": "push notifications", "description": "Alerts on phones", "group": "Mobile"},
        expect=201)
    assert created["position"] == 4 and created["group"] == "Mobile"
    edited = client.patch("/api/v1/statuspage/components/push notifications",
                          json={"status": "partial", "description": "Alerts on devices"},
                          headers=people.admin)
    assert edited.status_code == 200, edited.text
    assert edited.json()["status"] == "partial_outage"
    by_id = client.get(f"/api/v1/statuspage/components/{created['id']}", headers=people.admin)
    assert by_id.json()["description"] == "Alerts on devices"
    gone = client.delete("/api/v1/statuspage/components/push notifications",
                         headers=people.admin)
    assert gone.status_code == 204
    assert "push notifications" not in statuses(client, people)
    assert client.get("/api/v1/statuspage/components/push notifications",
                      headers=people.admin).status_code == 404


def test_grouped_components_are_listed_under_their_group(client, people):
    post(client, people, "/api/v1/statuspage/components",
         {"name": "ios", "group": "Mobile", "status": "degraded"}, expect=201)
    post(client, people, "/api/v1/statuspage/components",
         {"name": "android", "group": "Mobile"}, expect=201)
    listed = client.get("/api/v2/components.json").json()["components"]
    group = next(c for c in listed if c["group"])
    members = [c for c in listed if c["group_id"] == group["id"]]
    assert group["name"] == "Mobile" and group["status"] == "degraded_performance"
    assert sorted(group["components"]) == sorted(c["id"] for c in members)
    assert sorted(c["name"] for c in members) == ["android", "ios"]
    html = client.get("/status").text
    assert "Mobile" in html


def test_a_component_name_is_unique_whatever_its_case(client, people):
    answer = post(client, people, "/api/v1/statuspage/components", {"name": "Chat"},
                  expect=409)
    assert "already a component" in answer["detail"]


@pytest.mark.parametrize("body", [
    {}, {"name": ""}, {"name": "x" * 101}, {"name": "ok", "status": "sideways"},
    {"name": "ok", "position": -1}, {"name": "ok", "colour": "red"}])
def test_bad_component_bodies_are_422(client, people, body):
    post(client, people, "/api/v1/statuspage/components", body, expect=422)


def test_every_status_change_is_recorded_with_its_time(client, people, clock, database):
    clock.advance(minutes=5)
    post(client, people, "/api/v1/admin/status", {"status": "outage",
                                                  "components": {"chat": "outage"}})
    clock.advance(minutes=30)
    post(client, people, "/api/v1/admin/status", {"status": "operational",
                                                  "components": {"chat": "operational"}})
    with database.read() as session:
        changes = [(c.old_status, c.new_status, c.at.minute) for c in session.scalars(
            select(StatusChange).order_by(StatusChange.id)) if c.old_status is not None]
    assert changes == [("operational", "major_outage", 5), ("major_outage", "operational", 35)]


def test_reading_components_needs_a_token(client, people):
    assert client.get("/api/v1/statuspage/components").status_code == 401
    assert client.get("/api/v1/statuspage/components",
                      headers=people.headers("viewer")).status_code == 200
    refused = client.post("/api/v1/statuspage/components", json={"name": "x"},
                          headers=people.headers("viewer"))
    assert refused.status_code == 403
