"""Acknowledging stops the escalation, records who and when, and no page
leaves after it, whether it was acknowledged by API, CLI or one-click link."""

from __future__ import annotations

import threading
from datetime import timedelta

from typer.testing import CliRunner

from warroom.cli import app as cli_app
from warroom.worker import Worker


def test_api_acknowledgement_stops_escalation_and_records_who(org, clock, client, people):
    org.staff_positions()
    start = clock.now()
    ref = org.declare("sev1")
    assert org.paged() == ["oce"]
    clock.advance(minutes=3)
    answer = client.post(f"/api/v1/incidents/{ref}/acknowledge",
                         headers=people.headers("responder"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["acknowledged_by"] == "responder"
    assert answer.json()["acknowledged_at"] == (start + timedelta(minutes=3)).isoformat() \
        .replace("+00:00", "Z")
    for minutes in (15, 30, 60, 120, 240):
        org.at(start, minutes=minutes)
        assert org.paged() == []
    escalation = client.get(f"/api/v1/incidents/{ref}/escalation", headers=people.admin).json()
    assert escalation["state"] == "acknowledged"
    assert escalation["acknowledged_by"] == "responder"
    assert [p["user"] for p in escalation["pages"]] == ["oce"]


def test_a_page_queued_for_later_is_cancelled_by_the_acknowledgement(org, clock, client,
                                                                     people):
    org.staff_positions()
    org.rules("oce", ("oce", 0), ("oce-phone", 5))  # e.g. a call if still unacknowledged
    start = clock.now()
    ref = org.declare("sev1")
    assert org.paged() == ["oce"]
    org.at(start, minutes=2)
    client.post(f"/api/v1/incidents/{ref}/acknowledge", headers=people.headers("responder"))
    org.at(start, minutes=5)
    assert org.paged() == []
    (queued,) = [m for m in org.outbox(kind="page") if m.destination.endswith("/oce-phone")]
    assert queued.status == "cancelled"
    assert "acknowledged by responder" in queued.finished_reason


def test_unacknowledged_delayed_rule_fires(org, clock):
    org.staff_positions()
    org.rules("oce", ("oce", 0), ("oce-phone", 5))
    start = clock.now()
    org.declare("sev1")
    assert org.paged() == ["oce"]
    org.at(start, minutes=4, seconds=59)
    assert org.paged() == []
    org.at(start, minutes=5)
    assert org.paged() == ["oce-phone"]


def test_cli_acknowledgement_stops_escalation(org, clock, people):
    org.staff_positions()
    start = clock.now()
    ref = org.declare("sev2")
    org.paged()
    result = CliRunner().invoke(cli_app, ["incident", "ack", ref, "--as", "responder"])
    assert result.exit_code == 0, result.output
    org.at(start, minutes=15)
    assert org.paged() == []
    kinds = [e.summary for e in org.timeline(ref, "escalation")]
    assert any("acknowledged by responder" in k for k in kinds)


def test_one_click_link_acknowledges_as_the_person_paged(org, clock, client):
    org.staff_positions()
    start = clock.now()
    ref = org.declare("sev1")
    org.paged()
    link = org.ack_url("/oce")
    shown = client.get(link)
    assert shown.status_code == 200 and "<form method=post>" in shown.text
    used = client.post(link)
    assert used.status_code == 200, used.text
    assert used.json() == {"incident": ref, "acknowledged": True, "acknowledged_by": "oce",
                           "acknowledged_at": start.isoformat()}
    org.at(start, minutes=15)
    assert org.paged() == []
    (ack,) = org.timeline(ref, "ack")
    assert ack.actor == "oce"


def test_one_click_link_works_once(org, client):
    org.staff_positions()
    org.declare("sev1")
    org.paged()
    link = org.ack_url("/oce")
    assert client.post(link).status_code == 200
    again = client.post(link)
    assert again.status_code == 409
    assert "already used" in again.json()["detail"] and "oce" in again.json()["detail"]
    assert client.get(link).status_code == 410


def test_one_click_link_expires(org, clock, client):
    org.staff_positions()
    org.declare("sev1")
    org.paged()
    link = org.ack_url("/oce")
    clock.advance(hours=24, seconds=1)
    answer = client.post(link)
    assert answer.status_code == 410
    assert "expired" in answer.json()["detail"]


def test_rotating_keys_voids_links_already_sent_but_not_the_next_pages(org, clock, client,
                                                                       people):
    org.staff_positions()
    start = clock.now()
    org.declare("sev1")
    org.paged()
    before = org.ack_url("/oce")
    rotated = client.post("/api/v1/admin/security/rotate-keys", headers=people.admin)
    assert rotated.status_code == 200, rotated.text
    assert client.get(before).status_code == 404
    assert client.post(before).status_code == 404
    org.at(start, minutes=15)
    assert org.paged() == ["lead"]
    after = org.ack_url("/lead")
    assert client.post(after).status_code == 200


def test_an_altered_link_is_refused(org, client):
    org.staff_positions()
    org.declare("sev1")
    org.paged()
    link = org.ack_url("/oce")
    token = link.rsplit("/", 1)[1]
    body, mac = token.split(".")
    forged = f"{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}.{mac}"
    answer = client.post(f"/api/v1/ack/{forged}")
    assert answer.status_code == 404
    assert client.post("/api/v1/ack/not-a-token").status_code == 404


def test_moving_into_triage_counts_as_acknowledgement(org, clock, client, people):
    org.staff_positions()
    start = clock.now()
    ref = org.declare("sev3")
    org.paged()
    moved = client.post(f"/api/v1/incidents/{ref}/transition", json={"phase": "triage"},
                        headers=people.headers("responder"))
    assert moved.status_code == 200, moved.text
    org.at(start, minutes=15)
    assert org.paged() == []


def test_resolving_stops_everything(org, clock, client, people):
    org.staff_positions()
    start = clock.now()
    ref = org.declare("sev1")
    org.paged()
    for phase in ("triage", "recovery", "lessons_learned"):
        client.post(f"/api/v1/incidents/{ref}/transition", json={"phase": phase},
                    headers=people.headers("responder"))
    org.at(start, hours=6)
    assert org.tick() == []
    escalation = client.get(f"/api/v1/incidents/{ref}/escalation", headers=people.admin).json()
    assert escalation["state"] == "resolved" and escalation["pending"] == []


def test_a_page_claimed_by_a_worker_is_not_sent_after_the_acknowledgement(org, client, people):
    from warroom.notify import delivery

    org.staff_positions()
    ref = org.declare("sev3")
    with org.unit("worker") as uow:  # a worker has claimed the page and is about to send it
        claimed = delivery.claim_due(uow, limit=10, lease_seconds=60)
    assert [e.kind for e in claimed] == ["page"]
    client.post(f"/api/v1/incidents/{ref}/acknowledge", headers=people.headers("responder"))
    assert delivery.still_wanted(org.database, claimed) == []
    assert org.tick() == []


def test_an_incident_declared_in_error_stops_paging(org, clock, client, people):
    org.staff_positions()
    start = clock.now()
    ref = org.declare("sev1")
    org.paged()
    answer = client.post(f"/api/v1/incidents/{ref}/declared-in-error",
                         json={"reason": "test alert"}, headers=people.headers("commander"))
    assert answer.status_code == 200, answer.text
    org.at(start, hours=3)
    assert org.tick() == []
    assert "Escalation ended: incident resolved" in [e.summary for e in
                                                     org.timeline(ref, "escalation")]


def test_no_page_leaves_after_the_acknowledgement_answered_beyond_those_in_flight(
        org, clock, client, people, settings, database):
    """The worker claims a batch of second-step pages and sends them a few at a
    time to a slow receiver; an acknowledgement that answers 200 meanwhile
    stops every page of the batch that was not already on the wire."""
    leads = [f"lead{n}" for n in range(12)]
    org.staff_positions()
    for lead in leads:
        org.person(lead)
    org.bind("team_lead", *(f"user:{lead}" for lead in leads))
    start = clock.now()
    ref = org.declare("sev1")
    assert org.paged() == ["oce"]
    org.at(start, minutes=5)
    org.tick()  # the missed response target is told (a notice, which an ack keeps)
    org.at(start, minutes=15)
    in_flight = 3
    worker = Worker(database, settings.model_copy(update={"worker_concurrency": in_flight}),
                    clock, name="slow-receiver")
    before = len(org.receiver.requests)
    org.receiver.gate.clear()
    delivering = threading.Thread(target=worker.run_once)
    try:
        delivering.start()
        org.receiver.wait_for(before + in_flight)
        answer = client.post(f"/api/v1/incidents/{ref}/acknowledge",
                             headers=people.headers("responder"))
        assert answer.status_code == 200, answer.text
        on_the_wire = len(org.receiver.requests) - before
    finally:
        org.receiver.gate.set()
        delivering.join(timeout=30)
        worker.close()
    arrived = len(org.receiver.requests) - before
    assert (on_the_wire, arrived) == (in_flight, in_flight)
    second_step = [m for m in org.outbox(kind="page") if m.recipient in leads]
    assert len(second_step) == len(leads)
    assert sorted(m.status for m in second_step) == \
        ["cancelled"] * (len(leads) - in_flight) + ["sent"] * in_flight
