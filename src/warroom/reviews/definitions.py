"""Response metric definitions and review policy, shipped as data under
``rules/`` so an organisation can add its own without code."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from warroom.config import shipped_dir
from warroom.errors import Invalid
from warroom.reviews import settings as reviews_settings

if TYPE_CHECKING:
    from pathlib import Path

MILESTONE_EVENTS = ("started", "detected", "declared", "acknowledged", "contained",
                    "resolved", "closed")
NAME = re.compile(r"^[a-z][a-z0-9_]{1,58}$")
T = TypeVar("T", bound=BaseModel)
BUILT_IN = ("response_target", "pages_before_ack", "escalation_tiers")
"""Figures computed by code (not from two events): the seed's response target,
pages sent before the first acknowledgement and escalation tiers reached."""


class TimelineEndpoint(BaseModel):
    """The first or last timeline event of a kind whose data matches ``where``."""

    model_config = ConfigDict(extra="forbid")
    timeline: str
    where: dict[str, Any] = Field(default_factory=dict)
    which: Literal["first", "last"] = "first"

    @property
    def label(self) -> str:
        match = "".join(f" {k}={v}" for k, v in sorted(self.where.items()))
        return f"{self.which} {self.timeline} event{match}"


Endpoint = str | TimelineEndpoint


class Definition(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: str
    title: str
    start: Endpoint = Field(alias="from")
    end: Endpoint = Field(alias="to")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME.match(value) or value in BUILT_IN:
            raise ValueError(f"{value!r} must be snake_case and not one of {', '.join(BUILT_IN)}")
        return value

    @field_validator("start", "end")
    @classmethod
    def _endpoint(cls, value: Endpoint) -> Endpoint:
        if isinstance(value, str) and value not in MILESTONE_EVENTS:
            raise ValueError(f"{value!r} is not a milestone ({', '.join(MILESTONE_EVENTS)}); "
                             "a timeline event is {timeline: kind, which: first|last}")
        return value


def label(endpoint: Endpoint) -> str:
    return endpoint if isinstance(endpoint, str) else endpoint.label


class _MetricFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    metrics: list[Definition]

    @field_validator("metrics")
    @classmethod
    def _unique(cls, value: list[Definition]) -> list[Definition]:
        names = [d.name for d in value]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"metric names must be unique; repeated: {', '.join(duplicated)}")
        return value


class ReviewPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    first_notes_hours: int = Field(ge=0)
    due_hours: int = Field(ge=1)
    follow_up_days: int = Field(ge=1)
    required_to_close: bool
    waivable: bool


class _PolicyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    severities: dict[str, ReviewPolicy]


def metrics() -> list[Definition]:
    return load_metrics(shipped_dir("rules") / "response-metrics.yaml")


def names() -> list[str]:
    return [d.name for d in metrics()] + list(BUILT_IN)


def policy(severity: str) -> ReviewPolicy:
    path = reviews_settings.get().reviews_policy_file or shipped_dir("rules") / "reviews.yaml"
    found = load_policy(path).get(severity)
    if found is None:
        raise Invalid(f"{path.name} has no review policy for {severity}.")
    return found


@lru_cache(maxsize=8)
def load_metrics(path: Path) -> list[Definition]:
    return _parse(path, _MetricFile).metrics


@lru_cache(maxsize=8)
def load_policy(path: Path) -> dict[str, ReviewPolicy]:
    return _parse(path, _PolicyFile).severities


def _parse(path: Path, model: type[T]) -> T:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return model.model_validate(raw)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise Invalid(f"{path.name} is not valid: {exc}") from exc
