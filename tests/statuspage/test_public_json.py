"""The public JSON has Statuspage's public API v2 paths and field names."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.statuspage.support import SEED_STATUS, post

PAGE = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT = {"id", "name", "status", "created_at", "updated_at", "position", "description",
             "showcase", "start_date", "group_id", "page_id", "group", "only_show_if_degraded"}
INCIDENT = {"id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at",
            "impact", "shortlink", "started_at", "page_id", "incident_updates", "components"}
UPDATE = {"id", "status", "body", "incident_id", "created_at", "updated_at", "display_at",
          "affected_components", "deliver_notifications", "custom_tweet", "tweet_id"}
MAINTENANCE = INCIDENT | {"scheduled_for", "scheduled_until"}


@pytest.fixture
def busy_page(public, people, clock):
    """A page with an incident and a scheduled maintenance."""
    post(public, people, "/api/v1/admin/status", SEED_STATUS)
    post(public, people, "/api/v1/statuspage/maintenances", {
        "name": "Storage migration", "components": ["media"],
        "scheduled_for": (clock.now() + timedelta(hours=2)).isoformat(),
        "scheduled_until": (clock.now() + timedelta(hours=3)).isoformat()}, expect=201)
    return public


def test_summary_has_statuspages_shape(busy_page):
    summary = busy_page.get("/api/v2/summary.json").json()
    assert set(summary) == {"page", "components", "incidents", "scheduled_maintenances",
                            "status"}
    assert set(summary["page"]) == PAGE
    assert all(set(c) == COMPONENT for c in summary["components"])
    (incident,) = summary["incidents"]
    assert set(incident) == INCIDENT
    assert set(incident["incident_updates"][0]) == UPDATE
    assert incident["incident_updates"][0]["incident_id"] == incident["id"]
    (window,) = summary["scheduled_maintenances"]
    assert set(window) == MAINTENANCE and window["impact"] == "maintenance"
    assert summary["status"] == {"indicator": "minor", "description": "Minor Service Outage"}


def test_every_component_points_at_the_page(busy_page):
    summary = busy_page.get("/api/v2/summary.json").json()
    assert {c["page_id"] for c in summary["components"]} == {summary["page"]["id"]}
    assert summary["page"]["time_zone"] == "Etc/UTC"
    assert summary["page"]["updated_at"].endswith("Z")


@pytest.mark.parametrize(("path", "keys"), [
    ("/api/v2/status.json", {"page", "status"}),
    ("/api/v2/components.json", {"page", "components"}),
    ("/api/v2/incidents.json", {"page", "incidents"}),
    ("/api/v2/incidents/unresolved.json", {"page", "incidents"}),
    ("/api/v2/scheduled-maintenances.json", {"page", "scheduled_maintenances"}),
    ("/api/v2/scheduled-maintenances/upcoming.json", {"page", "scheduled_maintenances"}),
    ("/api/v2/scheduled-maintenances/active.json", {"page", "scheduled_maintenances"})])
def test_each_v2_document_has_its_keys(busy_page, path, keys):
    answer = busy_page.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert set(answer.json()) == keys


def test_the_indicator_follows_the_worst_component(public, people):
    for words, expected in [({"chat": "major"}, ("critical", "Major System Outage")),
                            ({"chat": "partial"}, ("major", "Partial System Outage")),
                            ({"chat": "degraded"}, ("minor", "Minor Service Outage")),
                            ({"chat": "operational"}, ("none", "All Systems Operational"))]:
        post(public, people, "/api/v1/admin/status", {"status": "operational",
                                                      "components": words})
        status = public.get("/api/v2/status.json").json()["status"]
        assert (status["indicator"], status["description"]) == expected


def test_the_atom_feed_lists_every_update(busy_page):
    feed = busy_page.get("/status/history.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert feed.text.count("<entry>") == 2
    assert SEED_STATUS["message"] in feed.text
    assert "Storage migration: Scheduled" in feed.text


def test_badges_show_the_page_and_each_component(busy_page):
    page_badge = busy_page.get("/status/badge.svg")
    assert page_badge.headers["content-type"] == "image/svg+xml"
    assert 'aria-label="SilentRelay: Minor Service Outage"' in page_badge.text
    media = busy_page.get("/status/components/media/badge.svg")
    assert "degraded performance" in media.text
    code = next(c["id"] for c in busy_page.get("/api/v2/components.json").json()["components"]
                if c["name"] == "media")
    assert busy_page.get(f"/status/components/{code}/badge.svg").text == media.text
    assert busy_page.get("/status/components/fridge/badge.svg").status_code == 404


def test_each_incident_has_its_own_page(busy_page):
    incident = busy_page.get("/api/v2/incidents.json").json()["incidents"][0]
    assert incident["shortlink"].endswith(f"/status/incidents/{incident['id']}")
    page = busy_page.get(f"/status/incidents/{incident['id']}")
    assert page.status_code == 200
    assert SEED_STATUS["message"] in page.text
