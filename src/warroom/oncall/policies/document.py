"""The shape of an escalation policy, shared by shipped files and the API.

Each step pages its targets and then waits ``delay`` for an acknowledgement
before the next step fires (the last step's delay is the wait before the
policy repeats). ``repeat`` says how many more times the whole policy runs
while nobody acknowledges. ``notices`` tell people about the incident without
asking them to acknowledge (seed 000 §1.1: "Sev1: immediate executive
notification"); they are not stopped by an acknowledgement.
"""

from __future__ import annotations

from itertools import accumulate

from pydantic import BaseModel, ConfigDict, Field, model_validator

from warroom.oncall.durations import Duration
from warroom.oncall.targets import TargetSpec
from warroom.text import Line, Text

MAX_DELAY = 7 * 24 * 3600


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Line | None = Field(None, max_length=100)
    """What the step is called on the timeline, e.g. "Team Lead"."""
    targets: list[TargetSpec] = Field(min_length=1, max_length=20)
    delay: Duration = Field(ge=0, le=MAX_DELAY)

    @property
    def label(self) -> str:
        return self.name or ", ".join(t.label for t in self.targets)


class Notice(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    after: Duration = Field(0, ge=0, le=MAX_DELAY)
    targets: list[TargetSpec] = Field(min_length=1, max_length=20)
    reason: Text = Field("", max_length=300)


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Line = Field(min_length=1, max_length=64)
    description: Text = Field("", max_length=500)
    repeat: int = Field(0, ge=0, le=10)
    steps: list[Step] = Field(min_length=1, max_length=20)
    notices: list[Notice] = Field(default_factory=list, max_length=10)

    @model_validator(mode="after")
    def _repeat_takes_time(self) -> Policy:
        if self.repeat and not sum(step.delay for step in self.steps):
            raise ValueError("a policy that repeats must wait somewhere: give a step a delay")
        return self

    def offsets(self) -> list[int]:
        """Seconds from the start at which each step fires in the first pass,
        if nobody acknowledges (the escalation matrix's columns)."""
        return [0, *accumulate(step.delay for step in self.steps[:-1])]

    def targets(self) -> list[TargetSpec]:
        found = [t for step in self.steps for t in step.targets]
        found += [t for notice in self.notices for t in notice.targets]
        return found
