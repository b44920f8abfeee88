"""Delivery under the outbound destination policy: a row that breaks the
policy dead-letters with a clear reason, and what a destination answers is
never kept for anyone to read back."""

from __future__ import annotations

import pytest

from tests.support.outbound import set_allow_list
from warroom import config
from warroom.incidents import service as incidents
from warroom.incidents import timeline
from warroom.notify import service
from warroom.notify.service import Outgoing
from warroom.worker import Worker

SECRET_ANSWER = b"root:x:0:0:internal-only-answer"


@pytest.fixture
def worker(database, clock):
    started = Worker(database, config.get_settings(), clock, name="test-worker")
    yield started
    started.close()


def queue_for_incident(work, destination: str, **fields) -> int:
    with work() as uow:
        incident = incidents.declare(uow, declaration=incidents.Declaration(
            type="service_outage", severity="sev1", title="x"))
        return service.enqueue(uow, message=Outgoing(
            channel="webhook", destination=destination, kind="page", recipient="alice",
            incident_id=incident.id, **fields)).id


def test_a_stored_destination_that_now_breaks_the_policy_dead_letters(
        database, work, receiver, worker, monkeypatch):
    message_id = queue_for_incident(work, receiver.url + "/hook")
    set_allow_list(monkeypatch, None)
    worker.run_once()
    with database.read() as session:
        message = service.get(session, message_id=message_id)
        (attempt,) = service.attempts(session, message_id=message_id)
        events = timeline.get_all(session, incident_id=message.incident_id, kind="delivery")
    assert (message.status, message.finished_reason) == ("dead", "permanent failure")
    assert "refused by the outbound destination policy" in message.last_error
    assert "a loopback address" in message.last_error
    assert attempt.status_code is None and attempt.error == message.last_error
    assert "FAILED for good" in events[-1].summary
    assert receiver.requests == []


def test_a_stored_whsec_secret_that_is_not_base64_dead_letters_at_once(
        database, work, receiver, worker):
    message_id = queue_for_incident(work, receiver.url, signing_secret="whsec_not*base64!")
    worker.run_once()
    with database.read() as session:
        message = service.get(session, message_id=message_id)
    assert (message.status, message.attempts) == ("dead", 1)
    assert "not valid base64" in message.last_error
    assert receiver.requests == []


@pytest.mark.parametrize("status", [500, 410])
def test_a_destinations_answer_is_kept_as_its_status_only(client, people, work, receiver,
                                                          worker, status):
    receiver.fail_next, receiver.fail_status, receiver.fail_body = 1, status, SECRET_ANSWER
    message_id = queue_for_incident(work, receiver.url + "/hook")
    worker.run_once()
    viewer = people.headers("viewer")
    listed = client.get("/api/v1/outbox", headers=viewer)
    detail = client.get(f"/api/v1/outbox/{message_id}", headers=viewer)
    events = client.get("/api/v1/incidents/INC-1/timeline", headers=viewer)
    assert listed.status_code == detail.status_code == events.status_code == 200
    for answer in (listed, detail, events):
        assert b"internal-only-answer" not in answer.content
    assert detail.json()["history"][0]["status_code"] == status
    assert detail.json()["last_error"].startswith(f"HTTP {status} ")
