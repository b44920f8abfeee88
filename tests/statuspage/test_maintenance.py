"""Scheduled maintenance moves by itself on the clock: scheduled, in
progress (components under maintenance), verifying (components back),
completed. Tests move the clock and run the worker's cycle."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.statuspage.support import post, statuses
from warroom.statuspage.notices import maintenance


def schedule(client, people, clock, *, start=60, minutes=120, **fields):
    now = clock.now()
    body = {"name": "Database upgrade", "components": ["chat", "media"],
            "scheduled_for": (now + timedelta(minutes=start)).isoformat(),
            "scheduled_until": (now + timedelta(minutes=start + minutes)).isoformat(),
            "verify_minutes": 15, **fields}
    return post(client, people, "/api/v1/statuspage/maintenances", body, expect=201)


def window(client, people, code):
    return client.get(f"/api/v1/statuspage/maintenances/{code}", headers=people.admin).json()


def test_a_window_starts_and_ends_on_the_clock(client, people, clock, worker):
    code = schedule(client, people, clock)["id"]
    worker.run_once()
    assert window(client, people, code)["status"] == "scheduled"
    clock.advance(minutes=60)
    worker.run_once()
    assert window(client, people, code)["status"] == "in_progress"
    assert statuses(client, people) == {"chat": "under_maintenance",
                                        "media": "under_maintenance",
                                        "authentication": "operational"}
    clock.advance(minutes=120)
    worker.run_once()
    assert window(client, people, code)["status"] == "verifying"
    assert set(statuses(client, people).values()) == {"operational"}
    clock.advance(minutes=15)
    worker.run_once()
    finished = window(client, people, code)
    assert finished["status"] == "completed"
    assert [u["status"] for u in finished["updates"]] == ["completed", "verifying",
                                                          "in_progress", "scheduled"]


def test_the_cycle_says_when_the_next_window_is_due(work, client, people, clock):
    schedule(client, people, clock, start=30)
    schedule(client, people, clock, start=90, name="Cache rebuild")
    with work() as uow:
        assert maintenance.advance_due(uow) == clock.now() + timedelta(minutes=30)
    clock.advance(minutes=30)
    with work() as uow:
        assert maintenance.advance_due(uow) == clock.now() + timedelta(minutes=60)


def test_a_window_puts_back_the_status_each_component_had(client, people, clock, worker):
    post(client, people, "/api/v1/admin/status", {"status": "degraded",
                                                  "components": {"media": "degraded"}})
    schedule(client, people, clock, start=10, minutes=20, verify_minutes=0)
    clock.advance(minutes=10)
    worker.run_once()
    assert statuses(client, people)["media"] == "under_maintenance"
    clock.advance(minutes=20)
    worker.run_once()
    assert statuses(client, people) == {"chat": "operational",
                                        "media": "degraded_performance",
                                        "authentication": "operational"}


def test_a_clock_that_jumps_past_the_window_still_runs_every_step(client, people, clock,
                                                                  worker):
    code = schedule(client, people, clock, start=5, minutes=10, verify_minutes=0)["id"]
    clock.advance(hours=5)
    worker.run_once()
    finished = window(client, people, code)
    assert [u["status"] for u in finished["updates"]] == ["completed", "in_progress",
                                                          "scheduled"]
    assert set(statuses(client, people).values()) == {"operational"}


def test_upcoming_and_active_lists_follow_the_window(public, people, clock, worker):
    code = schedule(public, people, clock, start=60)["id"]
    upcoming = public.get("/api/v2/scheduled-maintenances/upcoming.json").json()
    assert [m["id"] for m in upcoming["scheduled_maintenances"]] == [code]
    assert public.get("/api/v2/scheduled-maintenances/active.json").json()[
        "scheduled_maintenances"] == []
    assert "Database upgrade" in public.get("/status").text
    clock.advance(minutes=61)
    worker.run_once()
    active = public.get("/api/v2/scheduled-maintenances/active.json").json()
    assert [m["status"] for m in active["scheduled_maintenances"]] == ["in_progress"]
    assert public.get("/api/v2/scheduled-maintenances/upcoming.json").json()[
        "scheduled_maintenances"] == []


def test_a_manual_window_waits_for_people(client, people, clock, worker):
    code = schedule(client, people, clock, start=1, auto_transition=False)["id"]
    clock.advance(minutes=5)
    worker.run_once()
    assert window(client, people, code)["status"] == "scheduled"
    moved = post(client, people, f"/api/v1/statuspage/maintenances/{code}/updates",
                 {"status": "in_progress", "body": "Starting now."}, expect=201)
    assert moved["status"] == "in_progress"
    assert statuses(client, people)["chat"] == "under_maintenance"


def test_an_illegal_move_is_409_naming_the_legal_ones(client, people, clock):
    code = schedule(client, people, clock)["id"]
    post(client, people, f"/api/v1/statuspage/maintenances/{code}/updates",
         {"status": "completed"}, expect=201)
    refused = post(client, people, f"/api/v1/statuspage/maintenances/{code}/updates",
                   {"status": "in_progress"}, expect=409)
    assert "completed" in refused["detail"]


def test_a_window_can_be_moved_before_it_starts_and_cancelled(client, people, clock, worker):
    code = schedule(client, people, clock, start=10)["id"]
    later = (clock.now() + timedelta(hours=3)).isoformat()
    end = (clock.now() + timedelta(hours=4)).isoformat()
    edited = client.patch(f"/api/v1/statuspage/maintenances/{code}",
                          json={"scheduled_for": later, "scheduled_until": end,
                                "components": ["authentication"]}, headers=people.admin)
    assert edited.status_code == 200, edited.text
    assert edited.json()["components"] == ["authentication"]
    clock.advance(minutes=30)
    worker.run_once()
    assert window(client, people, code)["status"] == "scheduled"
    assert client.delete(f"/api/v1/statuspage/maintenances/{code}",
                         headers=people.admin).status_code == 204


def test_a_running_window_cannot_be_deleted(client, people, clock, worker):
    code = schedule(client, people, clock, start=1)["id"]
    clock.advance(minutes=1)
    worker.run_once()
    refused = client.delete(f"/api/v1/statuspage/maintenances/{code}", headers=people.admin)
    assert refused.status_code == 409
    assert "complete it first" in refused.json()["detail"]


@pytest.mark.parametrize(("start", "minutes"), [(60, -30), (-600, 60), (60, 60 * 24 * 40),
                                                 (-3000, 6000)])
def test_impossible_windows_are_422(client, people, clock, start, minutes):
    schedule_body = {"name": "x", "components": ["chat"],
                     "scheduled_for": (clock.now() + timedelta(minutes=start)).isoformat(),
                     "scheduled_until": (clock.now() + timedelta(minutes=start + minutes)
                                         ).isoformat()}
    post(client, people, "/api/v1/statuspage/maintenances", schedule_body, expect=422)


@pytest.mark.parametrize("body", [
    {"name": "x", "scheduled_for": "2026-01-06T01:00:00", "scheduled_until":
     "2026-01-06T02:00:00"},
    {"name": "x", "scheduled_for": "tomorrow", "scheduled_until": "2026-01-06T02:00:00Z"},
    {"name": "x", "scheduled_for": "2026-01-06T01:00:00Z",
     "scheduled_until": "2026-01-06T02:00:00Z", "components": ["garage"]},
    {"name": "x", "scheduled_for": "2026-01-06T01:00:00Z",
     "scheduled_until": "2026-01-06T02:00:00Z", "verify_minutes": -1}])
def test_bad_maintenance_bodies_are_422(client, people, body):
    post(client, people, "/api/v1/statuspage/maintenances", body, expect=422)
