"""The scenario library: exercises as data (``rules/drills/*.yaml``), validated.

A scenario says what incident to practise (type, severity), how hard and how
long, whether it is talked through (tabletop) or breaks something real
(live), what the team must achieve (objectives, each with a target in
scenario minutes), what happens when (timed injects) and what only the
facilitator reads (notes, hints). Injects go through the real system: an
``alert`` inject is received by intake like any tool's alert.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from warroom.config import shipped_dir
from warroom.drills import settings as drills_settings
from warroom.errors import Invalid, NotFound, one_of
from warroom.incidents import catalog

if TYPE_CHECKING:
    from collections.abc import Callable

_T = TypeVar("_T")

ID = r"^[a-z0-9][a-z0-9-]{0,79}$"
OBJECTIVE_KINDS = ("acknowledged", "role_assigned", "status_update", "evidence_preserved",
                   "dpo_notified", "breach_assessed", "phase_reached", "step_passed")
PHASE_MILESTONES = {"containment": "contained_at", "recovery": "resolved_at",
                    "lessons_learned": "resolved_at", "closed": "closed_at"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Objective(_Strict):
    """What the team must do, and by when (scenario minutes from the start).

    ``target_minutes`` may be left out for ``acknowledged``: the severity's
    response target (``rules/severities.yaml``) is then the target."""

    id: str = Field(pattern=ID)
    title: str = Field(min_length=3, max_length=200)
    kind: Literal["acknowledged", "role_assigned", "status_update", "evidence_preserved",
                  "dpo_notified", "breach_assessed", "phase_reached", "step_passed"]
    target_minutes: int | None = Field(default=None, ge=0, le=60 * 24 * 30)
    role: str | None = None
    phase: str | None = None
    step: str | None = Field(default=None, pattern=r"^[a-z0-9-]+:[a-z0-9-]+$")

    @model_validator(mode="after")
    def _parameters(self) -> Objective:
        if self.kind == "role_assigned":
            if not self.role:
                raise ValueError("a role_assigned objective names its role")
            _known(catalog.role, self.role)
        if self.kind == "phase_reached" and self.phase not in PHASE_MILESTONES:
            raise ValueError(f"a phase_reached objective names one of {sorted(PHASE_MILESTONES)}")
        if self.kind == "step_passed" and not self.step:
            raise ValueError("a step_passed objective names its step as playbook:step-id")
        if self.target_minutes is None and self.kind != "acknowledged":
            raise ValueError(f"objective {self.id} needs target_minutes")
        return self


class AlertInject(_Strict):
    name: str = Field(min_length=1, max_length=200)
    severity: str | None = None
    summary: str = ""
    labels: dict[str, str] = Field(default_factory=dict)


class StateChange(_Strict):
    """A scripted change to the drill incident (the situation gets worse)."""

    severity: str | None = None
    phase: str | None = None
    note: str | None = None


class Inject(_Strict):
    """One thing that happens at ``at_minutes`` into the scenario: exactly one
    of alert, message, fixture, change."""

    id: str = Field(pattern=ID)
    at_minutes: float = Field(ge=0, le=60 * 24 * 30)
    alert: AlertInject | None = None
    message: str | None = Field(default=None, max_length=4000)
    fixture: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9._-]{0,120}$")
    change: StateChange | None = None
    hint: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Inject:
        given = [k for k in ("alert", "message", "fixture", "change") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(f"inject {self.id} is exactly one of alert, message, fixture, "
                             f"change (has {given or 'none'})")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("alert", "message", "fixture", "change") if getattr(self, k))


class Live(_Strict):
    """What a live run breaks on the demo service, and which alerts it expects."""

    fault: Literal["down", "connection_failures", "latency", "message_loss",
                   "auth_failures", "retention_violation"]
    alertnames: list[str] = Field(min_length=1)


class Format(_Strict):
    """Seed 002's exercise format, in minutes."""

    preparation: int = 60
    simulation: int = 120
    debrief: int = 60


class Scenario(_Strict):
    id: str = Field(pattern=ID)
    title: str = Field(min_length=3, max_length=200)
    source: str = Field(min_length=3)
    type: str
    severity: str
    difficulty: Literal["easy", "medium", "hard"]
    duration_minutes: int = Field(gt=0, le=60 * 24 * 7)
    mode: Literal["tabletop", "live"] = "tabletop"
    summary: str = Field(min_length=3)
    format: Format = Field(default_factory=Format)
    objectives: list[Objective] = Field(min_length=1)
    injects: list[Inject] = Field(min_length=1)
    facilitator_notes: str = Field(min_length=3)
    hints: list[str] = Field(default_factory=list)
    live: Live | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        _known(catalog.incident_type, self.type)
        self.severity = _known(catalog.severity, self.severity).id
        for kind, items in (("objective", self.objectives), ("inject", self.injects)):
            ids = [item.id for item in items]
            if len(ids) != len(set(ids)):
                raise ValueError(f"{kind} ids repeat in {self.id}")
        for inject in self.injects:
            if inject.at_minutes > self.duration_minutes:
                raise ValueError(f"inject {inject.id} is after the scenario ends")
            if inject.fixture and not (fixtures_directory() / inject.fixture).is_file():
                raise ValueError(f"inject {inject.id}: no fixture file {inject.fixture}")
        if self.mode == "live" and self.live is None:
            raise ValueError("a live scenario says which fault it turns on (live:)")
        return self

    def objective_target(self, objective: Objective) -> int:
        if objective.target_minutes is not None:
            return objective.target_minutes
        return catalog.severity(self.severity).response_target.minutes or 0


def directory() -> Path:
    return drills_settings.get().drills_scenarios_dir or shipped_dir("rules") / "drills"


def fixtures_directory() -> Path:
    return directory() / "fixtures"


def get_all() -> list[Scenario]:
    folder = directory()
    files = sorted(folder.glob("*.yaml"))
    return list(_load_all(tuple((str(f), f.stat().st_mtime_ns) for f in files)))


def get_or_raise(scenario_id: str) -> Scenario:
    scenarios = get_all()
    for scenario in scenarios:
        if scenario.id == scenario_id:
            return scenario
    raise NotFound(one_of(scenario_id, [s.id for s in scenarios], "scenario"))


def validate_file(path: Path) -> Scenario:
    """One scenario file, or :class:`Invalid` saying what is wrong and where."""
    try:
        data: Any = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise Invalid(f"{path.name} is not YAML: {error}") from error
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}"
                             for e in error.errors())
        raise Invalid(f"{path.name}: {problems}") from error
    if scenario.id != path.stem:
        raise Invalid(f"{path.name}: the id {scenario.id!r} must match the file name")
    return scenario


def _known(lookup: Callable[[str], _T], value: str) -> _T:
    """A catalogue lookup inside a validator: its refusal becomes a field error."""
    try:
        return lookup(value)
    except Invalid as unknown:
        raise ValueError(str(unknown)) from unknown


@lru_cache(maxsize=4)
def _load_all(files: tuple[tuple[str, int], ...]) -> tuple[Scenario, ...]:
    return tuple(validate_file(Path(name)) for name, _ in files)
