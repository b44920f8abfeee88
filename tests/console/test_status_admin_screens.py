"""The status page admin screen in-process (SQLite): a component moved, a
notice opened and updated, maintenance scheduled and moved, each seen on the
public page's JSON and HTML; a viewer reads but is refused every form; bad
input is answered beside its form and nothing is saved."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.console.support import csrf_of, sign_in

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def commander(client, people, database, clock):
    sign_in(client, database, clock, "commander")
    return csrf_of(client.get("/status-admin").text)


def _component(client, name: str) -> dict:
    summary = client.get("/api/v2/summary.json").json()
    return next(c for c in summary["components"] if c["name"] == name)


def _first_component(client) -> tuple[str, str]:
    html = client.get("/status-admin").text
    found = re.search(r'action="/status-admin/components/([^"]+)"', html)
    assert found, "no component form on the screen"
    code = found.group(1)
    summary = client.get("/api/v2/summary.json").json()
    name = next(c["name"] for c in summary["components"] if c["id"] == code)
    return code, name


def test_the_screen_shows_components_notices_and_the_public_preview(client, commander):
    html = client.get("/status-admin").text
    assert "Components" in html and "Open notices" in html and "Scheduled maintenance" in html
    assert 'href="/status"' in html and "All Systems Operational" in html
    assert 'href="/status-admin" aria-current="page"' in html


def test_a_component_changed_on_the_screen_is_on_the_public_page(client, commander):
    code, name = _first_component(client)
    moved = client.post(f"/status-admin/components/{code}", follow_redirects=False,
                        data={"csrf_token": commander, "status": "partial_outage"})
    assert moved.status_code == 303, moved.text
    assert _component(client, name)["status"] == "partial_outage"
    assert "Partial System Outage" in client.get("/status").text
    assert "Partial outage" in client.get("/status-admin").text


def test_a_notice_opened_and_updated_shows_on_the_public_page(client, commander):
    _, name = _first_component(client)
    opened = client.post("/status-admin/notices", follow_redirects=False, data={
        "csrf_token": commander, "name": "Chat is slow", "status": "investigating",
        "message": "We are looking into slow messages.", "affected": name,
        "affected_status": "degraded_performance"})
    assert opened.status_code == 303, opened.text
    assert _component(client, name)["status"] == "degraded_performance"
    unresolved = client.get("/api/v2/incidents/unresolved.json").json()["incidents"]
    assert [i["name"] for i in unresolved] == ["Chat is slow"]
    notice = unresolved[0]["id"]
    html = client.get("/status-admin").text
    assert f'id="notice-{notice}"' in html and "We are looking into slow messages." in html
    posted = client.post(f"/status-admin/notices/{notice}/updates", follow_redirects=False,
                         data={"csrf_token": commander, "status": "identified",
                               "message": "A full disk on one node; clearing it."})
    assert posted.status_code == 303, posted.text
    public = client.get("/status").text
    assert "Chat is slow" in public and "A full disk on one node; clearing it." in public
    updates = client.get("/api/v2/incidents.json").json()["incidents"][0]["incident_updates"]
    assert updates[0]["status"] == "identified"
    resolved = client.post(f"/status-admin/notices/{notice}/updates", follow_redirects=False,
                           data={"csrf_token": commander, "status": "resolved", "message": ""})
    assert resolved.status_code == 303
    assert client.get("/api/v2/incidents/unresolved.json").json()["incidents"] == []
    assert _component(client, name)["status"] == "operational"
    assert "No open notice" in client.get("/status-admin").text


def test_maintenance_is_scheduled_and_moved_by_hand(client, commander, clock):
    _, name = _first_component(client)
    start = clock.now().replace(tzinfo=None, second=0, microsecond=0) + timedelta(hours=1)
    scheduled = client.post("/status-admin/maintenance", follow_redirects=False, data={
        "csrf_token": commander, "name": "Database upgrade",
        "starts": start.isoformat(timespec="minutes"),
        "ends": (start + timedelta(hours=2)).isoformat(timespec="minutes"), "affected": name})
    assert scheduled.status_code == 303, scheduled.text
    upcoming = client.get("/api/v2/scheduled-maintenances/upcoming.json").json()
    window = upcoming["scheduled_maintenances"][0]
    assert window["name"] == "Database upgrade"
    moved = client.post(f"/status-admin/maintenance/{window['id']}/move",
                        follow_redirects=False,
                        data={"csrf_token": commander, "status": "in_progress"})
    assert moved.status_code == 303, moved.text
    assert _component(client, name)["status"] == "under_maintenance"
    assert "In progress" in client.get("/status-admin").text


def test_bad_input_is_answered_by_its_form_and_nothing_is_saved(client, commander):
    code, name = _first_component(client)
    nameless = client.post("/status-admin/notices", data={
        "csrf_token": commander, "name": "", "message": "Something"})
    assert nameless.status_code == 400 and 'id="notice-open-error"' in nameless.text
    assert "Name the public notice." in nameless.text and "Something" in nameless.text
    unticked = client.post("/status-admin/notices", data={
        "csrf_token": commander, "name": "Chat down", "message": "Looking", "affected": name})
    assert unticked.status_code == 400 and "Pick the status the affected" in unticked.text
    bad_status = client.post(f"/status-admin/components/{code}",
                             data={"csrf_token": commander, "status": "on-fire"})
    assert bad_status.status_code == 422 and f'id="component-{code}-error"' in bad_status.text
    no_time = client.post("/status-admin/maintenance", data={
        "csrf_token": commander, "name": "Upgrade", "starts": "tomorrow", "ends": ""})
    assert no_time.status_code == 400 and 'id="maintenance-error"' in no_time.text
    assert 'value="Upgrade"' in no_time.text
    assert client.get("/api/v2/incidents.json").json()["incidents"] == []
    assert client.get("/api/v2/scheduled-maintenances.json").json()[
        "scheduled_maintenances"] == []
    assert _component(client, name)["status"] == "operational"


def test_a_viewer_reads_the_screen_but_every_form_is_refused(client, people, database, clock):
    sign_in(client, database, clock, "viewer")
    html = client.get("/status-admin").text
    assert 'href="/status-admin"' in html and "Open the notice" not in html
    token = csrf_of(html)
    code = re.search(r'id="component-([^"]+)"', html).group(1)
    for path in (f"/status-admin/components/{code}", "/status-admin/notices",
                 "/status-admin/maintenance", "/status-admin/notices/abc/updates",
                 "/status-admin/maintenance/abc/move"):
        refused = client.post(path, data={"csrf_token": token, "status": "major_outage",
                                          "name": "x", "message": "y"})
        assert refused.status_code == 403, path
    assert client.get("/api/v2/incidents.json").json()["incidents"] == []


def test_the_communications_lead_may_post_to_their_incidents_notice_only(
        client, people, database, clock):
    """The updates route is scoped like the API's: a viewer who is the
    communications lead of the open incident a notice points at may post to
    that notice, and to no other."""
    ref = client.post("/api/v1/incidents", headers=people.admin, json={
        "type": "service_outage", "severity": "sev2", "title": "Chat down"}).json()["id"]
    linked = client.post("/api/v1/statuspage/incidents", headers=people.admin, json={
        "name": "Chat down", "body": "Looking.", "internal_incident": ref,
        "deliver_notifications": False}).json()["id"]
    other = client.post("/api/v1/statuspage/incidents", headers=people.admin, json={
        "name": "Media slow", "body": "Looking.", "deliver_notifications": False}).json()["id"]
    assert client.post(f"/api/v1/incidents/{ref}/roles", headers=people.admin, json={
        "role": "communications_lead", "primary": "viewer"}).status_code == 200
    sign_in(client, database, clock, "viewer")
    token = csrf_of(client.get("/status-admin").text)
    update = {"csrf_token": token, "status": "identified", "message": "Found it."}
    granted = client.post(f"/status-admin/notices/{linked}/updates", data=update,
                          follow_redirects=False)
    assert granted.status_code == 303, granted.text
    assert client.post(f"/status-admin/notices/{other}/updates", data=update
                       ).status_code == 403
    assert "Found it." in client.get(f"/status/incidents/{linked}").text
