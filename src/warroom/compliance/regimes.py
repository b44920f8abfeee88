"""Regime profiles: the law's deadlines as data (``rules/regimes/*.yaml``).

Deadlines move (the Digital Omnibus proposes 96 hours, high risk only, for
GDPR), so no number of hours lives in code: each profile names its
obligations, the rule each deadline follows (hours, days or months after
awareness, after classification, or after an earlier submission, with an
optional cap), the condition it applies under, and its legal source and "as
of" date. A profile may ``replace`` another: enabling it switches every breach
that carries the replaced regime. A profile without a source is refused.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from warroom.compliance import settings as compliance_settings
from warroom.errors import Invalid, one_of

if TYPE_CHECKING:
    from pathlib import Path

KINDS = ("early_warning", "initial", "intermediate", "final", "supplementary")
RISKS = ("unlikely", "risk", "high")
_STRICT = ConfigDict(extra="forbid")


class Span(BaseModel):
    """A length of time and what it counts from."""

    model_config = _STRICT
    hours: float | None = Field(None, gt=0)
    days: int | None = Field(None, gt=0)
    months: int | None = Field(None, gt=0)
    after: Literal["awareness", "classification", "submission"]
    submission: Literal["early_warning", "initial", "intermediate", "final",
                        "supplementary"] | None = None
    """For ``after: submission``: the kind of submission counted from (the latest)."""

    @model_validator(mode="after")
    def _one_length(self) -> Span:
        given = [v for v in (self.hours, self.days, self.months) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of hours, days or months")
        if (self.after == "submission") != (self.submission is not None):
            raise ValueError("after: submission needs submission: <kind> (and only it)")
        return self

    def add_to(self, moment: datetime) -> datetime:
        if self.hours is not None:
            return moment + timedelta(hours=self.hours)
        if self.days is not None:
            return moment + timedelta(days=self.days)
        return add_months(moment, self.months or 0)

    def text(self) -> str:
        length = (f"{self.hours:g} h" if self.hours is not None else
                  f"{self.days} days" if self.days is not None else f"{self.months} month(s)")
        basis = f"the {self.submission} submission" if self.submission else self.after
        return f"{length} after {basis}"


class Deadline(Span):
    cap: Span | None = None
    """The deadline is never later than this (DORA: 24 h after awareness)."""


class Condition(BaseModel):
    """When an obligation applies. An unassessed risk counts as applying: the
    clock runs until someone decides otherwise."""

    model_config = _STRICT
    risk_in: list[Literal["unlikely", "risk", "high"]] | None = None
    risk_not_in: list[Literal["unlikely", "risk", "high"]] | None = None

    def holds(self, risk: str | None) -> bool:
        if risk is None:
            return True
        if self.risk_in is not None and risk not in self.risk_in:
            return False
        return not (self.risk_not_in is not None and risk in self.risk_not_in)


class Obligation(BaseModel):
    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    kind: Literal["early_warning", "initial", "intermediate", "final", "supplementary"]
    title: str = Field(min_length=1, max_length=200)
    deadline: Deadline | None = None
    """None: "without undue delay", no fixed clock."""
    when: Condition = Field(default_factory=Condition)
    source: str = Field(min_length=3, max_length=500)


class Regime(BaseModel):
    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$")
    name: str = Field(min_length=1, max_length=200)
    enabled: bool = True
    replaces: str | None = None
    as_of: date
    source: str = Field(min_length=3, max_length=500)
    recipient: str = Field(min_length=1, max_length=200)
    obligations: list[Obligation] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> Regime:
        kinds = [o.kind for o in self.obligations]
        if len(set(kinds)) != len(kinds):
            raise ValueError("each kind of obligation may appear once per regime")
        ids = [o.id for o in self.obligations]
        if len(set(ids)) != len(ids):
            raise ValueError("obligation ids must be distinct")
        return self

    def obligation(self, kind: str) -> Obligation | None:
        return next((o for o in self.obligations if o.kind == kind), None)


def load_all(folder: Path | None = None) -> dict[str, Regime]:
    """Every profile in the folder by id, enabled or not; Invalid naming the
    file and the problem when one does not validate."""
    folder = folder or compliance_settings.get().regimes_dir
    regimes: dict[str, Regime] = {}
    for path in sorted(folder.glob("*.yaml")):
        regime = load_file(path)
        if regime.id in regimes:
            raise Invalid(f"{path.name}: regime id {regime.id!r} is used twice.")
        regimes[regime.id] = regime
    for regime in regimes.values():
        if regime.replaces and regime.replaces not in regimes:
            raise Invalid(f"Regime {regime.id!r} replaces {regime.replaces!r}, which does not "
                          "exist.")
    return regimes


def load_file(path: Path) -> Regime:
    try:
        data = yaml.safe_load(path.read_text())
        return Regime.model_validate(data)
    except (yaml.YAMLError, ValidationError) as error:
        raise Invalid(f"Regime profile {path.name} is not valid: {error}") from None


def effective(folder: Path | None = None) -> dict[str, Regime]:
    """The regimes a breach may carry, by the id it names: an enabled profile
    that replaces another serves under the replaced id."""
    regimes = load_all(folder)
    chosen = {r.id: r for r in regimes.values() if r.enabled and not r.replaces}
    for regime in regimes.values():
        if regime.enabled and regime.replaces:
            chosen[regime.replaces] = regime
    return chosen


def check_ids(names: list[str]) -> list[str]:
    """The regime ids as given, refused when one is not enabled."""
    known = effective()
    cleaned: list[str] = []
    for name in names:
        name = name.strip().lower()
        if name not in known:
            raise Invalid(one_of(name, sorted(known), "regime"))
        if name not in cleaned:
            cleaned.append(name)
    return cleaned


def add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
