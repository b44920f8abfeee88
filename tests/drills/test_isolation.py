"""A drill stays a drill: only its participants are paged, every message
says [DRILL] (webhooks carry X-Warroom-Drill), nothing reaches the public
status page, and drill incidents can be filtered out of response metrics."""

from __future__ import annotations

from datetime import timedelta

from warroom.drills import service
from warroom.incidents import service as incidents
from warroom.intake import service as intake
from warroom.intake.sources import generic
from warroom.notify import service as outbox


def test_a_drill_pages_its_participants_and_never_the_real_rotation(org, drills, clock):
    org.staff_positions()  # oce, lead, em, vp, cto hold the shipped positions
    ref = drills.start("websocket-outage", scale=1, participants=["lead"])
    incident_ref = drills.incident_ref(ref)
    paged: list[str] = []
    requests = []
    for minute in range(0, 121, 5):
        drills.at(ref, minute)
        drills.cycle()
        fresh = org.tick()
        requests += fresh
        paged += [r.path.strip("/") for r in fresh if r.json().get("event") == "page"]
    assert paged == ["lead"]  # oce (on call), em, vp and cto hold the real rotation
    assert {r.path for r in requests} == {"/lead"}
    assert all(r.headers.get("x-warroom-drill") == "1" for r in requests)
    left_out = [e.summary for e in org.timeline(incident_ref, "page")
                if "not in the drill" in e.summary]
    assert left_out[0].endswith("oce not in the drill, not paged")
    subjects = [m.subject for m in org.outbox(incident_id=int(incident_ref[4:]))]
    assert subjects and all(s.startswith("[DRILL]") for s in subjects)


def test_only_an_admin_may_let_a_drill_page_the_real_rotation(drills, client, people):
    answer = client.post("/api/v1/drills", headers=people.headers("commander"), json={
        "scenario": "ddos", "facilitator": "carol", "participants": ["alice"],
        "page_real": True})
    assert answer.status_code == 403, answer.text
    assert "Only an admin" in answer.json()["detail"]
    ref = drills.start("ddos", page_real=True)
    with drills.database.read() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=drills.incident_ref(ref))
        assert incident.labels["drill_page_real"] == "confirmed"


def test_a_drill_never_reaches_the_public_status_page(drills, client, people):
    ref = drills.start("cloud-outage")
    incident_ref = drills.incident_ref(ref)
    refused = client.post("/api/v1/statuspage/incidents", headers=people.admin, json={
        "name": "Chat unavailable", "body": "We are investigating.",
        "internal_incident": incident_ref})
    assert refused.status_code == 409, refused.text
    assert "sandbox page" in refused.json()["detail"]
    assert client.get("/api/v1/statuspage/incidents", headers=people.admin).json() == []
    posted = client.post(f"/api/v1/drills/{ref}/status", headers=people.admin, json={
        "status": "investigating", "message": "Chat is unavailable in Europe."})
    assert posted.status_code == 200, posted.text
    drill = posted.json()
    assert drill["sandbox_status_page"][0]["message"] == "Chat is unavailable in Europe."
    first_update = next(o for o in drill["scorecard"] if o["id"] == "first-update")
    assert first_update["status"] == "met"
    assert client.get("/api/v1/statuspage/incidents", headers=people.admin).json() == []


def test_messages_to_participants_are_marked_before_the_incident_exists(drills, database,
                                                                       clock):
    ref = drills.start("insider-threat")
    with database.read() as session:
        sent = outbox.get_all(session, kind="drill")
    assert {m.recipient for m in sent} == {"alice", "bob"}
    assert all(m.subject.startswith("[DRILL] ") and "j.doe resigned" in m.body for m in sent)
    assert ref == "DR-1"


def test_drill_incidents_are_left_out_of_response_metrics_by_the_is_drill_filter(
        drills, work):
    drills.start("ddos")
    with work() as uow:
        real = incidents.declare(uow, declaration=incidents.Declaration(
            type="service_outage", severity="sev2", title="Real outage"))
        real_ref = real.ref
    with drills.database.read() as session:
        counted, total = incidents.get_all(session, filters=incidents.Filters(is_drill=False))
    assert [i.ref for i in counted] == [real_ref] and total == 1


def _sent(org, labels):
    with org.unit() as uow:
        return intake.receive(uow, alerts=[generic.incoming(generic.GenericAlert(
            name="WebSocketServiceDown", labels={"job": "websocket-service", **labels}))],
            source="generic")


def test_a_sender_cannot_turn_a_real_alert_into_a_drill(org, drills, clock):
    """The drill labels are warroom's own: on an alert from outside (here one
    naming the running drill and its participant) they are dropped, and the
    real rotation is paged."""
    org.staff_positions()
    ref = drills.start("ddos", scale=1, participants=["lead"])
    report = _sent(org, {service.DRILL_LABEL: ref, "drill_participants": "lead"})
    clock.advance(timedelta(minutes=1))
    assert "oce" in org.paged()
    with org.unit() as uow:
        incident = incidents.get_by_ref_or_raise(uow.session, ref=report.opened[0])
        assert not incident.is_drill
        assert service.DRILL_LABEL not in (incident.labels or {})


def test_an_inject_naming_a_drill_that_is_not_running_pages_as_a_real_alert(org, clock):
    org.staff_positions()
    with org.unit() as uow:
        intake.receive(uow, alerts=[generic.incoming(generic.GenericAlert(
            name="WebSocketServiceDown", labels={"job": "websocket-service",
                                                 service.DRILL_LABEL: "DR-99"}))],
                       source="generic", internal=True)
    clock.advance(timedelta(minutes=1))
    assert "oce" in org.paged()
