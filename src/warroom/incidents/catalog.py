"""The vocabulary of incidents: severities and roles (shipped as data under
``rules/``) and incident types (seed 002's table)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from warroom.config import get_settings, shipped_dir
from warroom.errors import Invalid, one_of

if TYPE_CHECKING:
    from pathlib import Path


class IncidentType(StrEnum):
    security_breach = "security_breach"
    service_outage = "service_outage"
    performance_degradation = "performance_degradation"
    data_integrity = "data_integrity"
    compliance_violation = "compliance_violation"
    third_party = "third_party"


TYPE_DESCRIPTIONS = {
    IncidentType.security_breach: "Unauthorized access or data exposure",
    IncidentType.service_outage: "Complete or partial service unavailability",
    IncidentType.performance_degradation: "System slowdown or resource exhaustion",
    IncidentType.data_integrity: "Data corruption or loss",
    IncidentType.compliance_violation: "Policy or regulatory breach",
    IncidentType.third_party: "Vendor or dependency issue",
}

SECURITY_TYPES = frozenset({IncidentType.security_breach, IncidentType.compliance_violation})


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid")
    minutes: int | None = None
    next_business_day: bool = False

    @model_validator(mode="after")
    def _one_kind(self) -> Target:
        if (self.minutes is None) == (not self.next_business_day):
            raise ValueError("a target is either {minutes: N} or {next_business_day: true}")
        return self

    def due(self, start: datetime) -> datetime:
        if self.minutes is not None:
            return start + timedelta(minutes=self.minutes)
        return next_business_day_start(start)

    @property
    def text(self) -> str:
        if self.minutes is None:  # the validator allows it only with next_business_day
            return "next business day"
        if self.minutes == 0:
            return "immediate"
        return f"{self.minutes} min" if self.minutes < 60 else f"{self.minutes // 60} h"


class Severity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    aliases: list[str]
    definition: str
    criteria: str
    examples: list[str]
    response_target: Target
    engagement_target: Target
    escalation: str
    escalation_tier: str
    update_cadence_minutes: int | None

    @property
    def rank(self) -> int:
        """1 is the most severe."""
        return int(self.id.removeprefix("sev"))


class IncidentRole(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    responsibilities: str
    usual_primary: str | None = None
    usual_backup: str | None = None
    core: bool


class _SeverityFile(BaseModel):
    severities: list[Severity]


class _RoleFile(BaseModel):
    roles: list[IncidentRole]


def severities() -> list[Severity]:
    return _load_severities(shipped_dir("rules") / "severities.yaml")


def roles() -> list[IncidentRole]:
    return _load_roles(shipped_dir("rules") / "incident_roles.yaml")


def severity(value: str) -> Severity:
    """The severity named by an id (``sev1``) or alias (``critical``)."""
    key = str(value).strip().lower()
    for candidate in severities():
        if key == candidate.id or key in candidate.aliases:
            return candidate
    valid = [s.id for s in severities()] + [s.name.lower() for s in severities()]
    raise Invalid(one_of(value, valid, "severity"))


def severity_ids() -> list[str]:
    return [s.id for s in severities()]


def incident_type(value: str) -> IncidentType:
    key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return IncidentType(key)
    except ValueError:
        raise Invalid(one_of(value, [t.value for t in IncidentType], "incident type")) from None


def role(value: str) -> IncidentRole:
    key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    for candidate in roles():
        if key == candidate.id:
            return candidate
    raise Invalid(one_of(value, [r.id for r in roles()], "incident role"))


def next_business_day_start(moment: datetime) -> datetime:
    """The start of business hours on the next business day after ``moment``."""
    settings = get_settings()
    zone = ZoneInfo(settings.timezone)
    open_at = time.fromisoformat(settings.business_hours_start)
    workdays = {day.strip().lower()[:3] for day in settings.business_days.split(",")}
    local = moment.astimezone(zone)
    day = local.date()
    for _ in range(14):
        day += timedelta(days=1)
        if day.strftime("%a").lower() in workdays:
            return datetime.combine(day, open_at, tzinfo=zone).astimezone(moment.tzinfo)
    raise Invalid("WARROOM_BUSINESS_DAYS names no valid weekday.")


@lru_cache(maxsize=4)
def _load_severities(path: Path) -> list[Severity]:
    loaded = _SeverityFile.model_validate(yaml.safe_load(path.read_text()))
    ids = [s.id for s in loaded.severities]
    if ids != ["sev1", "sev2", "sev3", "sev4"]:
        raise ValueError(f"{path}: severities must be sev1..sev4 in order, got {ids}")
    return loaded.severities


@lru_cache(maxsize=4)
def _load_roles(path: Path) -> list[IncidentRole]:
    return _RoleFile.model_validate(yaml.safe_load(path.read_text())).roles
