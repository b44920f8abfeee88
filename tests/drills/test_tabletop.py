"""A clock-driven tabletop drill of every shipped scenario, from start to
scorecard: the team meets the first objective, meets the second ten scenario
minutes late, meets the rest in time except the last, which it misses; the
scorecard says exactly that."""

from __future__ import annotations

from typing import Any

import pytest

from warroom.comms import service as comms
from warroom.drills import scenarios
from warroom.drills.models import DrillInject
from warroom.drills.scenarios import PHASE_MILESTONES
from warroom.incidents import service as incidents
from warroom.incidents.phases import Phase
from warroom.reviews import service as reviews
from warroom.reviews.models import ActionItem

LIBRARY = sorted(s.id for s in scenarios.get_all())
ORDER = [p.value for p in Phase]


def perform(drills: Any, ref: str, objective: scenarios.Objective) -> None:
    """What a responder (or the evidence/compliance domain) does to meet it."""
    kind = objective.kind
    if kind == "acknowledged":
        drills.act(ref, lambda uow, i: incidents.acknowledge(uow, incident=i, by="alice"))
    elif kind == "role_assigned":
        drills.act(ref, lambda uow, i: incidents.assign_role(
            uow, incident=i, role=objective.role, primary="alice", backup=None))
    elif kind == "status_update":
        drills.act(ref, lambda uow, i: comms.send(uow, incident=i, template="status_update",
                                                  to=["email:team@example.com"], fields={}))
    elif kind == "evidence_preserved":
        drills.record(ref, "evidence", "added", ref="EV-1")
    elif kind in ("dpo_notified", "breach_assessed"):
        drills.record(ref, "breach", kind.removeprefix("breach_") if kind ==
                      "breach_assessed" else "dpo_notified", ref="BR-2026-1")
    elif kind == "step_passed":
        drills.record(ref, "step", "run", step=objective.step, status="succeeded")
    elif kind == "phase_reached":
        drills.act(ref, lambda uow, i: walk_to(uow, i, objective.phase))


def walk_to(uow: Any, incident: Any, phase: str | None) -> None:
    for target in ORDER[ORDER.index(incident.phase) + 1: ORDER.index(phase or "") + 1]:
        incidents.transition(uow, incident=incident, target=target,
                             override_reason="tabletop: the gates are talked through")


def plan(scenario: scenarios.Scenario) -> list[tuple[float, scenarios.Objective, str]]:
    """(scenario minute, objective, expected status) in the order done."""
    steps = []
    last = len(scenario.objectives) - 1
    for index, objective in enumerate(scenario.objectives):
        target = scenario.objective_target(objective)
        if index == last:
            steps.append((float("inf"), objective, "missed"))
        elif index == 1:
            steps.append((target + 10, objective, "late"))
        else:
            steps.append((target / 2, objective, "met"))
    return sorted(steps, key=lambda step: step[0])


@pytest.mark.parametrize("scenario_id", LIBRARY)
def test_a_tabletop_drill_is_scored_against_its_objectives(scenario_id, drills, database):
    scenario = scenarios.get_or_raise(scenario_id)
    ref = drills.start(scenario_id, scale=10)
    incident_ref = drills.incident_ref(ref)
    steps = plan(scenario)
    for minute, objective, _ in steps:
        if minute != float("inf"):
            drills.at(ref, minute)
            drills.cycle()
            perform(drills, ref, objective)
    drills.at(ref, scenario.duration_minutes)
    drills.cycle()
    with database.read() as session:
        fired = session.query(DrillInject).filter(DrillInject.fired_at.is_not(None)).count()
        incident = incidents.get_by_ref_or_raise(session, ref=incident_ref)
        assert incident.is_drill and incident.labels["drill_participants"] == "alice,bob"
    assert fired == len(scenario.injects)
    result = drills.end(ref)
    card = {row["id"]: row for row in result["scorecard"]}
    expected = {objective.id: status for _, objective, status in steps}
    assert {i: row["status"] for i, row in card.items()} == expected
    late = next(o for _, o, s in steps if s == "late")
    assert card[late.id]["late_by_minutes"] == 10.0
    met = len([s for s in expected.values() if s == "met"])
    assert result["score"] == round(100 * (met + 0.5) / len(expected))
    assert [a["objective"] for a in result["debrief"]["action_items"]] == \
        [o.id for _, o, s in steps if s != "met"]
    assert all(a["source"] == "drill" for a in result["debrief"]["action_items"])


def test_every_phase_objective_names_a_milestone():
    assert set(PHASE_MILESTONES) <= set(ORDER)


def test_the_debrief_is_the_drill_incidents_review_with_its_action_items(drills, database):
    ref = drills.start("ddos", scale=10)
    incident_ref = drills.incident_ref(ref)
    scenario = scenarios.get_or_raise("ddos")
    drills.at(ref, scenario.duration_minutes)
    drills.cycle()
    debrief = drills.end(ref)["debrief"]  # nothing was done: every objective missed
    with database.read() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=incident_ref)
        review = reviews.get(session, incident_id=incident.id)
        filed = session.query(ActionItem).filter(ActionItem.incident_id == incident.id).all()
    assert review is not None and review.state == "draft"
    assert review.sections["overview"].startswith(f"Drill {ref} of scenario ddos")
    assert review.sections["went_well"] == "- (none)"
    assert review.sections["improve"].count("\n- ") + 1 == len(scenario.objectives)
    assert sorted(i.title for i in filed) == sorted(a["title"] for a in debrief["action_items"])
    assert {i.source for i in filed} == {"drill"} and all(i.is_drill for i in filed)
    assert debrief["action_item_refs"] == [f"AI-{i.id}" for i in sorted(filed, key=lambda i: i.id)]
