"""Request shapes of the breach register."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from warroom.strict import Moment, Switch
from warroom.text import Line, Text

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)
Item = Annotated[Line, Field(max_length=200)]
Count = Annotated[int, Field(ge=0, le=10_000_000_000)]


class Facts(BaseModel):
    """What is known about the breach; anything left out is unchanged."""

    model_config = _STRICT
    title: Line | None = Field(None, max_length=300)
    role: Literal["controller", "processor"] | None = None
    other_party: Line | None = Field(None, max_length=300,
                                     description="The controller (we are processor) or the "
                                                 "processor that told us")
    other_party_notified_at: Moment | None = None
    aware_at: Moment | None = Field(None, description="When we became aware (not detected_at)")
    awareness_basis: Text | None = Field(None, max_length=4000)
    decided_by: Line | None = Field(None, max_length=200)
    classified_at: Moment | None = Field(None, description="DORA: classified as major")
    nature: list[Literal["confidentiality", "integrity", "availability"]] | None = None
    subject_categories: list[Item] | None = Field(None, max_length=50)
    subjects_min: Count | None = None
    subjects_max: Count | None = None
    data_categories: list[Item] | None = Field(None, max_length=50)
    special_categories: list[Item] | None = Field(None, max_length=20)
    records_min: Count | None = None
    records_max: Count | None = None
    likely_consequences: Text | None = Field(None, max_length=8000)
    measures_taken: Text | None = Field(None, max_length=8000)
    measures_proposed: Text | None = Field(None, max_length=8000)
    risk: Literal["unlikely", "risk", "high"] | None = None
    risk_rationale: Text | None = Field(None, max_length=8000)
    lead_authority: Line | None = Field(None, max_length=300)
    competent_authority: Line | None = Field(None, max_length=300)
    cross_border: Switch | None = None
    art34_exception: Literal["a", "b", "c"] | None = None
    art34_rationale: Text | None = Field(None, max_length=8000)
    reasons_for_delay: Text | None = Field(None, max_length=8000)
    regimes: list[Annotated[Line, Field(max_length=40)]] | None = Field(None, max_length=10)


class OpenIn(BaseModel):
    model_config = _STRICT
    incident: Line | None = Field(None, max_length=20, examples=["INC-7"])
    title: Line = Field(min_length=1, max_length=300, examples=["Customer emails exported"])
    is_drill: Switch = False
    facts: Facts = Field(default_factory=Facts)


class TransitionIn(BaseModel):
    model_config = _STRICT
    to: Literal["confirmed", "assessed", "notified", "not_notifiable", "subjects_notified",
                "subjects_not_required", "public_communication", "closed"]
    facts: Facts = Field(default_factory=Facts)


class SubmitIn(BaseModel):
    model_config = _STRICT
    regime: Line = Field(max_length=40, examples=["gdpr"])
    obligation: Literal["early_warning", "initial", "intermediate", "final", "supplementary"]
    recipient: Line = Field(max_length=300, examples=["Data Protection Commission"])
    channel: Literal["portal", "email", "letter", "phone", "other"] = "portal"
    reference: Line | None = Field(None, max_length=200, description="The authority's number")
    content: str = Field(min_length=1, max_length=5_000_000,
                         description="The exact text sent (its SHA-256 is kept)")
    filename: Line = Field("submission.txt", max_length=300)
    media_type: Line = Field("text/plain", max_length=100)
    reasons_for_delay: Text | None = Field(None, max_length=8000)


class PublishIn(BaseModel):
    model_config = _STRICT
    confirm: Switch = Field(description="A person read the draft and confirms posting it")
    text: Text | None = Field(None, max_length=8000, description="The text, edited (else the "
                                                                 "draft)")
