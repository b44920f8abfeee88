"""Subscribers: email with double opt-in and one-click unsubscribe (through a
real SMTP server), signed webhooks (into a local receiver), all through the
outbox and the worker."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.statuspage.support import SEED_STATUS, post
from warroom.notify.channels import signing
from warroom.notify.models import OutboxMessage
from warroom.statuspage.models import Subscriber

LINK = re.compile(r"https?://\S+/status/subscriptions/(?:confirm|unsubscribe)\?token=\S+")


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def token_of(url: str) -> str:
    return urlsplit(url).query.removeprefix("token=")


def subscribe(client, mailbox, worker, address="reader@example.com", count=1):
    answer = client.post("/status/subscribe", data={"email": address})
    assert answer.status_code == 202, answer.text
    worker.run_once()
    return mailbox.wait_for(count)[-1]


def confirm(client, message):
    link = LINK.search(message.get_content()).group(0)
    shown = client.get(local(link))
    assert shown.status_code == 200 and "Confirm subscription" in shown.text
    done = client.post("/status/subscriptions/confirm", data={"token": token_of(link)})
    assert done.status_code == 200, done.text
    return done


def outbox(database, kind):
    with database.read() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_an_email_subscriber_confirms_then_hears_updates_then_leaves_in_one_click(
        client, people, mailbox, worker, database):
    invitation = subscribe(client, mailbox, worker)
    assert invitation["To"] == "reader@example.com"
    assert "Confirm your subscription" in invitation["Subject"]
    assert "You are subscribed" in confirm(client, invitation).text
    post(client, people, "/api/v1/admin/status", SEED_STATUS)
    worker.run_once()
    update = mailbox.wait_for(2)[-1]
    assert update["Subject"] == "Service Update - Degraded performance of media"
    text = update.get_content()
    assert "Dear SilentRelay Users," in text
    assert SEED_STATUS["message"] in text
    assert "Current Status: Investigating" in text
    assert "The SilentRelay Team" in text
    assert update["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = update["List-Unsubscribe"].strip("<>")
    left = client.post(local(one_click), data={"List-Unsubscribe": "One-Click"})
    assert left.status_code == 200 and "You are unsubscribed" in left.text
    post(client, people, "/api/v1/admin/status", {"status": "resolved"})
    assert len(outbox(database, "statuspage.update")) == 1  # nothing after leaving


def test_rotating_keys_voids_confirmation_links_already_sent(client, people, mailbox,
                                                             worker):
    invitation = subscribe(client, mailbox, worker)
    link = LINK.search(invitation.get_content()).group(0)
    assert client.post("/api/v1/admin/security/rotate-keys",
                       headers=people.admin).status_code == 200
    assert client.get(local(link)).status_code == 400
    refused = client.post("/status/subscriptions/confirm", data={"token": token_of(link)})
    assert refused.status_code == 400 and "not valid" in refused.text


def test_the_outbox_keeps_the_confirmation_link_sealed(client, mailbox, worker, database):
    invitation = subscribe(client, mailbox, worker)
    token = token_of(LINK.search(invitation.get_content()).group(0))
    (queued,) = outbox(database, "statuspage.confirm")
    stored = " ".join(str(value) for value in (queued.body, queued.payload, queued.headers,
                                              queued.content_sealed))
    assert token not in stored
    assert "link sealed" in queued.body


def test_nothing_but_the_confirmation_goes_to_an_unconfirmed_address(client, people, mailbox,
                                                                     worker, database):
    subscribe(client, mailbox, worker)
    post(client, people, "/api/v1/admin/status", SEED_STATUS)
    assert outbox(database, "statuspage.update") == []
    assert len(outbox(database, "statuspage.confirm")) == 1


def test_subscribing_again_looks_the_same_and_sends_one_confirmation_an_hour(
        client, mailbox, worker, database, clock):
    first = client.post("/status/subscribe", data={"email": "reader@example.com"})
    again = client.post("/status/subscribe", data={"email": "Reader@Example.com"})
    assert first.text == again.text
    assert len(outbox(database, "statuspage.confirm")) == 1
    clock.advance(hours=1)
    client.post("/status/subscribe", data={"email": "reader@example.com"})
    assert len(outbox(database, "statuspage.confirm")) == 2


def test_the_unsubscribe_link_in_the_body_asks_before_acting(client, people, mailbox, worker,
                                                             database):
    confirm(client, subscribe(client, mailbox, worker))
    post(client, people, "/api/v1/admin/status", SEED_STATUS)
    worker.run_once()
    body_link = next(link for link in LINK.findall(mailbox.wait_for(2)[-1].get_content())
                     if "unsubscribe" in link)
    shown = client.get(local(body_link))
    assert shown.status_code == 200 and 'name="token"' in shown.text
    with database.read() as session:
        assert session.scalar(select(Subscriber.status)) == "active"
    client.post("/status/subscriptions/unsubscribe", data={"token": token_of(body_link)})
    with database.read() as session:
        assert session.scalar(select(Subscriber.status)) == "unsubscribed"


def test_an_expired_confirmation_link_is_410(client, mailbox, worker, clock):
    invitation = subscribe(client, mailbox, worker)
    clock.advance(hours=49)
    link = LINK.search(invitation.get_content()).group(0)
    assert client.get(local(link)).status_code == 410
    refused = client.post("/status/subscriptions/confirm", data={"token": token_of(link)})
    assert refused.status_code == 410 and "expired" in refused.text


@pytest.mark.parametrize("token", ["", "garbage", "eyJwIjoieCJ9.AAAA"])
def test_a_broken_link_is_400(client, token):
    assert client.post("/status/subscriptions/confirm", data={"token": token}).status_code == 400
    assert client.get("/status/subscriptions/unsubscribe",
                      params={"token": token}).status_code == 400


def test_an_unsubscribe_token_cannot_confirm(client, people, mailbox, worker):
    confirm(client, subscribe(client, mailbox, worker))
    post(client, people, "/api/v1/admin/status", SEED_STATUS)
    worker.run_once()
    unsubscribe = mailbox.wait_for(2)[-1]["List-Unsubscribe"].strip("<>")
    refused = client.post("/status/subscriptions/confirm", data={"token": token_of(unsubscribe)})
    assert refused.status_code == 400


@pytest.mark.parametrize("email", ["not-an-address", "a@b", "x" * 400 + "@example.com"])
def test_a_bad_address_is_refused(client, email):
    assert client.post("/status/subscribe", data={"email": email}).status_code == 422


def test_a_webhook_subscriber_gets_signed_statuspage_json(client, people, receiver, worker,
                                                          database):
    added = post(client, people, "/api/v1/statuspage/subscribers",
                 {"kind": "webhook", "url": receiver.url + "/status-hook"}, expect=201)
    secret = added["secret"]
    assert secret.startswith("whsec_") and added["status"] == "active"
    with database.read() as session:
        assert secret not in (session.scalar(select(Subscriber.secret_sealed)) or "")
    listed = client.get("/api/v1/statuspage/subscribers", headers=people.admin).json()
    assert listed[0]["secret"] is None  # shown once
    post(client, people, "/api/v1/admin/status", SEED_STATUS)
    worker.run_once()
    (request,) = receiver.wait_for(1)
    assert request.path == "/status-hook"
    assert signing.verify(secret, message_id=request.headers["webhook-id"],
                          timestamp=int(request.headers["webhook-timestamp"]),
                          body=request.body, header=request.headers["webhook-signature"])
    payload = request.json()
    assert set(payload) == {"meta", "page", "incident"}
    assert payload["page"]["status_indicator"] == "minor"
    assert payload["incident"]["incident_updates"][0]["body"] == SEED_STATUS["message"]
    assert "/status/subscriptions/unsubscribe?token=" in payload["meta"]["unsubscribe"]


def test_webhook_subscribers_hear_maintenance_start_on_the_clock(client, people, receiver,
                                                                worker, clock):
    post(client, people, "/api/v1/statuspage/subscribers",
         {"kind": "webhook", "url": receiver.url, "secret": "a-secret-of-sixteen+"}, expect=201)
    post(client, people, "/api/v1/statuspage/maintenances", {
        "name": "Router swap", "components": ["chat"],
        "scheduled_for": (clock.now() + timedelta(minutes=30)).isoformat(),
        "scheduled_until": (clock.now() + timedelta(minutes=60)).isoformat()}, expect=201)
    worker.run_once()
    clock.advance(minutes=30)
    worker.run_once()
    received = receiver.wait_for(2)
    assert [r.json()["incident"]["status"] for r in received] == ["scheduled", "in_progress"]
    assert all(signing.verify("a-secret-of-sixteen+", message_id=r.headers["webhook-id"],
                              timestamp=int(r.headers["webhook-timestamp"]), body=r.body,
                              header=r.headers["webhook-signature"]) for r in received)


def test_updates_posted_quietly_reach_nobody(client, people, receiver, worker, database):
    post(client, people, "/api/v1/statuspage/subscribers",
         {"kind": "webhook", "url": receiver.url}, expect=201)
    post(client, people, "/api/v1/admin/status", {**SEED_STATUS, "notify": False})
    assert outbox(database, "statuspage.update") == []


@pytest.mark.parametrize("body", [
    {"kind": "webhook", "url": "ftp://example.com/x"}, {"kind": "webhook"},
    {"kind": "webhook", "url": "http://example.com", "secret": "short"},
    {"kind": "webhook", "url": "http://example.com", "secret": "whsec_!!notbase64"},
    {"kind": "pigeon", "url": "http://example.com"}, {"kind": "email", "email": "nope"}])
def test_bad_subscriber_bodies_are_422(client, people, body):
    post(client, people, "/api/v1/statuspage/subscribers", body, expect=422)


def test_a_subscriber_is_removed_and_listing_them_needs_write(client, people):
    added = post(client, people, "/api/v1/statuspage/subscribers",
                 {"kind": "email", "email": "someone@example.com"}, expect=201)
    assert added["status"] == "pending"
    assert client.get("/api/v1/statuspage/subscribers",
                      headers=people.headers("viewer")).status_code == 403
    assert client.delete(f"/api/v1/statuspage/subscribers/{added['id']}",
                         headers=people.admin).status_code == 204
    assert client.get("/api/v1/statuspage/subscribers", headers=people.admin).json() == []


@pytest.mark.parametrize(("url", "reason"), [
    ("http://127.0.0.1:8080/api/v1/admin/status", "loopback"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "metadata"),
    ("http://metadata.google.internal/computeMetadata/v1/", "metadata"),
    ("http://192.168.0.10/hook", "private"),
])
def test_webhook_subscribers_to_internal_addresses_are_refused(client, people, monkeypatch,
                                                               url, reason):
    from tests.support.outbound import set_allow_list

    set_allow_list(monkeypatch, None)
    problem = post(client, people, "/api/v1/statuspage/subscribers",
                   {"kind": "webhook", "url": url}, expect=422)
    assert (problem["field"], problem["reason"]) == ("url", reason)
    assert client.get("/api/v1/statuspage/subscribers", headers=people.admin).json() == []


def test_a_stored_subscriber_the_policy_now_refuses_is_dead_lettered(
        client, people, receiver, worker, database, monkeypatch):
    from tests.support.outbound import set_allow_list

    post(client, people, "/api/v1/statuspage/subscribers",
         {"kind": "webhook", "url": receiver.url + "/status-hook"}, expect=201)
    set_allow_list(monkeypatch, None)
    post(client, people, "/api/v1/admin/status", SEED_STATUS)
    worker.run_once()
    (message,) = outbox(database, "statuspage.update")
    assert message.status == "dead"
    assert "outbound destination policy" in message.last_error
    assert receiver.requests == []
