"""Who a policy step, a notice or a position binding points at.

A target names exactly one of: a person (``user``), a schedule (whoever is on
call), a team (every member) or a position (whatever the organisation bound
it to, see :mod:`warroom.oncall.positions`). Targets are stored by name and
resolved when they fire, so a step pages whoever is on call *then*.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator

from warroom.text import Line

TargetKind = Literal["user", "schedule", "team", "position"]
KINDS: tuple[TargetKind, ...] = ("user", "schedule", "team", "position")


class TargetSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    user: Line | None = Field(None, min_length=1, max_length=64)
    schedule: Line | None = Field(None, min_length=1, max_length=64)
    team: Line | None = Field(None, min_length=1, max_length=64)
    position: Line | None = Field(None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _exactly_one(self) -> TargetSpec:
        named = [kind for kind in KINDS if getattr(self, kind) is not None]
        if len(named) != 1:
            raise ValueError("a target names exactly one of user, schedule, team or position, "
                             'e.g. {"schedule": "primary"}')
        return self

    @model_serializer
    def _as_one_key(self) -> dict[str, str]:
        return self.as_dict()

    @property
    def kind(self) -> TargetKind:
        return next(kind for kind in KINDS if getattr(self, kind) is not None)

    @property
    def name(self) -> str:
        return str(getattr(self, self.kind))

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.name}"

    def as_dict(self) -> dict[str, str]:
        return {self.kind: self.name}


def parse(text: str) -> TargetSpec:
    """``user:alice``, ``schedule:primary``, ``team:sre`` or ``position:cto``
    (the CLI's spelling)."""
    kind, _, name = text.partition(":")
    if kind not in KINDS or not name:
        raise ValueError(f"{text!r} is not a target; write kind:name with kind one of "
                         f"{', '.join(KINDS)}, e.g. schedule:primary")
    return TargetSpec.model_validate({kind: name})
