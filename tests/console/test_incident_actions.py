"""The incident page's buttons for other domains: comms preview and send, the
linked public notice, playbook steps; each refused to a viewer, and bad input
shown by its field (SQLite only: no SQL of its own)."""

from __future__ import annotations

import pytest

from tests.console.support import csrf_of, sign_in
from warroom.comms import templates

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

NEW_POSTS = ("/comms", "/status-notice", "/status-notice/open", "/steps/x/run",
             "/steps/x/approve", "/steps/x/skip", "/steps/x/override", "/playbooks")


@pytest.fixture
def page(client, people, database, clock) -> str:
    sign_in(client, database, clock, "commander")
    token = csrf_of(client.get("/incidents").text)
    answer = client.post("/incidents", follow_redirects=False, data={
        "csrf_token": token, "type": "service_outage", "severity": "sev2",
        "title": "Chat down", "services": "chat"})
    return answer.headers["location"]


def test_a_viewer_is_refused_every_new_post(client, page, database, clock):
    sign_in(client, database, clock, "viewer")
    token = csrf_of(client.get(page).text)
    for suffix in NEW_POSTS:
        answer = client.post(page + suffix, data={"csrf_token": token, "reason": "because",
                                                  "template": "x", "to": "role:x",
                                                  "status": "resolved", "name": "n",
                                                  "message": "m"}, follow_redirects=False)
        assert answer.status_code == 403, suffix


def test_preview_then_send_needs_a_recipient_shown_by_its_field(client, page):
    template = templates.manifest().templates[0].id
    html = client.get(f"{page}?template={template}").text
    assert 'class="preview"' in html and 'name="to"' in html
    token = csrf_of(html)
    answer = client.post(page + "/comms", data={"csrf_token": token, "template": template,
                                                "to": " "})
    assert answer.status_code == 400 and 'id="comms-to-error"' in answer.text
    assert 'aria-describedby="comms-to-error"' in answer.text
    unknown = client.get(f"{page}?template=no-such-template")
    assert unknown.status_code == 200 and 'id="comms-template-error"' in unknown.text


def test_open_update_and_resolve_the_linked_notice(client, page):
    token = csrf_of(client.get(page).text)
    empty = client.post(page + "/status-notice/open", data={"csrf_token": token, "name": "",
                                                            "message": "Looking."})
    assert empty.status_code == 400 and 'id="notice-open-error"' in empty.text
    assert 'value=""' in empty.text and "Looking." in empty.text  # typed words kept
    opened = client.post(page + "/status-notice/open", follow_redirects=False, data={
        "csrf_token": token, "name": "Chat is slow", "message": "Looking."})
    assert opened.status_code == 303, opened.text
    html = client.get(page).text
    assert "Chat is slow" in html and "Resolve notice" in html
    bad = client.post(page + "/status-notice", data={"csrf_token": token, "status": "gone"})
    assert bad.status_code == 400 and 'id="notice-error"' in bad.text
    moved = client.post(page + "/status-notice", follow_redirects=False, data={
        "csrf_token": token, "status": "identified", "message": "Found it."})
    assert moved.status_code == 303
    resolved = client.post(page + "/status-notice", follow_redirects=False, data={
        "csrf_token": token, "status": "resolved", "message": ""})
    assert resolved.status_code == 303
    html = client.get(page).text
    assert "<strong>resolved</strong>" in html and "Resolve notice" not in html


def test_skip_of_an_unknown_step_or_without_a_reason_is_refused_by_its_row(client, page):
    token = csrf_of(client.get(page).text)
    missing = client.post(page + "/steps/nope/skip", data={"csrf_token": token,
                                                            "reason": "not needed"})
    assert missing.status_code == 404
    override = client.post(page + "/steps/nope/override", data={"csrf_token": token,
                                                                 "reason": ""})
    assert override.status_code == 404  # the step is looked up first


def test_an_incident_role_grants_its_buttons_until_the_incident_ends(client, people, database,
                                                                      clock):
    """The console's scoped routes follow INCIDENT_ROLE_GRANTS as the API's do: a viewer who
    is the communications lead of an open incident may update its notice, and not after."""
    ref = client.post("/api/v1/incidents", headers=people.admin, json={
        "type": "service_outage", "severity": "sev2", "title": "Chat down"}).json()["id"]
    assert client.post("/api/v1/statuspage/incidents", headers=people.admin, json={
        "name": "Chat down", "body": "Looking.", "internal_incident": ref,
        "deliver_notifications": False}).status_code in (200, 201)
    sign_in(client, database, clock, "viewer")
    page = f"/incidents/{ref}"
    token = csrf_of(client.get(page).text)
    update = {"csrf_token": token, "status": "identified", "message": "Found it."}
    assert client.post(page + "/status-notice", data=update).status_code == 403
    assert client.post(f"/api/v1/incidents/{ref}/roles", headers=people.admin, json={
        "role": "communications_lead", "primary": "viewer"}).status_code == 200
    granted = client.post(page + "/status-notice", data=update, follow_redirects=False)
    assert granted.status_code == 303, granted.text
    client.post(f"/api/v1/incidents/{ref}/declared-in-error", headers=people.admin,
                json={"reason": "a test alert"})
    assert client.post(page + "/status-notice", data=update).status_code == 403


def test_attach_a_playbook_or_see_why_not_by_the_field(client, page):
    token = csrf_of(client.get(page).text)
    unknown = client.post(page + "/playbooks", data={"csrf_token": token,
                                                     "playbook": "no-such-playbook"})
    assert unknown.status_code == 404 and 'id="attach-error"' in unknown.text
    assert "websocket-service-outage:" not in unknown.text
    attached = client.post(page + "/playbooks", follow_redirects=False, data={
        "csrf_token": token, "playbook": "websocket-service-outage"})
    assert attached.status_code == 303
    assert "websocket-service-outage:enable-http-fallback" in client.get(page).text
