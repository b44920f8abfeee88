"""The scenario library validates, and a broken scenario is refused with a
sentence naming the problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from warroom import config
from warroom.drills import scenarios
from warroom.errors import Invalid

SHIPPED = Path(__file__).resolve().parents[2] / "rules" / "drills"
SEED_002 = {"database-breach", "ddos", "zero-day", "cloud-outage", "insider-threat"}
SEED_000 = {"websocket-outage", "security-incident", "performance-degradation", "data-loss",
            "compliance-violation"}


def test_every_shipped_scenario_validates_and_the_library_is_complete():
    found = {s.id: s for s in (scenarios.validate_file(p) for p in SHIPPED.glob("*.yaml"))}
    assert set(found) == SEED_002 | SEED_000
    for scenario in found.values():
        assert scenario.objectives and scenario.injects and scenario.facilitator_notes
        assert scenario.format.model_dump() == {"preparation": 60, "simulation": 120,
                                                "debrief": 60}
    assert all(found[s].live is not None for s in SEED_000)


@pytest.fixture
def library(tmp_path, monkeypatch):
    folder = tmp_path / "drills"
    shutil.copytree(SHIPPED, folder)
    monkeypatch.setenv("WARROOM_DRILLS_SCENARIOS_DIR", str(folder))
    config.reset()
    yield folder
    config.reset()


def break_file(folder: Path, old: str, new: str) -> Path:
    path = folder / "ddos.yaml"
    path.write_text(path.read_text().replace(old, new, 1))
    return path


@pytest.mark.parametrize(("old", "new", "says"), [
    ("role: incident_commander, target_minutes: 10", "role: incident_commander",
     "needs target_minutes"),
    ("{id: customers, at_minutes: 5, message:", "{id: customers, at_minutes: 5, fixture: x.txt,"
     " message:", "exactly one of alert, message, fixture, change"),
    ("role: incident_commander", "role: chief_of_fun", "chief_of_fun"),
    ("at_minutes: 20", "at_minutes: 500", "after the scenario ends"),
    ("severity: high\ndifficulty", "severity: apocalyptic\ndifficulty", "apocalyptic"),
    ("id: ddos", "id: dos", "must match the file name"),
])
def test_a_broken_scenario_is_refused_naming_the_problem(library, old, new, says):
    path = break_file(library, old, new)
    with pytest.raises(Invalid) as refused:
        scenarios.validate_file(path)
    assert says in str(refused.value) and "ddos.yaml" in str(refused.value)


def test_a_fixture_that_does_not_exist_is_refused(library):
    path = library / "zero-day.yaml"
    path.write_text(path.read_text().replace("fixture: exploit-request.log",
                                             "fixture: missing.log"))
    with pytest.raises(Invalid, match=r"no fixture file missing\.log"):
        scenarios.validate_file(path)
