"""Regime profiles: the law's deadlines as data (``rules/regimes/*.yaml``).

Deadlines move (the Digital Omnibus proposes 96 hours, high risk only, for
GDPR), so no number of hours lives in code: each profile names its
obligations, the rule each deadline follows (hours, days or months after
awareness, after classification, or after an earlier submission, with an
optional cap), the condition it applies under, and its legal source and "as
of" date. A profile may ``replace`` another: enabling it switches every breach
that carries the replaced regime. A profile without a source is refused.

Some deadlines move off non-working days: an obligation with ``roll_forward:
next_working_day_noon`` (DORA's intermediate and final reports, Delegated
Regulation (EU) 2025/301 Art. 5) whose deadline falls on a weekend or a bank
holiday of the profile's ``calendar`` is due at 12:00 of the next working day
there. The calendar (time zone, weekend days, bank holidays) is data too.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


class Calendar(BaseModel):
    """Where working days are counted: the member state of the reporting
    entity (its time zone, weekend days and bank holidays)."""

    model_config = _STRICT
    timezone: str = Field(min_length=1, max_length=60, examples=["Europe/Dublin"])
    weekend: list[Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                          "sunday"]] = ["saturday", "sunday"]
    holidays: list[date] = []
    """Bank holidays, as dates in the calendar's time zone."""
    source: str | None = Field(None, max_length=500)

    @model_validator(mode="after")
    def _known_zone(self) -> Calendar:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r} (an IANA name such as "
                             "Europe/Dublin)") from None
        return self

    def is_working_day(self, day: date) -> bool:
        return calendar.day_name[day.weekday()].lower() not in self.weekend and \
            day not in self.holidays

    def next_working_day_noon(self, due: datetime) -> datetime:
        """``due`` unchanged on a working day; else 12:00 of the next working
        day, in the calendar's time zone (returned in UTC)."""
        zone = ZoneInfo(self.timezone)
        day = due.astimezone(zone).date()
        if self.is_working_day(day):
            return due
        for _ in range(366):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return datetime.combine(day, time(12, 0), tzinfo=zone).astimezone(UTC)
        raise Invalid(f"The calendar in {self.timezone} has no working day in a year.")


class Obligation(BaseModel):
    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    kind: Literal["early_warning", "initial", "intermediate", "final", "supplementary"]
    title: str = Field(min_length=1, max_length=200)
    deadline: Deadline | None = None
    """None: "without undue delay", no fixed clock."""
    roll_forward: Literal["next_working_day_noon"] | None = None
    """A deadline on a non-working day of the regime's calendar moves to 12:00
    of the next working day (the regime needs a ``calendar``)."""
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
    calendar: Calendar | None = None
    obligations: list[Obligation] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> Regime:
        if self.calendar is None and any(o.roll_forward for o in self.obligations):
            raise ValueError("roll_forward needs the regime's calendar (timezone, holidays)")
        kinds = [o.kind for o in self.obligations]
        if len(set(kinds)) != len(kinds):
            raise ValueError("each kind of obligation may appear once per regime")
        ids = [o.id for o in self.obligations]
        if len(set(ids)) != len(ids):
            raise ValueError("obligation ids must be distinct")
        return self

    def obligation(self, kind: str) -> Obligation | None:
        return next((o for o in self.obligations if o.kind == kind), None)

    def adjust(self, obligation: Obligation, due: datetime) -> datetime:
        """The deadline after the obligation's roll-forward rule, if any."""
        if obligation.roll_forward == "next_working_day_noon" and self.calendar is not None:
            return self.calendar.next_working_day_noon(due)
        return due

    def rule_text(self, obligation: Obligation) -> str:
        """How the deadline is counted, as the clock shows it."""
        if obligation.deadline is None:
            return "without undue delay"
        text = obligation.deadline.text()
        if obligation.deadline.cap:
            text += f", at most {obligation.deadline.cap.text()}"
        if obligation.roll_forward and self.calendar is not None:
            text += (f"; on a weekend or bank holiday ({self.calendar.timezone}): by 12:00 "
                     "the next working day")
        return text


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
