"""Incidents through Statuspage's manage API: created form-encoded or as
JSON, updated, listed, fetched and deleted, each through the status page's
services so the public page, feeds, subscribers and audit follow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.statuspage.manage.support import base, differences, fixture, oauth
from warroom.audit.models import AuditEntry
from warroom.notify.models import OutboxMessage
from warroom.statuspage.models import PublicIncident


def components(client, people) -> dict[str, str]:
    listed = client.get(base(client, people) + "/components", headers=oauth(people))
    return {c["name"]: c["id"] for c in listed.json() if not c["group"]}


def create(client, people, *, role="admin", **kwargs):
    return client.post(base(client, people) + "/incidents", headers=oauth(people, role),
                       **kwargs)


def test_the_form_encoded_create_shows_on_the_public_page_at_once(public, people):
    ids = components(public, people)
    answer = create(public, people, data={
        "incident[name]": "WebSocket Service Issues", "incident[status]": "investigating",
        "incident[body]": "Connections drop.",
        f"incident[components][{ids['media']}]": "major_outage",
        "incident[component_ids][]": [ids["media"], ids["chat"]]})
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert differences(created, fixture("incident")) == []
    assert created["impact"] == "critical"
    assert {c["name"] for c in created["components"]} == {"media", "chat"}
    (update,) = created["incident_updates"]
    assert update["affected_components"] == [{"code": ids["media"], "name": "media",
                                              "old_status": "operational",
                                              "new_status": "major_outage"}]
    unresolved = public.get("/api/v2/incidents/unresolved.json").json()["incidents"]
    assert [i["id"] for i in unresolved] == [created["id"]]
    assert "WebSocket Service Issues" in public.get("/status").text
    assert "WebSocket Service Issues" in public.get("/status/history.atom").text


def test_the_same_call_as_json(client, people):
    ids = components(client, people)
    answer = create(client, people, json={"incident": {
        "name": "Slow uploads", "status": "identified", "impact_override": "minor",
        "components": {ids["media"]: "degraded_performance"}, "deliver_notifications": False}})
    assert answer.status_code == 201, answer.text
    shaped = answer.json()
    assert differences(shaped, fixture("incident")) == []
    assert (shaped["status"], shaped["impact"], shaped["impact_override"]) == (
        "identified", "minor", "minor")
    assert shaped["incident_updates"][0]["deliver_notifications"] is False
    assert shaped["incident_updates"][0]["body"] == (
        "The issue has been identified and a fix is being implemented.")


def test_update_posts_an_update_and_resolving_restores_components(client, people, database):
    ids = components(client, people)
    created = create(client, people, json={"incident": {
        "name": "Chat down", "components": {ids["chat"]: "major_outage"}}}).json()
    path = f"{base(client, people)}/incidents/{created['id']}"
    renamed = client.patch(path, headers=oauth(people), data={
        "incident[name]": "Chat is down", "incident[status]": "monitoring",
        "incident[body]": "A fix is out."})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Chat is down"
    assert renamed.json()["monitoring_at"] is not None
    done = client.put(path, headers=oauth(people), json={"incident": {"status": "resolved"}})
    assert done.status_code == 200, done.text
    assert [u["status"] for u in done.json()["incident_updates"]] == [
        "resolved", "monitoring", "investigating"]
    chat = client.get(f"{base(client, people)}/components/{ids['chat']}", headers=oauth(people))
    assert chat.json()["status"] == "operational"
    with database.read() as session:
        actions = set(session.scalars(select(AuditEntry.action)
                                      .where(AuditEntry.target.like("statuspage:incident:%"))))
    assert {"statuspage.incident.create", "statuspage.incident.post",
            "statuspage.incident.update"} <= actions


def test_lists_get_and_search(client, people, clock):
    first = create(client, people, data={"incident[name]": "Login errors"}).json()
    clock.advance(timedelta(minutes=1))
    second = create(client, people, data={"incident[name]": "Search slow",
                                          "incident[body]": "Indexing lag"}).json()
    client.patch(f"{base(client, people)}/incidents/{first['id']}", headers=oauth(people),
                 data={"incident[status]": "resolved"})
    window = create(client, people, json={"incident": {
        "name": "Database upgrade", "status": "scheduled",
        "scheduled_for": (clock.now() + timedelta(days=1)).isoformat(),
        "scheduled_until": (clock.now() + timedelta(days=1, hours=2)).isoformat()}})
    assert window.status_code == 201, window.text
    assert differences(window.json(), fixture("incident")) == []
    assert window.json()["scheduled_auto_in_progress"] is True
    root = base(client, people)

    def ids(path: str) -> list[str]:
        answer = client.get(root + path, headers=oauth(people, "viewer"))
        assert answer.status_code == 200, answer.text
        return [i["id"] for i in answer.json()]

    assert ids("/incidents") == [window.json()["id"], second["id"], first["id"]]
    assert ids("/incidents/unresolved") == [second["id"]]
    assert ids("/incidents/scheduled") == [window.json()["id"]]
    assert ids("/incidents/upcoming") == [window.json()["id"]]
    assert ids("/incidents/active_maintenance") == []
    assert ids("/incidents?q=indexing") == [second["id"]]
    assert ids("/incidents?q=LOGIN") == [first["id"]]
    assert ids("/incidents?per_page=1&page=2") == [second["id"]]
    one = client.get(f"{root}/incidents/{second['id']}", headers=oauth(people, "viewer"))
    assert one.status_code == 200 and one.json()["name"] == "Search slow"


def test_delete_hides_the_incident_keeps_the_record_and_audits(public, people, database):
    created = create(public, people, data={"incident[name]": "Posted by mistake"}).json()
    path = f"{base(public, people)}/incidents/{created['id']}"
    gone = public.delete(path, headers=oauth(people))
    assert gone.status_code == 200, gone.text
    assert gone.json()["id"] == created["id"]
    assert public.get(path, headers=oauth(people)).status_code == 404
    assert public.get(base(public, people) + "/incidents", headers=oauth(people)).json() == []
    assert public.get("/api/v2/incidents.json").json()["incidents"] == []
    assert "Posted by mistake" not in public.get("/status").text
    assert "Posted by mistake" not in public.get("/status/history.rss").text
    assert public.get(f"/api/v1/statuspage/incidents/{created['id']}",
                      headers=people.admin).status_code == 404
    with database.read() as session:
        kept = session.scalar(select(PublicIncident).where(PublicIncident.code == created["id"]))
        assert kept is not None and kept.hidden_at is not None
        hidden = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "statuspage.incident.hide")).all()
    assert [entry.target for entry in hidden] == [f"statuspage:incident:{created['id']}"]


def test_an_update_tells_active_subscribers_through_the_outbox(client, people, database,
                                                               receiver):
    added = client.post("/api/v1/statuspage/subscribers", headers=people.admin,
                        json={"kind": "webhook", "url": receiver.url + "/hook"})
    assert added.status_code == 201, added.text
    create(client, people, data={"incident[name]": "Chat down"})
    create(client, people, data={"incident[name]": "Quiet one",
                                 "incident[deliver_notifications]": "false"})
    with database.read() as session:
        queued = session.scalars(select(OutboxMessage)
                                 .where(OutboxMessage.kind == "statuspage.update")).all()
    assert len(queued) == 1


@pytest.mark.parametrize(("fields", "status", "words"), [
    ({}, 422, "incident[name]"),
    ({"incident[name]": ""}, 422, "incident[name]"),
    ({"incident[name]": "x", "incident[status]": "exploded"}, 422, "investigating"),
    ({"incident[name]": "x", "incident[impact_override]": "huge"}, 422, "critical"),
    ({"incident[name]": "x", "incident[components][nope]": "major_outage"}, 422, "nope"),
    ({"incident[name]": "x", "incident[component_ids][]": "nope"}, 422, "nope"),
    ({"incident[name]": "x", "incident[scheduled_for]": "tomorrow"}, 422, "ISO 8601"),
    ({"incident[name]": "x", "incident[scheduled_for]": "2026-01-06T00:00:00Z"}, 422,
     "scheduled_until"),
    ({"incident[name]": "x", "incident[deliver_notifications]": "perhaps"}, 422, "true"),
    ({"incident[name][x]": "y"}, 422, "text"),
    ({"incident": "flat"}, 422, "incident[name]"),
])
def test_bad_input_answers_statuspage_errors(client, people, fields, status, words):
    answer = create(client, people, data=fields)
    assert answer.status_code == status, answer.text
    assert words in answer.json()["error"]
    shaped = answer.json()
    assert isinstance(shaped.pop("errors", []), list)  # warroom's per-field problem extension
    assert differences(shaped, fixture("error") | {
        "type": "", "title": "", "status": 0, "detail": ""}) == []


@pytest.mark.parametrize(("content", "kind"), [
    (b"{not json", "application/json"), (b"[1, 2]", "application/json"),
    (b"incident[name=x", "application/x-www-form-urlencoded"),
    (b"\xff\xfe", "application/x-www-form-urlencoded"),
    (b"<incident/>", "application/xml"),
])
def test_malformed_bodies_are_400(client, people, content, kind):
    answer = client.post(base(client, people) + "/incidents", content=content,
                         headers={**oauth(people), "Content-Type": kind})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]


def test_unknown_page_incident_and_path_are_404_naming_what_exists(client, people):
    assert "page id is" in client.get("/v1/pages/nope/incidents",
                                      headers=oauth(people)).json()["error"]
    missing = client.get(base(client, people) + "/incidents/nope", headers=oauth(people))
    assert missing.status_code == 404 and "nope" in missing.json()["error"]
    other = client.post(base(client, people) + "/metrics", headers=oauth(people))
    assert other.status_code == 404 and "supports" in other.json()["error"]


def test_updating_a_resolved_incident_to_resolved_is_422(client, people):
    created = create(client, people, data={"incident[name]": "Blip"}).json()
    path = f"{base(client, people)}/incidents/{created['id']}"
    client.patch(path, headers=oauth(people), data={"incident[status]": "resolved"})
    again = client.patch(path, headers=oauth(people), data={"incident[status]": "resolved"})
    assert again.status_code == 422 and "already resolved" in again.json()["error"]


def test_a_method_the_path_does_not_take_is_refused_in_statuspages_shape(client, people):
    created = create(client, people, data={"incident[name]": "Down"}).json()
    answer = client.post(f"{base(client, people)}/incidents/{created['id']}",
                         headers=oauth(people), data={"incident[body]": "x"})
    assert answer.status_code == 405
    assert {"GET", "PATCH", "PUT", "DELETE"} <= set(answer.headers["allow"].split(", "))
    assert "POST is not allowed" in answer.json()["error"]
