"""Pages over every channel: real SMTP, signed webhooks, Slack blocks, the
SMS/voice gateway; retries when a receiver is down."""

from __future__ import annotations

import pytest

from tests.oncall.conftest import SECRET
from warroom import config
from warroom.auth import service as users
from warroom.notify import service as outbox
from warroom.notify.channels import signing
from warroom.oncall.people import service as people_service

GATEWAY_SECRET = "whsec_Z2F0ZXdheS1zaWduaW5nLXNlY3JldA=="


def contact(org, username: str, kind: str, address: str) -> None:
    with org.unit() as uow:
        user = users.get_by_username(uow.session, username=username)
        people_service.add_contact_method(uow, user=user, kind=kind, address=address)


@pytest.fixture
def gateway(org, monkeypatch):
    monkeypatch.setenv("WARROOM_SMS_GATEWAY_URL", f"{org.receiver.url}/gateway")
    monkeypatch.setenv("WARROOM_SMS_GATEWAY_TOKEN", "gateway-token")
    monkeypatch.setenv("WARROOM_SMS_GATEWAY_SECRET", GATEWAY_SECRET)
    config.reset()
    yield
    config.reset()


def test_page_by_email_over_real_smtp(org, mailbox):
    org.person("oce", webhook=False, email="oce@example.com")  # no contact method: email
    org.bind("on_call_engineer", "user:oce")
    org.declare("sev1", services=["chat"])
    org.tick()
    (page,) = [m for m in mailbox.wait_for(1) if m["To"] == "oce@example.com"]
    assert page["Subject"] == "[SEV-1] INC-1: Chat is down"
    text = page.get_content()
    assert "You are paged as On-call Engineer (step 1/5 (On-call Engineer))" in text
    assert "INCIDENT SUMMARY:" in text and "- Severity: 1 (Critical)" in text
    assert "- Services: chat" in text
    assert "Acknowledge (stops the escalation): http://127.0.0.1:8080/api/v1/ack/" in text
    assert "Incident: http://127.0.0.1:8080/incidents/INC-1" in text


def test_webhook_page_is_signed_and_carries_its_idempotency_key(org):
    org.staff_positions()
    org.declare("sev1")
    (page,) = [r for r in org.tick() if r.path == "/oce"]
    key = page.headers["webhook-id"]
    assert page.headers["idempotency-key"] == key and key.startswith("page:")
    assert signing.verify(SECRET, message_id=key, timestamp=int(page.headers[
        "webhook-timestamp"]), body=page.body, header=page.headers["webhook-signature"])
    body = page.json()
    assert body["event"] == "page" and body["incident"]["id"] == "INC-1"
    assert body["ack_url"].startswith("http://127.0.0.1:8080/api/v1/ack/")
    assert body["incident_url"] == "http://127.0.0.1:8080/incidents/INC-1"


def test_slack_page_has_text_and_blocks_with_both_links(org):
    org.person("oce", webhook=False)
    contact(org, "oce", "slack", f"{org.receiver.url}/slack-hook")
    org.bind("on_call_engineer", "user:oce")
    org.declare("sev2")
    (post,) = org.tick()
    assert post.path == "/slack-hook"
    message = post.json()
    assert message["text"].startswith("[SEV-2] INC-1: Chat is down")
    buttons = {b["action_id"]: b["url"] for block in message["blocks"]
               if block["type"] == "actions" for b in block["elements"]}
    assert buttons["acknowledge"].startswith("http://127.0.0.1:8080/api/v1/ack/")
    assert buttons["open_incident"] == "http://127.0.0.1:8080/incidents/INC-1"
    assert message["blocks"][0] == {"type": "header", "text": {
        "type": "plain_text", "text": "[SEV-2] INC-1: Chat is down"}}


def test_sms_and_voice_go_through_the_gateway(org, gateway):
    org.person("oce", webhook=False)
    contact(org, "oce", "sms", "+1 (555) 123-4567")
    contact(org, "oce", "voice", "+15551234567")
    org.bind("on_call_engineer", "user:oce")
    org.declare("sev1")
    requests = sorted(org.tick(), key=lambda r: r.json()["type"])
    assert [r.path for r in requests] == ["/gateway", "/gateway"]
    sms, voice = (r.json() for r in requests)
    assert sms["type"] == "sms" and sms["to"] == "+15551234567"
    assert sms["text"].startswith("[SEV-1] INC-1: Chat is down - You are paged as")
    assert sms["ack_url"] in sms["text"]
    assert voice["type"] == "voice" and "Severity 1 incident INC 1" in voice["text"]
    for request in requests:
        assert request.headers["authorization"] == "Bearer gateway-token"
        assert request.headers["idempotency-key"] == request.json()["message_id"]
        assert signing.verify(GATEWAY_SECRET, message_id=request.headers["webhook-id"],
                              timestamp=int(request.headers["webhook-timestamp"]),
                              body=request.body, header=request.headers["webhook-signature"])


def test_without_a_gateway_sms_pages_are_dead_letters_that_alert_admins(org, mailbox,
                                                                         monkeypatch):
    org.person("oce", webhook=False)
    monkeypatch.setenv("WARROOM_SMS_GATEWAY_URL", f"{org.receiver.url}/gateway")
    config.reset()
    contact(org, "oce", "sms", "+15551234567")  # saved while a gateway was configured
    monkeypatch.delenv("WARROOM_SMS_GATEWAY_URL")
    config.reset()
    org.bind("on_call_engineer", "user:oce")
    org.declare("sev3")
    org.tick()
    (dead,) = org.outbox(status="dead")
    assert "WARROOM_SMS_GATEWAY_URL is not set" in dead.last_error
    org.tick()
    assert any("could not be delivered" in m["Subject"] for m in mailbox.wait_for(1))


def test_a_gateway_on_a_loopback_address_that_is_not_allow_listed_is_refused(
        org, gateway, monkeypatch):
    from tests.support.outbound import set_allow_list

    org.person("oce", webhook=False)
    contact(org, "oce", "sms", "+15551234567")
    set_allow_list(monkeypatch, None)
    org.bind("on_call_engineer", "user:oce")
    org.declare("sev3")
    org.tick()
    (dead,) = org.outbox(status="dead")
    assert "outbound destination policy" in dead.last_error
    assert "/gateway" not in dead.last_error
    assert org.receiver.requests == []


def test_page_is_retried_while_the_receiver_is_down_and_delivered_after(org, clock):
    org.staff_positions()
    org.receiver.fail_next = 2
    ref = org.declare("sev3")
    assert org.paged() == []
    for _ in range(2):
        clock.advance(minutes=1)
        org.tick()
    assert [r.path for r in org.receiver.requests] == ["/oce"]
    deliveries = [e.summary for e in org.timeline(ref, "delivery")]
    assert "attempt 1/8 failed" in deliveries[0] and "attempt 2/8 failed" in deliveries[1]
    assert "delivered (page by webhook to oce)" in deliveries[2]


def test_notify_person_reaches_people_through_their_contact_methods(org):
    org.person("oce", email="oce@example.com")
    org.rules("oce", ("oce", 0), ("oce-later", 10))
    with org.unit() as uow:
        queued = outbox.notify_person(uow, user_id=org.ids["oce"], kind="comms",
                                      subject="INCIDENT UPDATE #1", body="still on it",
                                      key="comms:1:oce")
    assert [m.destination for m in queued] == [f"{org.receiver.url}/oce"]
    (update,) = org.tick()
    assert update.json() == {"text": "still on it"}
