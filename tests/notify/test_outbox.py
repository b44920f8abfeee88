"""The outbox: written with its cause, delivered by the worker with retries,
signatures, idempotency keys and a dead-letter state."""

from __future__ import annotations

from datetime import timedelta

import pytest

from warroom import config
from warroom.db import Actor
from warroom.incidents import service as incidents
from warroom.incidents import timeline
from warroom.notify import service
from warroom.notify.channels import signing
from warroom.notify.service import Outgoing
from warroom.worker import Worker


@pytest.fixture
def worker(database, clock):
    started = Worker(database, config.get_settings(), clock, name="test-worker")
    yield started
    started.close()


def queue(work, **fields) -> int:
    with work() as uow:
        return service.enqueue(uow, message=Outgoing(**{"kind": "test", **fields})).id


def status_of(database, message_id):
    with database.read() as session:
        return service.get(session, message_id=message_id)


def test_message_is_written_with_its_cause_or_not_at_all(database, work, receiver):
    with pytest.raises(RuntimeError), work() as uow:
        service.enqueue(uow, message=Outgoing(channel="webhook", destination=receiver.url,
                                              kind="test"))
        raise RuntimeError("the change that caused it failed")
    with database.read() as session:
        assert service.get_all(session) == []


def test_webhook_is_signed_and_carries_the_idempotency_key(database, work, receiver, worker):
    message_id = queue(work, channel="webhook", destination=receiver.url + "/hook",
                       payload={"event": "page", "incident": "INC-1"},
                       signing_secret="whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=", key="page:1:1")
    report = worker.run_once()
    assert report.delivered == 1
    (request,) = receiver.requests
    assert request.path == "/hook"
    assert request.json() == {"event": "page", "incident": "INC-1"}
    assert request.headers["idempotency-key"] == "page:1:1"
    assert request.headers["webhook-id"] == "page:1:1"
    assert signing.verify("whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=", message_id="page:1:1",
                          timestamp=int(request.headers["webhook-timestamp"]),
                          body=request.body, header=request.headers["webhook-signature"])
    assert not signing.verify("whsec_d3Jvbmc=", message_id="page:1:1",
                              timestamp=int(request.headers["webhook-timestamp"]),
                              body=request.body, header=request.headers["webhook-signature"])
    assert status_of(database, message_id).status == "sent"


def test_secret_is_stored_encrypted(database, work, receiver):
    message_id = queue(work, channel="webhook", destination=receiver.url,
                       signing_secret="super-secret-value")
    sealed = status_of(database, message_id).secret_sealed
    assert sealed and "super-secret-value" not in sealed


def test_retry_with_backoff_then_recovery(database, work, receiver, worker, clock):
    receiver.fail_next = 2
    message_id = queue(work, channel="webhook", destination=receiver.url)
    worker.run_once()
    first = status_of(database, message_id)
    assert (first.status, first.attempts) == ("pending", 1)
    assert "HTTP 503" in first.last_error
    delay = first.next_attempt_at - clock.now()
    assert timedelta(seconds=2.5) <= delay <= timedelta(seconds=5)
    worker.run_once()
    assert status_of(database, message_id).attempts == 1  # not due yet: nothing sent
    clock.advance(seconds=5)
    worker.run_once()
    second = status_of(database, message_id)
    assert second.attempts == 2
    assert timedelta(seconds=5) <= second.next_attempt_at - clock.now() <= timedelta(seconds=10)
    clock.advance(seconds=10)
    worker.run_once()
    assert status_of(database, message_id).status == "sent"
    assert len(receiver.requests) == 1
    with database.read() as session:
        outcomes = [a.ok for a in service.attempts(session, message_id=message_id)]
    assert outcomes == [False, False, True]


def test_receiver_down_then_up(database, work, worker, clock):
    from tests.support.receivers import free_port, start_receiver

    port = free_port()
    message_id = queue(work, channel="webhook", destination=f"http://127.0.0.1:{port}/x")
    worker.run_once()
    failed = status_of(database, message_id)
    assert failed.status == "pending" and "Connect" in failed.last_error
    receiver = start_receiver()
    try:
        status = None
        for _ in range(3):
            clock.advance(minutes=1)
            with work() as uow:
                row = service.get(uow.session, message_id=message_id)
                row.destination = receiver.url + "/x"
            worker.run_once()
            status = status_of(database, message_id).status
            if status == "sent":
                break
        assert status == "sent"
        assert len(receiver.requests) == 1
    finally:
        receiver.close()


def test_dead_letter_after_max_attempts_alerts_admins(database, work, receiver, worker, clock,
                                                      mailbox, people):
    receiver.fail_next = 100
    message_id = queue(work, channel="webhook", destination=receiver.url, max_attempts=3)
    for _ in range(3):
        worker.run_once()
        clock.advance(hours=1)
    dead = status_of(database, message_id)
    assert (dead.status, dead.attempts) == ("dead", 3)
    assert dead.finished_reason == "gave up after 3 attempts"
    worker.run_once()
    (alert,) = mailbox.wait_for(1)
    assert alert["To"] == "admin@example.com"
    assert f"message {message_id} could not be delivered" in alert["Subject"]
    assert "warroom outbox retry" in alert.get_content()


def test_permanent_failure_is_dead_at_once(database, work, receiver, worker):
    receiver.fail_next, receiver.fail_status = 1, 404
    message_id = queue(work, channel="webhook", destination=receiver.url)
    worker.run_once()
    assert status_of(database, message_id).status == "dead"


def test_email_is_delivered_over_real_smtp(database, work, worker, mailbox):
    queue(work, channel="email", destination="oncall@example.com", subject="[SEV-1] Chat down",
          body="INC-1 needs you", key="page:email:1")
    worker.run_once()
    (email,) = mailbox.wait_for(1)
    assert email["To"] == "oncall@example.com"
    assert email["Subject"] == "[SEV-1] Chat down"
    assert email["X-Warroom-Message"] == "page:email:1"
    assert email.get_content().strip() == "INC-1 needs you"


def test_cancelled_messages_are_not_sent(database, work, receiver, worker):
    message_id = queue(work, channel="webhook", destination=receiver.url, group_key="page:INC-1")
    with work() as uow:
        assert service.cancel_group(uow, group_key="page:INC-1", reason="acknowledged") == 1
    worker.run_once()
    assert receiver.requests == []
    assert status_of(database, message_id).status == "cancelled"


def test_queuing_the_same_key_twice_keeps_one_message(database, work, receiver):
    first = queue(work, channel="webhook", destination=receiver.url, key="same")
    second = queue(work, channel="webhook", destination=receiver.url, key="same")
    assert first == second


def test_unknown_channel_is_refused(work):
    from warroom.errors import Invalid

    with pytest.raises(Invalid, match="email"):
        queue(work, channel="pigeon", destination="roof")


def test_delivery_attempts_appear_on_the_incident_timeline(database, work, receiver, worker):
    with work() as uow:
        incident = incidents.declare(uow, declaration=incidents.Declaration(
            type="service_outage", severity="sev1", title="x"))
        service.enqueue(uow, message=Outgoing(channel="webhook", destination=receiver.url,
                                              kind="page", incident_id=incident.id,
                                              recipient="alice"))
    receiver.fail_next = 1
    worker.run_once()
    with database.read() as session:
        summaries = [e.summary for e in timeline.get_all(session, incident_id=1,
                                                          kind="delivery")]
    assert len(summaries) == 1
    assert "attempt 1/8 failed (page by webhook to alice)" in summaries[0]


def test_a_claimed_message_of_a_dead_worker_is_retried_after_its_lease(database, work,
                                                                       receiver, worker,
                                                                       clock):
    from warroom.notify import delivery

    message_id = queue(work, channel="webhook", destination=receiver.url)
    with database.unit_of_work(Actor(name="w1", kind="system"), clock=clock) as uow:
        assert len(delivery.claim_due(uow, limit=10, lease_seconds=60)) == 1
    worker.run_once()
    assert receiver.requests == []  # still leased to the worker that "died"
    clock.advance(seconds=61)
    worker.run_once()
    assert len(receiver.requests) == 1
    assert status_of(database, message_id).attempts == 2


def test_outbox_api_lists_and_retries(client, people, work, receiver, worker, clock):
    receiver.fail_next, receiver.fail_status = 1, 410
    message_id = queue(work, channel="webhook", destination=receiver.url)
    worker.run_once()
    listed = client.get("/api/v1/outbox", params={"status": "dead"},
                        headers=people.headers("viewer")).json()
    assert [m["id"] for m in listed] == [message_id]
    detail = client.get(f"/api/v1/outbox/{message_id}", headers=people.admin).json()
    assert detail["history"][0]["status_code"] == 410
    retried = client.post(f"/api/v1/outbox/{message_id}/retry", headers=people.admin)
    assert retried.json()["status"] == "pending"
    worker.run_once()
    assert len(receiver.requests) == 1


def test_notify_person_falls_back_to_their_email(database, work, people, worker, mailbox):
    with work() as uow:
        from warroom.auth import service as users

        viewer = users.get_by_username(uow.session, username="viewer")
        queued = service.notify_person(uow, user_id=viewer.id, kind="comms",
                                       subject="INCIDENT UPDATE #1", body="still on it",
                                       key="comms:1:viewer")
    assert [m.channel for m in queued] == ["email"]
    worker.run_once()
    (email,) = mailbox.wait_for(1)
    assert email["To"] == "viewer@example.com" and email["Subject"] == "INCIDENT UPDATE #1"
