"""Re-notification, response-time targets, and escalation across a restart."""

from __future__ import annotations

from warroom import config
from warroom.db import Database
from warroom.oncall.people import service as people_service
from warroom.worker import Worker


def test_a_person_can_ask_to_be_paged_again_until_someone_acknowledges(org, clock, client,
                                                                        people):
    org.staff_positions()
    with org.unit() as uow:
        from warroom.auth import service as users

        people_service.set_renotify(uow, user=users.get_by_username(uow.session,
                                                                    username="oce"), minutes=5)
    start = clock.now()
    ref = org.declare("sev1")
    assert org.paged() == ["oce"]
    org.at(start, minutes=4)
    assert org.paged() == []
    org.at(start, minutes=5)
    assert org.paged() == ["oce"]
    org.at(start, minutes=10)
    assert org.paged() == ["oce"]
    reminder = org.receiver.requests[-1].json()
    assert "still not acknowledged" in reminder["message"] and reminder["ack_url"]
    client.post(f"/api/v1/incidents/{ref}/acknowledge", headers=people.headers("responder"))
    org.at(start, minutes=30)
    assert org.paged() == []
    again = [e for e in org.timeline(ref, "reminder") if e.summary.startswith("Paged oce again")]
    assert len(again) == 2


def test_response_target_breach_is_on_the_timeline_and_tells_the_next_tier(org, clock):
    org.staff_positions()
    start = clock.now()
    ref = org.declare("sev2")  # respond within 15 min
    org.tick()
    org.at(start, minutes=14)
    org.tick()
    assert org.timeline(ref, "sla") == []
    org.at(start, minutes=15)  # the team lead's step fires; the manager is the next tier
    arrived = {r.path: r.json() for r in org.tick()}
    (breach,) = org.timeline(ref, "sla")
    assert "not acknowledged within its sev2 response target (15 min)" in breach.summary
    assert breach.data["told"] == ["em"]
    assert arrived["/lead"]["event"] == "page"
    assert arrived["/em"]["event"] == "notice"
    assert "response target" in arrived["/em"]["message"]


def test_response_target_breach_before_the_next_step_tells_that_step(org, clock):
    org.staff_positions()
    start = clock.now()
    ref = org.declare("sev1")  # respond within 5 min; the team lead's step is at 15 min
    org.tick()
    org.at(start, minutes=5)
    (told,) = org.tick()
    assert (told.path, told.json()["event"]) == ("/lead", "notice")
    assert org.timeline(ref, "sla")[0].data["told"] == ["lead"]


def test_no_breach_when_acknowledged_in_time(org, clock, client, people):
    org.staff_positions()
    start = clock.now()
    ref = org.declare("sev1")
    org.at(start, minutes=4)
    client.post(f"/api/v1/incidents/{ref}/acknowledge", headers=people.headers("responder"))
    org.at(start, hours=2)
    org.tick()
    assert org.timeline(ref, "sla") == []


def test_engagement_target_breach_when_still_in_triage(org, clock, client, people):
    org.staff_positions()
    start = clock.now()
    ref = org.declare("sev2")  # seed 002: engaged within 1 hour
    client.post(f"/api/v1/incidents/{ref}/acknowledge", headers=people.headers("responder"))
    org.at(start, minutes=60)
    org.tick()
    (breach,) = org.timeline(ref, "sla")
    assert "engagement target (1 h)" in breach.summary


def test_escalation_continues_across_a_restart(org, clock, settings):
    org.staff_positions()
    start = clock.now()
    ref = org.declare("sev1")
    assert org.paged() == ["oce"]
    org.worker.close()  # the worker goes away for 40 minutes
    org.database.dispose()
    clock.set(start.replace(minute=40))
    restarted = Database(settings.database_url)
    org.database = restarted
    org.worker = Worker(restarted, config.get_settings(), clock, name="after-restart")
    try:
        assert sorted(org.paged()) == ["em", "lead"]  # both fell due while down: each fires once
        assert org.paged() == []
        org.at(start, minutes=59)
        assert org.paged() == []
        org.at(start, minutes=60)
        assert org.paged() == ["vp"]  # still on the matrix's clock, not shifted by the outage
    finally:
        org.worker.close()
        restarted.dispose()
    pages = [e.summary for e in org.timeline(ref, "page")]
    assert len(pages) == 4
