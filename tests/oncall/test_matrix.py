"""Seed 000 §7.1's escalation matrix, row by row, on a moving clock, and the
§1.1 escalation notes (Sev1 executives at once, Sev2 management within 1 h)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from warroom.incidents import service as incidents

# Seed 000 §7.1, read off the table: (minutes after declaration, who holds that position).
MATRIX = {
    "sev1": [(0, "oce"), (15, "lead"), (30, "em"), (60, "vp"), (120, "cto")],
    "sev2": [(0, "oce"), (15, "lead"), (30, "em"), (120, "vp")],
    "sev3": [(0, "oce"), (15, "lead"), (60, "em")],
    "sev4": [(0, "oce"), (30, "lead")],
}


@pytest.mark.parametrize("severity", sorted(MATRIX))
def test_each_tier_is_paged_at_its_minute_and_not_before(org, clock, severity):
    org.staff_positions()
    start = clock.now()
    org.declare(severity)
    assert org.paged() == ["oce"]
    for minute, who in MATRIX[severity][1:]:
        org.at(start, minutes=minute, seconds=-1)
        assert org.paged() == [], f"{who} paged before minute {minute}"
        org.at(start, minutes=minute)
        assert org.paged() == [who], f"minute {minute}"


def test_sev1_tells_the_executives_at_once(org):
    org.staff_positions()
    org.declare("sev1")
    arrived = org.tick()
    notices = {r.path.strip("/"): r.json() for r in arrived if r.json()["event"] == "notice"}
    assert set(notices) == {"vp", "cto"}
    assert "Immediate executive notification" in notices["vp"]["message"]


def test_sev2_tells_management_within_the_hour_even_when_acknowledged_at_once(org, clock):
    org.staff_positions()
    start = clock.now()
    ref = org.declare("sev2")
    with org.unit("oce") as uow:
        incidents.acknowledge(uow, incident=incidents.get_for_update(uow, ref=ref), by="oce")
    told = []
    while clock.now() <= start + timedelta(hours=1):
        told += [r for r in org.tick() if r.path == "/em"]
        clock.advance(minutes=5)
    assert [r.json()["event"] for r in told] == ["notice"]
    assert "Management notification within 1 hour" in told[0].json()["message"]
    assert org.paged() == []  # acknowledged: nobody was paged, not even the on-call engineer


def test_sev2_does_not_tell_the_executives(org):
    org.staff_positions()
    org.declare("sev2")
    assert {r.path for r in org.tick()} == {"/oce", "/em"}
