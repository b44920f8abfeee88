"""Where the status page surprised a real client or a tired responder."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

from typer.testing import CliRunner

from tests.statuspage.support import (
    SEED_MAINTENANCE_OFF,
    SEED_MAINTENANCE_ON,
    SEED_STATUS,
    post,
    statuses,
)
from warroom import config
from warroom.cli import app as cli_app
from warroom.incidents import cli as incident_cli


def _declare(client, people) -> str:
    answer = client.post("/api/v1/admin/incidents", headers=people.admin, json={
        "title": "WebSocket Service Outage", "severity": "critical",
        "type": "service_outage", "description": "chat is down"})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def _to_phase(client, people, ref: str, phase: str) -> None:
    answer = client.post(f"/api/v1/incidents/{ref}/transition", headers=people.admin,
                         json={"phase": phase, "override_reason": "test walks the phases"})
    assert answer.status_code == 200, answer.text


def test_a_component_returns_to_operational_after_the_seed_order(client, people):
    post(client, people, "/api/v1/admin/maintenance", SEED_MAINTENANCE_ON)
    post(client, people, "/api/v1/admin/status", SEED_STATUS)  # chat: operational
    post(client, people, "/api/v1/admin/maintenance", SEED_MAINTENANCE_OFF)
    notice = post(client, people, "/api/v1/statuspage/incidents", {
        "name": "Chat is down", "status": "investigating", "body": "Looking into it.",
        "components": {"chat": "major_outage"}})
    assert statuses(client, people)["chat"] == "major_outage"
    post(client, people, f"/api/v1/statuspage/incidents/{notice['id']}/updates",
         {"status": "resolved", "body": "Fixed."})
    assert statuses(client, people)["chat"] == "operational"
    page = client.get("/api/v1/statuspage", headers=people.admin).json()
    assert page["description"] != "Major System Outage"


def test_a_component_another_open_notice_still_holds_stays_down(client, people):
    first = post(client, people, "/api/v1/statuspage/incidents", {
        "name": "Chat is slow", "status": "investigating", "body": "Slow.",
        "components": {"chat": "partial_outage"}})
    second = post(client, people, "/api/v1/statuspage/incidents", {
        "name": "Chat is down", "status": "investigating", "body": "Down.",
        "components": {"chat": "major_outage"}})
    post(client, people, f"/api/v1/statuspage/incidents/{second['id']}/updates",
         {"status": "resolved", "body": "Fixed."})
    assert statuses(client, people)["chat"] == "major_outage"  # the first still holds it
    post(client, people, f"/api/v1/statuspage/incidents/{first['id']}/updates",
         {"status": "resolved", "body": "Fixed."})
    assert statuses(client, people)["chat"] == "operational"


def test_the_page_and_the_maintenance_answer_show_the_open_notice(client, people):
    post(client, people, "/api/v1/admin/status", SEED_STATUS)
    page = client.get("/api/v1/statuspage", headers=people.admin).json()
    assert page["current_incident"] is not None
    assert page["current_incident"]["name"] == "Degraded performance of media"
    switched = post(client, people, "/api/v1/admin/maintenance", SEED_MAINTENANCE_ON)
    assert switched["current_incident"]["id"] == page["current_incident"]["id"]
    post(client, people, "/api/v1/admin/status", {"status": "operational"})
    assert client.get("/api/v1/statuspage",
                      headers=people.admin).json()["current_incident"] is None


def test_the_seed_status_call_can_name_its_internal_incident(client, people):
    ref = _declare(client, people)
    post(client, people, "/api/v1/admin/status", {**SEED_STATUS, "internal_incident": ref})
    shown = client.get(f"/api/v1/incidents/{ref}", headers=people.admin).json()
    assert [e["status"] for e in shown["extra"]["statuspage"]] == ["investigating"]


def test_an_unknown_internal_incident_is_a_404_and_nothing_is_applied(client, people):
    answer = client.post("/api/v1/admin/status", headers=people.admin,
                         json={**SEED_STATUS, "internal_incident": "INC-999"})
    assert answer.status_code == 404, answer.text
    assert statuses(client, people)["media"] == "operational"


def test_resolving_the_internal_incident_offers_the_open_notice(client, people, clock,
                                                                 worker, monkeypatch):
    _remind_after(monkeypatch, minutes=10)
    ref = _declare(client, people)
    post(client, people, "/api/v1/admin/status", {**SEED_STATUS, "internal_incident": ref})
    for phase in ("triage", "containment", "eradication", "recovery", "lessons_learned"):
        _to_phase(client, people, ref, phase)
    shown = client.get(f"/api/v1/incidents/{ref}", headers=people.admin).json()
    assert shown["extra"]["statuspage"][0]["offer"] == "resolve"
    clock.advance(timedelta(minutes=9))
    worker.run_once()
    assert _reminders(client, people, ref) == []
    clock.advance(timedelta(minutes=2))
    worker.run_once()
    reminders = _reminders(client, people, ref)
    assert len(reminders) == 1
    assert "still investigating" in reminders[0]["summary"]
    clock.advance(timedelta(hours=2))
    worker.run_once()
    assert len(_reminders(client, people, ref)) == 1  # once, not every pass


def test_a_notice_resolved_in_time_is_not_reminded(client, people, clock, worker,
                                                   monkeypatch):
    _remind_after(monkeypatch, minutes=10)
    ref = _declare(client, people)
    post(client, people, "/api/v1/admin/status", {**SEED_STATUS, "internal_incident": ref})
    for phase in ("triage", "containment", "eradication", "recovery", "lessons_learned"):
        _to_phase(client, people, ref, phase)
    post(client, people, "/api/v1/admin/status", {"status": "operational"})
    clock.advance(timedelta(minutes=30))
    worker.run_once()
    assert _reminders(client, people, ref) == []
    shown = client.get(f"/api/v1/incidents/{ref}", headers=people.admin).json()
    assert "offer" not in shown["extra"]["statuspage"][0]


def _remind_after(monkeypatch, *, minutes: int) -> None:
    monkeypatch.setenv("WARROOM_STATUSPAGE_RESOLVE_REMINDER_MINUTES", str(minutes))
    config.reset()


def _reminders(client, people, ref: str) -> list[dict]:
    answer = client.get(f"/api/v1/incidents/{ref}/timeline", headers=people.admin)
    assert answer.status_code == 200, answer.text
    events = answer.json()
    events = events.get("events", events) if isinstance(events, dict) else events
    return [e for e in events if e["kind"] == "statuspage"
            and (e.get("data") or {}).get("reminder") == "resolve"]


def test_the_statuspage_paths_exist_under_the_page_url(public, client, people):
    page = client.get("/api/v1/statuspage", headers=people.admin).json()
    path = page["url"].split("://", 1)[1].split("/", 1)[1]
    for name in ("summary.json", "status.json", "components.json", "incidents.json",
                 "incidents/unresolved.json", "scheduled-maintenances.json"):
        below = public.get(f"/{path}/api/v2/{name}")
        assert below.status_code == 200, (name, below.text)
        assert below.content == public.get(f"/api/v2/{name}").content
    summary = public.get(f"/{path}/api/v2/summary.json").json()
    assert summary["page"]["url"] == page["url"]


def test_a_cors_preflight_on_the_public_json_answers_as_browsers_expect(public):
    for path in ("/api/v2/summary.json", "/status/api/v2/status.json"):
        answer = public.options(path, headers={
            "Origin": "https://www.example.com", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept"})
        assert answer.status_code == 204, answer.text
        assert answer.headers["access-control-allow-origin"] == "*"
        assert "GET" in answer.headers["access-control-allow-methods"]
        assert "accept" in answer.headers["access-control-allow-headers"].lower()
        assert int(answer.headers["access-control-max-age"]) > 0


def test_an_rss_feed_sits_beside_the_atom_feed(public, client, people):
    notice = post(client, people, "/api/v1/statuspage/incidents", {
        "name": "Chat is down", "status": "investigating", "body": "Looking & seeing.",
        "components": {"chat": "major_outage"}})
    post(client, people, f"/api/v1/statuspage/incidents/{notice['id']}/updates",
         {"status": "resolved", "body": "Fixed <for good>."})
    feed = public.get("/status/history.rss")
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"].startswith("application/rss+xml")
    root = ET.fromstring(feed.content)
    assert root.tag == "rss" and root.attrib["version"] == "2.0"
    channel = root.find("channel")
    assert channel.findtext("title") and channel.findtext("link")
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["Chat is down: Resolved",
                                                   "Chat is down: Investigating"]
    assert "Fixed <for good>." in items[0].findtext("description")
    for item in items:
        assert item.find("guid").attrib.get("isPermaLink") == "false"
        assert item.findtext("pubDate").endswith("GMT") or item.findtext(
            "pubDate").endswith("+0000")
        assert item.findtext("link").endswith(f"/incidents/{notice['id']}")
    assert 'type="application/rss+xml"' in public.get("/status").text


def _ended_with_open_notice(client, people) -> tuple[str, str]:
    ref = _declare(client, people)
    page = post(client, people, "/api/v1/admin/status", {**SEED_STATUS, "internal_incident": ref})
    for phase in ("triage", "containment", "eradication", "recovery"):
        _to_phase(client, people, ref, phase)
    return ref, page["current_incident"]["id"]


def test_the_cli_asks_to_resolve_the_open_notice_when_the_incident_ends(
        client, people, monkeypatch):
    ref, code = _ended_with_open_notice(client, people)
    monkeypatch.setattr(incident_cli, "interactive", lambda: True)
    result = CliRunner().invoke(cli_app, ["incident", "transition", ref, "lessons_learned",
                                          "--override-reason", "walk"], input="y\n")
    assert result.exit_code == 0, result.output
    assert f"Public notice {code}" in result.output and "Resolve it now?" in result.output
    shown = client.get(f"/api/v1/statuspage/incidents/{code}", headers=people.admin).json()
    assert shown["status"] == "resolved"
    assert statuses(client, people)["media"] == "operational"


def test_the_cli_only_hints_when_nobody_is_at_a_terminal(client, people, monkeypatch):
    ref, code = _ended_with_open_notice(client, people)
    monkeypatch.setattr(incident_cli, "interactive", lambda: False)
    result = CliRunner().invoke(cli_app, ["incident", "transition", ref, "lessons_learned",
                                          "--override-reason", "walk"])
    assert result.exit_code == 0, result.output
    assert f"warroom status incident update {code} --status resolved" in result.output
    shown = client.get(f"/api/v1/statuspage/incidents/{code}", headers=people.admin).json()
    assert shown["status"] == "investigating"
