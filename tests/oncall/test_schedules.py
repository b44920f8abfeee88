"""Schedules over the API and CLI: rotations in layers, overrides, who is on
call now or at a time, and iCalendar exports."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from warroom.cli import app as cli_app

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def team(org):
    for name in ("ana", "ben", "cai", "dee"):
        org.person(name)


def schedule(client, people, name="primary", time_zone="Europe/Berlin"):
    answer = client.post("/api/v1/oncall/schedules", json={"name": name, "time_zone": time_zone},
                         headers=people.admin)
    assert answer.status_code == 201, answer.text


def layer(client, people, schedule_name="primary", **fields):
    answer = client.post(f"/api/v1/oncall/schedules/{schedule_name}/layers", json=fields,
                         headers=people.admin)
    assert answer.status_code == 201, answer.text
    return answer.json()


def on_call(client, people, at, name="primary"):
    answer = client.get(f"/api/v1/oncall/schedules/{name}/on-call", params={"at": at},
                        headers=people.headers("viewer"))
    assert answer.status_code == 200, answer.text
    return answer.json()["users"]


def test_weekly_rotation_answers_who_is_on_call_at_any_time(client, people, team):
    schedule(client, people)
    layer(client, people, rotation="weekly", participants=["ana", "ben", "cai"],
          starts_at="2026-03-23T09:00")  # a Monday, Berlin time
    assert on_call(client, people, "2026-03-23T09:00") == ["ana"]
    assert on_call(client, people, "2026-03-30T08:59") == ["ana"]  # across the DST change
    assert on_call(client, people, "2026-03-30T09:00") == ["ben"]  # 09:00 CEST
    assert on_call(client, people, "2026-03-30T07:00:00Z") == ["ben"]
    assert on_call(client, people, "2026-04-13T09:00") == ["ana"]
    assert on_call(client, people, "2026-03-22T12:00") == []  # before it starts


def test_a_higher_layer_wins_within_its_hours(client, people, team):
    schedule(client, people)
    layer(client, people, name="nights and weekends", rotation="daily",
          participants=["ana", "ben"], starts_at="2026-03-02T00:00")
    layer(client, people, name="business hours", rotation="weekly", participants=["dee"],
          starts_at="2026-03-02T09:00", active_days="mon-fri", active_from="09:00",
          active_until="17:00")
    assert on_call(client, people, "2026-03-04T10:00") == ["dee"]   # Wednesday, office hours
    assert on_call(client, people, "2026-03-04T18:00") == ["ana"]   # evening: day 2 -> ana
    assert on_call(client, people, "2026-03-07T10:00") == ["ben"]   # Saturday


def test_overrides_take_the_slot_or_replace_one_person(client, people, team):
    schedule(client, people)
    layer(client, people, rotation="daily", participants=["ana", "ben"],
          starts_at="2026-03-02T09:00")
    answer = client.post("/api/v1/oncall/schedules/primary/overrides", headers=people.admin,
                         json={"user": "cai", "starts_at": "2026-03-02T12:00",
                               "ends_at": "2026-03-02T14:00", "reason": "ana at the dentist"})
    assert answer.status_code == 201, answer.text
    client.post("/api/v1/oncall/schedules/primary/overrides", headers=people.admin,
                json={"user": "dee", "replaces": "ben", "starts_at": "2026-03-02T00:00",
                      "ends_at": "2026-03-10T00:00"})
    assert on_call(client, people, "2026-03-02T11:59") == ["ana"]
    assert on_call(client, people, "2026-03-02T12:00") == ["cai"]
    assert on_call(client, people, "2026-03-02T14:00") == ["ana"]
    assert on_call(client, people, "2026-03-03T10:00") == ["dee"]  # ben's day, dee covers it
    assert on_call(client, people, "2026-03-12T10:00") == ["ana"]  # override over


def test_an_override_pages_the_person_covering(org, client, people, clock):
    org.person("ana")
    org.person("cai")
    schedule(client, people, time_zone="UTC")
    layer(client, people, rotation="daily", participants=["ana"], starts_at="2026-01-01T09:00Z")
    now = clock.now()
    client.post("/api/v1/oncall/schedules/primary/overrides", headers=people.admin,
                json={"user": "cai", "starts_at": now.isoformat(),
                      "ends_at": now.replace(hour=23).isoformat()})
    org.bind("on_call_engineer", "schedule:primary")
    org.declare("sev3")
    assert org.paged() == ["cai"]


def test_schedule_and_person_calendars(client, people, team, clock):
    clock.set(datetime(2026, 3, 20, 12, 0, tzinfo=UTC))
    schedule(client, people)
    layer(client, people, rotation="weekly", participants=["ana", "ben"],
          starts_at="2026-03-16T09:00")
    answer = client.get("/api/v1/oncall/schedules/primary/calendar.ics", params={"days": 21},
                        headers=people.headers("viewer"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    events = [e for e in Calendar.from_ical(answer.content).walk("VEVENT")]
    starts = [e.decoded("dtstart").astimezone(BERLIN) for e in events]
    assert [s.hour for s in starts[1:]] == [9, 9, 9]  # every handoff at 09:00 Berlin, DST or not
    assert [str(e["summary"]) for e in events[:2]] == ["On call: ana (primary)",
                                                       "On call: ben (primary)"]
    mine = client.get("/api/v1/oncall/people/ben/calendar.ics", params={"days": 21},
                      headers=people.headers("viewer"))
    ben = [e for e in Calendar.from_ical(mine.content).walk("VEVENT")]
    assert [e.decoded("dtstart").astimezone(BERLIN).date().isoformat() for e in ben] == [
        "2026-03-23", "2026-04-06"]
    assert all(str(e["summary"]) == "On call: primary" for e in ben)


def test_a_shift_in_progress_keeps_its_uid_and_real_start_across_fetches(client, people,
                                                                          team, clock):
    schedule(client, people)
    layer(client, people, rotation="weekly", participants=["ana", "ben"],
          starts_at="2026-03-16T09:00")  # ana from Monday 16 March, 09:00 Berlin

    def fetch(path):
        answer = client.get(path, params={"days": 14}, headers=people.headers("viewer"))
        assert answer.status_code == 200, answer.text
        return [e for e in Calendar.from_ical(answer.content).walk("VEVENT")]

    for path in ("/api/v1/oncall/schedules/primary/calendar.ics",
                 "/api/v1/oncall/people/ana/calendar.ics"):
        clock.set(datetime(2026, 3, 20, 12, 0, tzinfo=UTC))
        first = fetch(path)
        clock.set(datetime(2026, 3, 21, 18, 30, tzinfo=UTC))
        second = fetch(path)
        assert str(first[0]["uid"]) == str(second[0]["uid"])
        assert first[0].decoded("dtstart") == second[0].decoded("dtstart") == datetime(
            2026, 3, 16, 8, 0, tzinfo=UTC)


def test_cli_creates_a_schedule_and_says_who_is_on_call(database, people, team):
    runner = CliRunner()
    steps = [["oncall", "schedule", "create", "ny", "--tz", "America/New_York"],
             ["oncall", "schedule", "add-layer", "ny", "--rotation", "daily",
              "--participant", "ana", "--participant", "ben", "--starts-at",
              "2026-03-07T09:00"],
             ["oncall", "schedule", "override", "ny", "--user", "cai", "--from",
              "2026-03-09T00:00", "--until", "2026-03-10T00:00"]]
    for args in steps:
        result = runner.invoke(cli_app, args)
        assert result.exit_code == 0, result.output
    before = runner.invoke(cli_app, ["oncall", "who", "ny", "--at", "2026-03-08T08:59",
                                     "--json"])
    after = runner.invoke(cli_app, ["oncall", "who", "ny", "--at", "2026-03-08T09:00"])
    assert json.loads(before.stdout)["users"] == ["ana"]
    assert json.loads(before.stdout)["at"] == "2026-03-08T12:59:00+00:00"  # EDT (UTC-4) that day
    assert "ben" in after.stdout
    covered = runner.invoke(cli_app, ["oncall", "who", "ny", "--at", "2026-03-09T12:00",
                                      "--json"])
    assert json.loads(covered.stdout)["users"] == ["cai"]
    calendar = runner.invoke(cli_app, ["oncall", "schedule", "calendar", "ny", "--days", "3"])
    assert calendar.stdout.startswith("BEGIN:VCALENDAR")


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"rotation": "weekly", "participants": ["ana"], "starts_at": "2026-03-02T09:00",
      "shift_hours": 12}, 422, "custom"),
    ({"rotation": "custom", "participants": ["ana"], "starts_at": "2026-03-02T09:00"}, 422,
     "shift_hours"),
    ({"rotation": "hourly", "participants": ["ana"], "starts_at": "2026-03-02T09:00"}, 422,
     "daily, weekly, custom"),
    ({"rotation": "daily", "participants": ["nobody"], "starts_at": "2026-03-02T09:00"}, 404,
     "nobody"),
    ({"rotation": "daily", "participants": ["ana"], "starts_at": "2026-03-02T09:00",
      "active_from": "25:00", "active_until": "17:00"}, 422, "time of day"),
])
def test_bad_layers_are_refused_with_a_sentence(client, people, team, body, status, words):
    schedule(client, people)
    answer = client.post("/api/v1/oncall/schedules/primary/layers", json=body,
                         headers=people.admin)
    assert answer.status_code == status, answer.text
    assert words in answer.json()["detail"]


def test_unknown_time_zone_is_refused(client, people):
    answer = client.post("/api/v1/oncall/schedules", json={"name": "x", "time_zone": "Mars/Base"},
                         headers=people.admin)
    assert answer.status_code == 422
    assert "IANA" in answer.json()["detail"]


def test_changing_schedules_needs_oncall_write(client, people):
    answer = client.post("/api/v1/oncall/schedules", json={"name": "x"},
                         headers=people.headers("responder"))
    assert answer.status_code == 403 and "oncall:write" in answer.json()["detail"]
