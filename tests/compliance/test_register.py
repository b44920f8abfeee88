"""The register: states with their requirements, audit entries for every
change, drafts naming what is missing, submissions, export, DPO notice, drills."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest

from warroom.audit import service as audit
from warroom.compliance import drafts, notices, publishing, register, service
from warroom.compliance.submissions import Sent
from warroom.errors import Conflict, Gone, Invalid
from warroom.evidence import service as evidence
from warroom.incidents import timeline
from warroom.notify import service as outbox


def open_alone(work, **facts):
    with work() as uow:
        return service.open_breach(uow, title="Lost laptop", facts=facts).ref


def test_not_notifying_without_a_rationale_is_refused(work, clock):
    ref = open_alone(work, aware_at=clock.now(), awareness_basis="laptop reported lost")
    with work() as uow:
        breach = service.get_by_ref_or_raise(uow.session, ref=ref)
        service.assess(uow, breach=breach, facts={"risk": "unlikely"})
        with pytest.raises(Invalid, match="rationale"):
            service.transition(uow, breach=breach, to="not_notifiable")
    with work() as uow:
        breach = service.get_by_ref_or_raise(uow.session, ref=ref)
        service.transition(uow, breach=breach, to="not_notifiable",
                           facts={"risk_rationale": "full-disk encryption, key not lost"})
        assert breach.state == "not_notifiable"


def test_late_submission_without_reasons_is_refused(work, clock):
    ref = open_alone(work, aware_at=clock.now(), awareness_basis="basis")
    clock.advance(hours=73)
    with work() as uow:
        breach = service.get_by_ref_or_raise(uow.session, ref=ref)
        sent = Sent(regime="gdpr", obligation="initial", recipient="DPC", channel="portal",
                    content=b"x")
        with pytest.raises(Invalid, match="reasons for the delay"):
            service.record_submission(uow, breach=breach, sent=sent)
        sent.reasons_for_delay = "the processor told us late"
        row = service.record_submission(uow, breach=breach, sent=sent)
        assert row.late and breach.reasons_for_delay == "the processor told us late"


def test_every_change_is_an_audit_entry_with_before_and_after(work, database, clock):
    ref = open_alone(work)
    with work() as uow:
        breach = service.get_by_ref_or_raise(uow.session, ref=ref)
        service.transition(uow, breach=breach, to="confirmed",
                           facts={"awareness_basis": "confirmed by forensics"})
        service.assess(uow, breach=breach, facts={"risk": "high", "subjects_min": 10,
                                                  "subjects_max": 20})
    with database.read() as session:
        entries = audit.get_all(session, target=f"breach:{ref}")
    actions = [e.action for e in entries]
    assert actions[:3] == ["breach.opened", "breach.confirmed", "breach.dpo_notified"]
    assert "breach.assessed" in actions
    confirmed = entries[1]
    assert confirmed.before["state"] == "suspected" and confirmed.after["state"] == "confirmed"
    assessed = next(e for e in entries if e.action == "breach.assessed")
    assert assessed.before["risk"] is None and assessed.after["subjects_max"] == 20


def test_illegal_move_names_the_legal_ones(work):
    ref = open_alone(work)
    with work() as uow:
        breach = service.get_by_ref_or_raise(uow.session, ref=ref)
        with pytest.raises(Conflict, match="confirmed, closed"):
            service.transition(uow, breach=breach, to="notified")


def test_authority_draft_follows_the_edpb_order_and_names_what_is_missing(work, clock):
    ref = open_alone(work, aware_at=clock.now(), awareness_basis="b",
                     nature=["confidentiality"], likely_consequences="phishing")
    with work() as uow:
        breach = service.get_by_ref_or_raise(uow.session, ref=ref)
        draft = drafts.render(breach, kind="sa", reporter="alice", now=clock.now())
    assert [title for title, _ in draft.sections] == [
        "1. Type of notification", "2. Controller, reporter and DPO", "3. Nature of the breach",
        "4. Likely consequences", "5. Mitigation and prevention",
        "6. Communication to data subjects"]
    assert "Approximate number of data subjects" in draft.missing
    assert "Measures taken (Art. 33(3)(d))" in draft.missing
    assert "Nature (Art. 33(3)(a))" not in draft.missing
    assert "Likely consequences (Art. 33(3)(c))" not in draft.missing
    assert "[MISSING]" in draft.text and "phishing" in draft.text
    with work() as uow:
        breach = service.get_by_ref_or_raise(uow.session, ref=ref)
        service.assess(uow, breach=breach, facts={
            "subject_categories": ["customers"], "subjects_min": 1, "subjects_max": 5,
            "data_categories": ["email"], "records_min": 1, "records_max": 5,
            "measures_taken": "reset", "measures_proposed": "MFA"})
        full = drafts.render(breach, kind="sa", reporter="alice", now=clock.now())
        subjects = drafts.render(breach, kind="subjects", reporter="alice", now=clock.now())
    assert full.missing == []
    assert subjects.missing == [] and "What this may mean for you" in subjects.text


def test_register_exports_csv_and_json_with_the_audit_head(work, database, clock):
    open_alone(work)
    open_alone(work, aware_at=clock.now(), awareness_basis="b")
    with database.read() as session:
        head = audit.head(session)
        text, said = register.export(session, year=clock.now().year, fmt="csv",
                                     now=clock.now())
        document, _ = register.export(session, year=clock.now().year, fmt="json",
                                      now=clock.now())
    assert said == head and head["seq"] > 0
    first, rest = text.split("\n", 1)
    assert head["hash"] in first
    rows = list(csv.DictReader(io.StringIO(rest)))
    assert [r["ref"] for r in rows] == [f"BR-{clock.now().year}-1", f"BR-{clock.now().year}-2"]
    assert [r["state"] for r in rows] == ["suspected", "confirmed"]
    parsed = json.loads(document)
    assert parsed["audit_head"] == head and len(parsed["breaches"]) == 2


def test_dpo_notice_carries_facts_and_a_single_use_expiring_link(work, database, clock,
                                                                 configure):
    configure(COMPLIANCE_DPO_EMAIL="dpo@example.com", COMPLIANCE_ACK_LINK_HOURS="2")
    open_alone(work, aware_at=clock.now(), awareness_basis="b", nature=["confidentiality"])
    with database.read() as session:
        (message,) = [m for m in outbox.get_all(session) if m.kind == "dpo_notice"]
        body, _, _ = outbox.unsealed_content(message)
    assert message.destination == "dpo@example.com"
    assert "Nature (Art. 33(3)(a)): confidentiality" in body
    assert "Likely consequences (Art. 33(3)(c)): not known yet" in body
    token = body.split(notices.PATH)[1].split()[0]
    assert token not in message.body  # the stored copy has the link cut out
    with work() as uow:
        link = notices.read_link(uow.session, token, now=uow.now())
        breach = notices.acknowledge(uow, link)
        assert breach.dpo_acknowledged_at == clock.now()
    with work() as uow, pytest.raises(Gone):
        notices.acknowledge(uow, notices.read_link(uow.session, token, now=uow.now()))
    clock.advance(hours=3)
    with work() as uow, pytest.raises(Gone):
        notices.read_link(uow.session, token, now=uow.now())


def test_unacknowledged_dpo_notice_is_reminded(work, database, clock, configure, cycle):
    configure(COMPLIANCE_DPO_EMAIL="dpo@example.com")
    open_alone(work, aware_at=clock.now(), awareness_basis="b")
    clock.advance(hours=4)
    cycle()
    with database.read() as session:
        subjects = [m.subject for m in outbox.get_all(session) if m.kind == "dpo_notice"]
    assert len(subjects) == 2 and sum("Reminder" in s for s in subjects) == 1


def test_drills_never_write_to_the_dpo_or_the_status_page(work, database, clock, configure,
                                                          declare):
    configure(COMPLIANCE_DPO_EMAIL="dpo@example.com")
    ref = declare(type="security_breach", is_drill=True, personal_data_breach=True)
    with database.read() as session:
        (breach,) = service.get_all(session)
        assert breach.is_drill and breach.incident_id == int(ref.split("-")[1])
        assert [m for m in outbox.get_all(session) if m.destination == "dpo@example.com"] == []
    with work() as uow:
        breach = service.get_by_ref_or_raise(uow.session, ref=breach.ref)
        service.transition(uow, breach=breach, to="confirmed", facts={"awareness_basis": "b"})
        row = service.record_submission(uow, breach=breach, sent=Sent(
            regime="gdpr", obligation="initial", recipient="DPC", channel="portal",
            content=b"x"))
        assert row.is_drill
        with pytest.raises(Conflict, match="drill"):
            publishing.publish(uow, breach=breach, confirm=True, text="hello")


def test_a_submission_is_kept_as_evidence_with_its_hash(confirmed, work, database):
    ref = confirmed(regimes=("gdpr",))
    content = b"Notification under GDPR Art. 33\nNature: confidentiality\n"
    with work() as uow:
        breach = service.get_by_ref_or_raise(uow.session, ref=ref)
        service.record_submission(uow, breach=breach, sent=Sent(
            regime="gdpr", obligation="initial", recipient="DPC", channel="portal",
            content=content, reference="DPC-2026-17"))
        incident_id = breach.incident_id
    with database.read() as session:
        items = evidence.get_all(session, incident_id=incident_id)
        submitted = next(e for e in audit.get_all(session, target=f"breach:{ref}")
                         if e.action == "breach.submitted")
    assert len(items) == 1 and items[0].ref == submitted.after["evidence"]
    assert items[0].sha256 == hashlib.sha256(content).hexdigest()
    assert items[0].personal_data and items[0].tlp == "red"
    with work() as uow:
        item = evidence.get_for_update(uow, ref=items[0].ref)
        assert b"".join(evidence.open_content(uow, item, purpose="check what was sent")) \
            == content


def test_without_a_dpo_address_the_admins_are_told_and_the_timeline_says_so(
        work, database, clock, people, declare):
    ref = declare(type="security_breach", severity="sev2")
    with work() as uow:
        incident = service.incidents.get_by_ref_or_raise(uow.session, ref=ref)
        service.open_breach(uow, incident=incident,
                            facts={"aware_at": clock.now(), "awareness_basis": "b"})
        incident_id = incident.id
    with database.read() as session:
        notices_sent = [m for m in outbox.get_all(session) if m.kind == "dpo_notice"]
        events = timeline.get_all(session, incident_id=incident_id, kind="breach")
    assert [m.destination for m in notices_sent] == ["admin@example.com"]
    (told,) = [e for e in events if e.data.get("action") == "dpo_notified"]
    assert "WARROOM_COMPLIANCE_DPO_EMAIL is not set" in told.summary
    assert told.summary.endswith("the admins were told instead: admin")
    assert told.data["dpo_fallback"] == ["admin"]
