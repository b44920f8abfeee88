"""With no DPO address configured the admins stand in for the DPO; when they
are also the last tier of an overdue escalation, each address still gets one
message, and the incident's timeline says the admins were told instead."""

from __future__ import annotations

from collections import Counter

from tests.compliance.conftest import HOUR
from warroom.compliance import service
from warroom.incidents import service as incidents
from warroom.incidents import timeline
from warroom.notify import service as outbox


def per_address(database, kind: str) -> Counter[str]:
    with database.read() as session:
        return Counter(m.destination for m in outbox.get_all(session, limit=1000)
                       if m.kind == kind)


def test_an_overdue_escalation_emails_each_admin_once(work, clock, cycle, database, people):
    start = clock.now()
    with work() as uow:  # standing alone: no role holders, so the admins are the last tier
        service.open_breach(uow, title="Lost laptop", facts={
            "aware_at": start, "awareness_basis": "the owner reported it",
            "regimes": ["gdpr"]})
    clock.set(start + 72 * HOUR)
    cycle()
    sent = per_address(database, "breach_overdue")
    assert sent == Counter({"admin@example.com": 1})


def test_reminders_and_escalation_note_the_admin_fallback_on_the_timeline(
        confirmed, clock, cycle, database, people):
    start = clock.now()
    ref = confirmed(regimes=("gdpr",))
    clock.set(start + 48 * HOUR)  # the 24-hour reminder point
    cycle()
    clock.set(start + 72 * HOUR)
    cycle()
    assert per_address(database, "breach_reminder") == Counter({"admin@example.com": 1})
    assert per_address(database, "breach_overdue") == Counter({"admin@example.com": 1})
    with database.read() as session:
        incident_id = service.get_by_ref_or_raise(session, ref=ref).incident_id
        incident = incidents.get(session, incident_id=incident_id)
        assert incident is not None
        events = timeline.get_all(session, incident_id=incident.id, kind="breach")
        reminded = [e for e in events if e.data.get("action") == "reminded"]
        overdue = [e for e in events if e.data.get("action") == "overdue"]
    assert len(reminded) == 1 and "admins were told instead: admin" in reminded[0].summary
    assert reminded[0].data["dpo_fallback"] == ["admin"]
    assert len(overdue) == 1 and "admins were told instead" in overdue[0].summary


def test_a_configured_dpo_gets_no_fallback_note(confirmed, clock, cycle, database, people,
                                                configure):
    configure(COMPLIANCE_DPO_EMAIL="dpo@example.com")
    start = clock.now()
    ref = confirmed(regimes=("gdpr",))
    clock.set(start + 48 * HOUR)
    cycle()
    assert per_address(database, "breach_reminder") == Counter({"dpo@example.com": 1})
    with database.read() as session:
        incident_id = service.get_by_ref_or_raise(session, ref=ref).incident_id
        assert incident_id is not None
        events = timeline.get_all(session, incident_id=incident_id, kind="breach")
    assert not [e for e in events if e.data.get("action") == "reminded"]
