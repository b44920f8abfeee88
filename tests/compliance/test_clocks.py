"""A breach confirmed at a known time gets exactly the regimes' deadlines,
reminders at each point, the overdue escalation, and nothing after submission."""

from __future__ import annotations

from datetime import timedelta

from tests.compliance.conftest import HOUR
from warroom.audit import service as audit
from warroom.compliance import clocks, service
from warroom.compliance.submissions import Sent
from warroom.incidents import service as incidents
from warroom.incidents import timeline
from warroom.notify import service as outbox


def deadlines(database, ref):
    with database.read() as session:
        breach = service.get_by_ref_or_raise(session, ref=ref)
        return {(c.regime, c.kind): (c.state, c.due_at)
                for c in clocks.clocks_of(session, breach_id=breach.id)}


def reminders(database):
    with database.read() as session:
        return sorted(m.subject for m in outbox.get_all(session, limit=1000)
                      if m.kind in ("breach_reminder", "breach_overdue"))


def test_confirmed_breach_gets_exactly_the_gdpr_nis2_and_dora_deadlines(confirmed, database,
                                                                        clock):
    start = clock.now()
    ref = confirmed()
    assert deadlines(database, ref) == {
        ("gdpr", "initial"): ("running", start + 72 * HOUR),
        ("nis2", "early_warning"): ("running", start + 24 * HOUR),
        ("nis2", "initial"): ("running", start + 72 * HOUR),
        ("nis2", "final"): ("waiting", None),
        ("dora", "initial"): ("running", start + 4 * HOUR),
        ("dora", "intermediate"): ("waiting", None),
        ("dora", "final"): ("waiting", None),
    }


def test_dora_initial_is_capped_at_24_hours_after_awareness(confirmed, database, clock):
    start = clock.now()
    ref = confirmed(regimes=("dora",), classified=False)
    assert deadlines(database, ref)[("dora", "initial")] == ("running", start + 24 * HOUR)


def test_reminders_at_each_point_then_overdue_escalation_then_silence(
        confirmed, database, clock, cycle, configure, assign, people):
    configure(COMPLIANCE_DPO_EMAIL="dpo@example.com")
    start = clock.now()
    ref = confirmed(regimes=("gdpr",))
    with database.read() as session:
        incident_ref = f"INC-{service.get_by_ref_or_raise(session, ref=ref).incident_id}"
    assign(incident_ref, "legal_compliance", "responder")
    assign(incident_ref, "incident_commander", "commander")
    seen = []
    for hours_before in (48, 24, 12, 4, 1):
        clock.set(start + (72 - hours_before) * HOUR - timedelta(seconds=1))
        cycle()
        assert len(reminders(database)) == len(seen)
        clock.set(start + (72 - hours_before) * HOUR)
        cycle()
        cycle()
        now = reminders(database)
        new = [s for s in now if s not in seen]
        assert len(new) == 2, new  # the legal/compliance role and the DPO
        assert all(f"due in {hours_before:g} h" in s for s in new)
        seen = now
    clock.set(start + 72 * HOUR)
    cycle()
    overdue = [s for s in reminders(database) if "OVERDUE" in s]
    assert len(overdue) == 3  # legal role, DPO, and the commander as the next tier
    with database.read() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=incident_ref)
        events = [e.data for e in timeline.get_all(session, incident_id=incident.id,
                                                   kind="breach")]
    assert [e["action"] for e in events].count("overdue") == 1
    with database.read() as session:
        (entry,) = audit.get_all(session, target=f"breach:{ref}", action="breach.overdue")
    assert entry.after["regime"] == "gdpr" and "commander" in entry.after["told"]
    clock.advance(hours=100)
    cycle()
    assert len([s for s in reminders(database) if "OVERDUE" in s]) == 3


def test_no_reminder_after_submission(confirmed, database, clock, cycle, configure, work):
    configure(COMPLIANCE_DPO_EMAIL="dpo@example.com")
    ref = confirmed(regimes=("gdpr",))
    with work() as uow:
        breach = service.get_by_ref_or_raise(uow.session, ref=ref)
        service.assess(uow, breach=breach, facts={"risk": "high"})
        service.record_submission(uow, breach=breach, sent=Sent(
            regime="gdpr", obligation="initial", recipient="DPC", channel="portal",
            content=b"notification text", reference="DPC-1"))
    assert deadlines(database, ref)[("gdpr", "initial")][0] == "submitted"
    for _ in range(8):
        clock.advance(hours=12)
        cycle()
    assert reminders(database) == []
    with database.read() as session:
        assert service.get_by_ref_or_raise(session, ref=ref).state == "notified"


def test_submission_starts_the_clocks_that_count_from_it(confirmed, database, clock, work):
    ref = confirmed(regimes=("dora",))
    clock.advance(hours=2)
    with work() as uow:
        breach = service.get_by_ref_or_raise(uow.session, ref=ref)
        service.record_submission(uow, breach=breach, sent=Sent(
            regime="dora", obligation="initial", recipient="CBI", channel="portal",
            content=b"initial"))
    assert deadlines(database, ref)[("dora", "intermediate")] == \
        ("running", clock.now() + 72 * HOUR)


def test_clock_lists_running_clocks_soonest_first(confirmed, database):
    confirmed()
    with database.read() as session:
        kinds = [(c.regime, c.kind) for c, _ in clocks.running(session)]
    assert kinds[0] == ("dora", "initial") and kinds[1] == ("nis2", "early_warning")
