"""Request shapes for steering an incident's escalation."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from warroom.oncall.targets import TargetSpec
from warroom.text import Line


class PolicyChoice(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    policy: Line = Field(min_length=1, max_length=64, examples=["sev1"])


class Reassignment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: TargetSpec
