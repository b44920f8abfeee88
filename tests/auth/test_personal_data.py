"""Contact addresses are personal data: viewers and responders see their own,
commanders and admins see everyone's."""

from __future__ import annotations

import pytest

from warroom import config
from warroom.notify.models import OutboxMessage
from warroom.notify.service import Outgoing, enqueue

PHONE = "+15557654321"
SUBSCRIBER = "reader@example.org"
HIDDEN = ["viewer", "responder"]
SHOWN = ["commander", "admin"]


@pytest.fixture
def reachable(client, people, work, monkeypatch):
    """The commander has a phone; an email to a subscriber bounced."""
    monkeypatch.setenv("WARROOM_SMS_GATEWAY_URL", "https://sms-gateway.example.com/send")
    config.reset()
    answer = client.post("/api/v1/oncall/people/commander/contact-methods",
                         json={"kind": "sms", "address": PHONE}, headers=people.admin)
    assert answer.status_code == 201, answer.text
    with work() as uow:
        message = enqueue(uow, message=Outgoing(channel="email", destination=SUBSCRIBER,
                                                kind="statuspage.update", subject="Update"))
        message.last_error = f"550 <{SUBSCRIBER}>: mailbox unavailable"
    return message.id


@pytest.mark.parametrize("role", HIDDEN)
def test_viewers_and_responders_see_no_one_elses_addresses(client, people, reachable, role):
    person = client.get("/api/v1/oncall/people/commander", headers=people.headers(role)).json()
    assert person["email"] is None
    assert [m["address"] for m in person["contact_methods"]] == [None]
    assert person["contact_methods"][0]["kind"] == "sms"
    users = client.get("/api/v1/users", headers=people.headers(role)).json()
    assert {u["username"]: u["email"] for u in users} == {
        "admin": None, "commander": None, "responder": None, "viewer": None,
        role: f"{role}@example.com"}
    listed = client.get("/api/v1/outbox", headers=people.headers(role)).json()
    one = client.get(f"/api/v1/outbox/{reachable}", headers=people.headers(role)).json()
    for message in (listed[0], one):
        assert message["destination"] is None
        assert SUBSCRIBER not in message["last_error"]
    assert SUBSCRIBER not in str(listed) + str(one)
    assert PHONE not in str(person)


@pytest.mark.parametrize("role", SHOWN)
def test_commanders_and_admins_see_addresses(client, people, reachable, role):
    person = client.get("/api/v1/oncall/people/commander", headers=people.headers(role)).json()
    assert person["email"] == "commander@example.com"
    assert [m["address"] for m in person["contact_methods"]] == [PHONE]
    users = client.get("/api/v1/users", headers=people.headers(role)).json()
    assert {u["username"]: u["email"] for u in users}["viewer"] == "viewer@example.com"
    one = client.get(f"/api/v1/outbox/{reachable}", headers=people.headers(role)).json()
    assert one["destination"] == SUBSCRIBER
    assert SUBSCRIBER in one["last_error"]


def test_a_person_sees_their_own_addresses(client, people, work, monkeypatch):
    monkeypatch.setenv("WARROOM_SMS_GATEWAY_URL", "https://sms-gateway.example.com/send")
    config.reset()
    client.post("/api/v1/oncall/people/viewer/contact-methods",
                json={"kind": "sms", "address": PHONE}, headers=people.headers("viewer"))
    person = client.get("/api/v1/oncall/people/viewer", headers=people.headers("viewer")).json()
    assert person["email"] == "viewer@example.com"
    assert [m["address"] for m in person["contact_methods"]] == [PHONE]
    with work() as uow:
        enqueue(uow, message=Outgoing(channel="sms", destination=PHONE, kind="page",
                                      recipient="viewer"))
    with work() as uow:
        assert uow.session.query(OutboxMessage).count() == 1
    listed = client.get("/api/v1/outbox", headers=people.headers("viewer")).json()
    assert listed[0]["destination"] == PHONE
