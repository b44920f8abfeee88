"""Per-incident response figures: computed from milestones and the timeline,
exactly, and recomputed when a milestone is corrected."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from warroom.audit import service as audit
from warroom.errors import Invalid
from warroom.incidents import service as incidents
from warroom.reviews import definitions, figures
from warroom.reviews.models import Figure

SHIPPED = Path(__file__).resolve().parents[2] / "rules" / "response-metrics.yaml"


def figures_of(database, ref):
    with database.read() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        return {f.metric: f for f in figures.compute(session, incident)}


def stored(database, ref):
    with database.read() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        rows = session.scalars(select(Figure).where(Figure.incident_id == incident.id))
        return {row.metric: row.value for row in rows}


def test_shipped_definitions_are_valid_and_name_the_seed_figures():
    names = [d.name for d in definitions.load_metrics(SHIPPED)]
    assert names[:5] == ["time_to_detect", "time_to_acknowledge", "response_time",
                         "resolution_time", "time_to_resolve"]


@pytest.mark.parametrize("bad, says", [
    ({"name": "x_y", "title": "t", "from": "begun", "to": "resolved"}, "not a milestone"),
    ({"name": "response_target", "title": "t", "from": "started", "to": "resolved"},
     "snake_case"),
    ({"name": "a_b", "title": "t", "from": "started", "to": {"timeline": "phase",
                                                           "which": "middle"}}, "which"),
    ({"name": "a_b", "title": "t", "from": "started"}, "to"),
])
def test_a_bad_definition_is_refused_with_a_sentence(tmp_path, bad, says):
    path = tmp_path / "metrics.yaml"
    path.write_text(yaml.safe_dump({"metrics": [bad]}))
    with pytest.raises(Invalid) as refused:
        definitions.load_metrics(path)
    assert says in refused.value.detail


def test_duplicate_names_are_refused(tmp_path):
    one = {"name": "a_b", "title": "t", "from": "started", "to": "resolved"}
    path = tmp_path / "metrics.yaml"
    path.write_text(yaml.safe_dump({"metrics": [one, one]}))
    with pytest.raises(Invalid, match="repeated: a_b"):
        definitions.load_metrics(path)


def test_an_incident_walked_with_known_times_yields_exact_durations(declare, walk, clock,
                                                                     database):
    declared = clock.now()
    ref = declare(severity="sev2", started_at=declared - timedelta(minutes=20),
                  detected_at=declared - timedelta(minutes=5))
    walk(ref, [("ack", 12), ("containment", 8), ("recovery", 30), ("lessons_learned", 45)])
    got = figures_of(database, ref)
    assert got["time_to_detect"].value == 15 * 60
    assert got["time_to_acknowledge"].value == 17 * 60          # detected -> ack
    assert got["response_time"].value == 55 * 60                # detected -> contained
    assert (got["response_time"].start, got["response_time"].end) == ("detected", "contained")
    # contained_at is stamped when containment ends (entering recovery)
    assert got["resolution_time"].value == 45 * 60              # contained -> resolved
    assert got["time_to_resolve"].value == (20 + 12 + 8 + 30 + 45) * 60
    assert got["time_to_engage"].value == 20 * 60               # leaving triage
    assert got["time_to_engage"].end == "first phase event from=triage"
    target = got["response_target"]
    assert (target.value, target.met, target.target) == (12 * 60, True, "15 min")
    assert stored(database, ref)["time_to_resolve"] == (20 + 12 + 8 + 30 + 45) * 60


def test_a_missed_response_target_and_missing_figures(declare, walk, database):
    ref = declare(severity="sev1")
    walk(ref, [("ack", 6)])
    got = figures_of(database, ref)
    assert (got["response_target"].met, got["response_target"].value) == (False, 360)
    assert got["response_time"].value is None
    assert stored(database, ref)["response_time"] is None


def test_a_corrected_milestone_recomputes_the_figures_and_is_audited(declare, walk, work,
                                                                     clock, database):
    declared = clock.now()
    ref = declare(severity="sev3", detected_at=declared)
    walk(ref, [("ack", 10), ("containment", 10)])
    assert stored(database, ref)["time_to_detect"] == 0
    with work() as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        incidents.edit_milestone(uow, incident=incident, name="started_at",
                                 value=declared - timedelta(hours=2),
                                 reason="the logs show the first errors two hours earlier")
    assert stored(database, ref)["time_to_detect"] == 7200
    assert figures_of(database, ref)["time_to_detect"].value == 7200
    with database.read() as session:
        entries = audit.get_all(session, target=f"incident:{ref}", action="incident.milestone")
    assert len(entries) == 1
