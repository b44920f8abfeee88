"""The review: opened at lessons_learned with deadlines from its severity,
approved by a commander only, waived by policy, and required to close."""

from __future__ import annotations

import pytest

from warroom import config
from warroom.audit import service as audit
from warroom.errors import Conflict, Forbidden
from warroom.incidents import service as incidents
from warroom.incidents import timeline
from warroom.reviews import service

TO_LESSONS = [("ack", 2), ("recovery", 20), ("lessons_learned", 30)]


def close(work, ref, actor=None):
    with work(actor) as uow:
        incidents.transition(uow, incident=incidents.get_for_update(uow, ref=ref),
                             target="closed", override_reason="test")


def act(work, ref, name, actor=None, **extra):
    with work(actor) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        return getattr(service, name)(uow, incident=incident, **extra).state


def written(work, ref):
    with work() as uow:
        service.edit(uow, incident=incidents.get_for_update(uow, ref=ref), changes={
            "overview": "Chat was down for 50 minutes.",
            "root_cause_primary": "A config push removed the pool limit."})


def test_reaching_lessons_learned_opens_a_review_due_by_severity(declare, walk, clock,
                                                                   database):
    ref = declare(severity="sev1")
    walk(ref, TO_LESSONS)
    with database.read() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        review = service.get_or_raise(session, incident=incident)
        events = timeline.get_all(session, incident_id=incident.id, kind="review")
    assert review.state == "draft"
    assert (review.due_at - clock.now()).total_seconds() == 72 * 3600
    assert (review.first_notes_due_at - clock.now()).total_seconds() == 24 * 3600
    assert events[0].data["action"] == "created"


def test_closing_without_an_approved_review_is_refused_with_a_sentence(declare, walk, work):
    ref = declare(severity="sev2")
    walk(ref, TO_LESSONS)
    with pytest.raises(Conflict) as refused:
        close(work, ref)
    assert f"{ref} cannot close: its review is draft" in refused.value.detail
    written(work, ref)
    assert act(work, ref, "submit") == "in_review"
    with pytest.raises(Conflict, match="in review"):
        close(work, ref)


def test_approval_by_a_non_commander_is_refused_and_sign_off_is_audited(
        declare, walk, work, people, as_user, assign, database):
    ref = declare(severity="sev2")
    walk(ref, TO_LESSONS)
    written(work, ref)
    act(work, ref, "submit")
    responder = as_user("responder")
    act(work, ref, "sign_off", responder, note="read it, agree")
    with pytest.raises(Forbidden, match="incident commander"):
        act(work, ref, "approve", responder)
    assign(ref, "incident_commander", "responder")
    assert act(work, ref, "approve", responder) == "approved"
    close(work, ref)
    with database.read() as session:
        actions = [e.action for e in audit.get_all(session, target=f"incident:{ref}/review")]
    assert {"review.sign_off", "review.approve", "review.submit"} <= set(actions)


def test_a_commander_may_approve_over_the_api_and_a_responder_may_not(
        declare, walk, work, client, people):
    ref = declare(severity="sev2")
    walk(ref, TO_LESSONS)
    patch = client.patch(f"/api/v1/incidents/{ref}/review", headers=people.headers("responder"),
                         json={"sections": {"overview": "It broke <script>x()</script>",
                                            "root_cause_primary": "A bad push."}})
    assert patch.status_code == 200, patch.text
    assert patch.json()["facts"]["incident"] == ref
    assert client.post(f"/api/v1/incidents/{ref}/review/submit",
                       headers=people.headers("responder")).status_code == 200
    refused = client.post(f"/api/v1/incidents/{ref}/review/approve",
                          headers=people.headers("responder"))
    assert refused.status_code == 403
    approved = client.post(f"/api/v1/incidents/{ref}/review/approve",
                           headers=people.headers("commander"))
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    html = client.get(f"/api/v1/incidents/{ref}/review/export?format=html",
                      headers=people.headers("viewer"))
    assert html.status_code == 200 and "<script>" not in html.text
    assert "It broke" in html.text


def test_waiver_by_policy(declare, walk, work, database):
    low = declare(severity="sev3")
    walk(low, TO_LESSONS)
    assert act(work, low, "waive", reason="a single retried job, no user impact") == "waived"
    close(work, low)
    high = declare(severity="sev1")
    walk(high, TO_LESSONS)
    with pytest.raises(Conflict, match="cannot be waived"):
        act(work, high, "waive", reason="busy")


def test_sev4_closes_without_a_review_and_drills_are_not_gated(declare, walk, work):
    low = declare(severity="sev4")
    walk(low, TO_LESSONS)
    close(work, low)
    drill = declare(severity="sev1", is_drill=True)
    walk(drill, TO_LESSONS)
    close(work, drill)


def test_an_approved_review_cannot_be_edited(declare, walk, work):
    ref = declare(severity="sev3")
    walk(ref, TO_LESSONS)
    written(work, ref)
    act(work, ref, "submit")
    act(work, ref, "approve")
    with pytest.raises(Conflict, match="approved"):
        written(work, ref)


def test_an_organisations_own_policy_file_decides_whether_closing_needs_a_review(
        declare, walk, work, monkeypatch, tmp_path):
    own = tmp_path / "reviews.yaml"
    own.write_text("severities:\n" + "".join(
        f"  {s}: {{first_notes_hours: 12, due_hours: 48, follow_up_days: 7, "
        f"required_to_close: false, waivable: true}}\n" for s in ("sev1", "sev2", "sev3", "sev4")))
    monkeypatch.setenv("WARROOM_REVIEWS_POLICY_FILE", str(own))
    config.reset()
    ref = declare(severity="sev1")
    walk(ref, TO_LESSONS)
    close(work, ref)  # the shipped policy would refuse this (sev1 needs an approved review)
