"""DORA's weekend rule, from the profile's data: an intermediate or final
report whose deadline falls on a weekend day or a bank holiday of the
profile's calendar is due at 12:00 of the next working day there; a weekday
deadline, the initial notification and GDPR are unchanged."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from tests.compliance.conftest import HOUR
from warroom.compliance import clocks, regimes, service
from warroom.compliance.submissions import Sent
from warroom.errors import Invalid
from warroom.notify import service as outbox

SHIPPED = Path(__file__).resolve().parents[2] / "rules" / "regimes"
WEDNESDAY = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)
"""72 h later is Saturday 13 June; Brussels is at UTC+2 (summer time)."""
MONDAY_NOON_BRUSSELS = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def due(database, ref: str, regime: str, kind: str):
    with database.read() as session:
        breach = service.get_by_ref_or_raise(session, ref=ref)
        found = {(c.regime, c.kind): c for c in clocks.clocks_of(session, breach_id=breach.id)}
        clock = found[(regime, kind)]
        return clock.state, clock.due_at, clock.rule


def send(work, ref: str, regime: str, obligation: str) -> None:
    with work() as uow:
        breach = service.get_by_ref_or_raise(uow.session, ref=ref)
        service.record_submission(uow, breach=breach, sent=Sent(
            regime=regime, obligation=obligation, recipient="Central Bank", channel="portal",
            content=f"{obligation} report".encode()))


def overdue(database) -> list[str]:
    with database.read() as session:
        return [m.subject for m in outbox.get_all(session, limit=1000)
                if m.kind == "breach_overdue"]


def test_an_intermediate_report_due_on_saturday_is_due_monday_noon(
        confirmed, work, database, clock, cycle, people):
    clock.set(WEDNESDAY - 2 * HOUR)
    ref = confirmed(regimes=("dora",))
    clock.set(WEDNESDAY)
    send(work, ref, "dora", "initial")
    state, due_at, rule = due(database, ref, "dora", "intermediate")
    assert (state, due_at) == ("running", MONDAY_NOON_BRUSSELS)
    assert "12:00 the next working day" in rule and "Europe/Brussels" in rule
    clock.set(WEDNESDAY + 72 * HOUR)  # Saturday, the unrolled deadline: not overdue
    cycle()
    assert overdue(database) == []
    clock.set(MONDAY_NOON_BRUSSELS)
    cycle()
    assert len(overdue(database)) == 1


def test_a_final_report_due_on_a_weekend_rolls_and_a_weekday_one_does_not(
        confirmed, work, database, clock):
    clock.set(datetime(2026, 6, 8, 9, 0, tzinfo=UTC))  # Monday
    ref = confirmed(regimes=("dora",))
    send(work, ref, "dora", "initial")
    assert due(database, ref, "dora", "intermediate")[1] == \
        datetime(2026, 6, 11, 9, 0, tzinfo=UTC)  # Thursday: unchanged
    clock.set(datetime(2026, 6, 11, 8, 0, tzinfo=UTC))  # Thursday
    send(work, ref, "dora", "intermediate")
    # one month later is Saturday 11 July -> Monday 13 July, 12:00 in Brussels
    assert due(database, ref, "dora", "final")[1] == datetime(2026, 7, 13, 10, 0, tzinfo=UTC)


def test_the_initial_notification_and_gdpr_keep_their_hours_on_a_weekend(
        confirmed, database, clock):
    clock.set(datetime(2026, 6, 13, 9, 0, tzinfo=UTC))  # Saturday
    ref = confirmed(regimes=("dora", "gdpr"))
    assert due(database, ref, "dora", "initial")[1] == datetime(2026, 6, 13, 13, 0, tzinfo=UTC)
    clock.set(datetime(2026, 6, 10, 10, 0, tzinfo=UTC))
    ref = confirmed(regimes=("gdpr",))
    assert due(database, ref, "gdpr", "initial")[1] == datetime(2026, 6, 13, 10, 0, tzinfo=UTC)


def test_a_bank_holiday_of_the_calendar_moves_the_deadline_a_day_more(
        tmp_path, configure, confirmed, work, database, clock):
    folder = tmp_path / "regimes"
    shutil.copytree(SHIPPED, folder)
    data = yaml.safe_load((folder / "dora.yaml").read_text())
    data["calendar"] = {"timezone": "Europe/Dublin", "holidays": ["2026-06-15"]}
    (folder / "dora.yaml").write_text(yaml.safe_dump(data))
    configure(COMPLIANCE_REGIMES_DIR=str(folder))
    clock.set(WEDNESDAY - 2 * HOUR)
    ref = confirmed(regimes=("dora",))
    clock.set(WEDNESDAY)
    send(work, ref, "dora", "initial")
    # Monday 15 June is a holiday: Tuesday 16 June, 12:00 in Dublin (UTC+1)
    assert due(database, ref, "dora", "intermediate")[1] == \
        datetime(2026, 6, 16, 11, 0, tzinfo=UTC)


def test_a_roll_forward_without_a_calendar_or_with_an_unknown_zone_is_refused(tmp_path):
    data = yaml.safe_load((SHIPPED / "dora.yaml").read_text())
    data["calendar"]["timezone"] = "Mars/Olympus"
    (tmp_path / "dora.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(Invalid, match="unknown time zone"):
        regimes.load_all(tmp_path)
    del data["calendar"]
    (tmp_path / "dora.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(Invalid, match="roll_forward needs the regime's calendar"):
        regimes.load_all(tmp_path)
