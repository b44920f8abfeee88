"""Request and response shapes for teams."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from warroom.text import Line, Text


class TeamIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Line = Field(min_length=1, max_length=64, examples=["sre"])
    description: Text = Field("", max_length=500)
    members: list[Line] = Field(default_factory=list, max_length=200)


class TeamOut(BaseModel):
    name: str
    description: str
    members: list[str]
