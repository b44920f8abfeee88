"""Knobs of the PagerDuty REST API drop-in (``WARROOM_PAGERDUTY_*``)."""

from __future__ import annotations

from pydantic import field_validator

from warroom.config import WarroomSettings
from warroom.errors import Problem
from warroom.incidents import catalog

URGENCIES = ("high", "low")


class PagerDutySettings(WarroomSettings):
    """How PagerDuty's urgencies and service ids map onto warroom."""

    pagerduty_urgency_severity: dict[str, str] = {"high": "sev1", "low": "sev3"}
    """The severity an incident opened with each urgency gets. Read back, an
    incident is ``high`` when its severity is at least as severe as the
    ``high`` one, else ``low``."""
    pagerduty_service_ids: dict[str, str] = {}
    """Service ids the team's scripts already send (``PXXXXXX`` from PagerDuty,
    or a placeholder such as the seed's ``WEBSOCKET_SERVICE_ID``) -> the
    warroom service name they mean."""
    pagerduty_incident_type: str = "service_outage"
    """The warroom incident type of incidents opened through this API
    (PagerDuty incidents have no type)."""

    @field_validator("pagerduty_urgency_severity")
    @classmethod
    def _both_urgencies(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [u for u in URGENCIES if u not in value]
        if missing or set(value) - set(URGENCIES):
            raise ValueError("name a severity for exactly the urgencies high and low, "
                             'e.g. {"high": "sev1", "low": "sev3"}')
        try:
            return {urgency: catalog.severity(name).id for urgency, name in value.items()}
        except Problem as problem:
            raise ValueError(problem.detail) from None

    @field_validator("pagerduty_incident_type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        try:
            return catalog.incident_type(value).value
        except Problem as problem:
            raise ValueError(problem.detail) from None


def get() -> PagerDutySettings:
    return PagerDutySettings.current()
