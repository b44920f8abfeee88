"""Quarterly drills: reminders before each run, an iCalendar feed, and the
preparedness item checked by finished drills, its owner reminded after 90
days without one."""

from __future__ import annotations

from datetime import timedelta

from warroom.drills import engine, schedule
from warroom.notify import service as outbox
from warroom.playbooks import preparedness


def remind(drills):
    with drills.unit() as uow:
        engine.remind(uow)


def reminders(database):
    with database.read() as session:
        return [(m.recipient, m.subject) for m in outbox.get_all(session, kind="drill_reminder")]


def test_a_quarterly_schedule_reminds_its_owner_a_week_ahead_once(drills, client, people,
                                                                   clock, database):
    first = clock.now() + timedelta(days=30)
    answer = client.post("/api/v1/drills/schedules", headers=people.admin, json={
        "every": "quarter", "scenario": "rotate", "owner": "carol",
        "first": first.isoformat()})
    assert answer.status_code == 201, answer.text
    assert answer.json()["next_scenario"] == "cloud-outage"
    clock.set(first - timedelta(days=8))
    remind(drills)
    assert [r for r in reminders(database) if r[0] == "carol"] == []
    clock.set(first - timedelta(days=6))
    remind(drills)
    remind(drills)
    ours = [r for r in reminders(database) if r[0] == "carol"]
    assert ours == [("carol", f"Drill on {first:%Y-%m-%d %H:%M} UTC: cloud-outage")]
    clock.set(first + timedelta(days=1))
    remind(drills)
    listed = client.get("/api/v1/drills/schedules", headers=people.admin).json()[0]
    assert listed["next_at"] == schedule.add_months(first, 3).isoformat().replace("+00:00", "Z")
    assert listed["next_scenario"] == "compliance-violation"


def test_the_calendar_feed_lists_each_schedule_as_a_recurring_event(drills, client, people):
    client.post("/api/v1/drills/schedules", headers=people.admin, json={
        "every": "quarter", "scenario": "ddos", "owner": "carol",
        "first": "2026-04-01T09:00:00Z"})
    feed = client.get("/api/v1/drills/calendar.ics", headers=people.admin)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    lines = feed.text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and "END:VCALENDAR" in lines
    assert "DTSTART:20260401T090000Z" in lines and "RRULE:FREQ=MONTHLY;INTERVAL=3" in lines
    assert "SUMMARY:Drill: ddos" in lines
    assert client.get("/api/v1/drills/calendar.ics").status_code == 401


def test_a_finished_drill_checks_the_preparedness_item(drills, database, clock):
    ref = drills.start("ddos")
    drills.at(ref, 120)
    drills.end(ref)
    with database.read() as session:
        item = next(s for s in preparedness.get_all(session, now=clock.now())
                    if s.item.id == "simulation-exercises")
    assert item.last_verified_at == clock.now() and not item.due
    assert "DR-1 (ddos) finished" in (item.note or "")


def test_ninety_days_without_a_drill_reminds_the_preparedness_owner_once(
        drills, database, clock, work):
    with work() as uow:
        preparedness.set_owner(uow, item_id="simulation-exercises", owner="carol")
    ref = drills.start("ddos")
    drills.at(ref, 120)
    drills.end(ref)
    ended = clock.now()
    clock.set(ended + timedelta(days=89))
    remind(drills)
    assert reminders(database) == []
    clock.set(ended + timedelta(days=91))
    remind(drills)
    remind(drills)
    assert reminders(database) == [("carol", "Preparedness: no simulation exercise for 90 "
                                             "days")]
