"""Incident roles carry permissions on their own incident: the
communications lead of INC-1 may send its comms and post its status page
updates even as a viewer or responder, and the grant ends with the incident."""

from __future__ import annotations

import pytest


def declare(client, people) -> str:
    answer = client.post("/api/v1/incidents", headers=people.admin, json={
        "type": "service_outage", "severity": "sev2", "title": "Chat down"})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def assign(client, people, ref, role, primary, backup=None) -> None:
    answer = client.post(f"/api/v1/incidents/{ref}/roles", headers=people.admin,
                         json={"role": role, "primary": primary, "backup": backup})
    assert answer.status_code == 200, answer.text


def public_incident(client, people, ref) -> str:
    answer = client.post("/api/v1/statuspage/incidents", headers=people.admin, json={
        "name": "Chat is unavailable", "body": "We are looking into it.",
        "internal_incident": ref, "deliver_notifications": False})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def post_update(client, people, code, who):
    return client.post(f"/api/v1/statuspage/incidents/{code}/updates",
                       headers=people.headers(who),
                       json={"status": "identified", "body": "Found it.",
                             "deliver_notifications": False})


def send_comms(client, people, ref, who):
    return client.post(f"/api/v1/incidents/{ref}/comms", headers=people.headers(who),
                       json={"template": "status_update", "to": ["email:exec@example.com"]})


def assert_refused(answer, permission) -> None:
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    detail = answer.json()["detail"]
    assert permission in detail and "communications_lead" in detail


@pytest.fixture
def incident(client, people) -> str:
    ref = declare(client, people)
    assign(client, people, ref, "communications_lead", "responder", backup="viewer")
    return ref


def test_the_communications_lead_posts_their_incidents_status_page_updates(
        client, people, incident):
    code = public_incident(client, people, incident)
    assert post_update(client, people, code, "responder").status_code == 201
    assert post_update(client, people, code, "viewer").status_code == 201


def test_the_grant_stays_on_its_own_incident(client, people, incident):
    other = declare(client, people)
    code = public_incident(client, people, other)
    assert_refused(post_update(client, people, code, "responder"), "statuspage:write")
    assert_refused(send_comms(client, people, other, "viewer"), "comms:send")
    unlinked = client.post("/api/v1/statuspage/incidents", headers=people.admin, json={
        "name": "Slow logins", "body": "Looking.", "deliver_notifications": False}).json()
    assert_refused(post_update(client, people, unlinked["id"], "responder"), "statuspage:write")


def test_the_communications_lead_sends_comms_even_as_a_viewer(client, people, incident):
    answer = send_comms(client, people, incident, "viewer")
    assert answer.status_code == 201, answer.text


def test_the_grant_ends_with_the_incident(client, people, incident):
    code = public_incident(client, people, incident)
    closed = client.post(f"/api/v1/incidents/{incident}/declared-in-error",
                         headers=people.admin, json={"reason": "a test alert"})
    assert closed.status_code == 200, closed.text
    assert_refused(post_update(client, people, code, "responder"), "statuspage:write")
    assert_refused(send_comms(client, people, incident, "viewer"), "comms:send")


def test_a_capped_token_does_not_carry_the_grant(client, people, incident):
    code = public_incident(client, people, incident)
    capped = client.post("/api/v1/tokens", headers=people.admin, json={
        "name": "dashboard", "username": "responder", "role": "viewer"}).json()
    people.tokens["dashboard"] = capped["token"]
    assert_refused(post_update(client, people, code, "dashboard"), "statuspage:write")
    assert_refused(send_comms(client, people, incident, "dashboard"), "comms:send")
