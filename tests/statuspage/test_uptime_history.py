"""The 90-day uptime history is computed from the recorded status changes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.statuspage.support import post
from warroom.statuspage.components import history
from warroom.statuspage.components import service as components


def set_chat(client, people, word):
    post(client, people, "/api/v1/admin/status", {"status": "operational",
                                                  "components": {"chat": word}})


def chat_days(database, clock):
    with database.read() as session:
        chat = components.get_by_name(session, name="chat")
        return history.days_by_component(session, [chat.id], now=clock.now())[chat.id]


def test_an_hour_of_major_outage_costs_an_hour_of_uptime(client, people, clock, database):
    client.get("/status")  # loads the default components at 12:00
    clock.advance(hours=2)
    set_chat(client, people, "outage")
    clock.advance(hours=1)
    set_chat(client, people, "operational")
    clock.advance(hours=9)  # 00:00 the next day: yesterday is complete
    yesterday = chat_days(database, clock)[-2]
    assert yesterday.observed == 12 * 3600
    assert yesterday.uptime == pytest.approx(11 / 12)
    assert yesterday.worst == "major_outage"
    assert yesterday.minutes_in("major_outage") == 60


def test_partial_outage_counts_thirty_percent_and_degraded_counts_as_up(client, people,
                                                                         clock, database):
    client.get("/status")
    set_chat(client, people, "partial")
    clock.advance(hours=4)
    set_chat(client, people, "degraded")
    clock.advance(hours=4)
    (today,) = chat_days(database, clock)[-1:]
    assert today.uptime == pytest.approx(1 - 0.3 * 4 / 8)
    assert today.worst == "partial_outage"


def test_days_before_a_component_existed_have_no_data(client, database, clock):
    client.get("/status")
    clock.advance(minutes=1)
    days = chat_days(database, clock)
    assert len(days) == 90
    assert all(day.uptime is None for day in days[:-1])
    assert days[-1].uptime == 1.0


def test_an_outage_across_midnight_is_split_between_the_days(client, people, clock,
                                                              database):
    client.get("/status")
    clock.advance(hours=11)  # 23:00
    set_chat(client, people, "outage")
    clock.advance(hours=2)  # 01:00 the next day
    set_chat(client, people, "operational")
    yesterday, today = chat_days(database, clock)[-2:]
    assert yesterday.minutes_in("major_outage") == 60
    assert today.minutes_in("major_outage") == 60


def test_the_page_draws_ninety_days_per_component_with_details_on_bad_days(public, people,
                                                                             clock):
    public.get("/status")
    clock.advance(hours=1)
    set_chat(public, people, "outage")
    clock.advance(minutes=30)
    set_chat(public, people, "operational")
    clock.advance(days=3)
    html = public.get("/status").text
    chat = html[html.index(">chat<"):html.index(">media<")]
    bars = len(re.findall(r"M\d+ 0h4v28h-4z", chat)) + chat.count("<rect ")
    assert bars == 90
    assert re.search(r"<title>5 Jan 2026: [\d.]+% uptime; major outage 30 min</title>", chat)
    assert re.search(r"uptime over the last 90 days [\d.]+%; 1 day with problems", chat)


def test_an_old_status_carries_into_the_window(client, people, clock, database):
    client.get("/status")
    set_chat(client, people, "degraded")
    clock.advance(timedelta(days=120))
    days = chat_days(database, clock)
    assert all(day.worst == "degraded_performance" for day in days)
