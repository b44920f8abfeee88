"""The status page's words, as Statuspage uses them, and the short words the
seed playbooks use for the same things (``degraded``, ``outage``...).

The overall indicator is derived, never stored: the worst of the component
statuses and the impact of unresolved incidents.
"""

from __future__ import annotations

from enum import StrEnum

from warroom.errors import Invalid, one_of


class ComponentStatus(StrEnum):
    operational = "operational"
    degraded_performance = "degraded_performance"
    partial_outage = "partial_outage"
    major_outage = "major_outage"
    under_maintenance = "under_maintenance"


class IncidentStatus(StrEnum):
    investigating = "investigating"
    identified = "identified"
    monitoring = "monitoring"
    resolved = "resolved"


class MaintenanceStatus(StrEnum):
    scheduled = "scheduled"
    in_progress = "in_progress"
    verifying = "verifying"
    completed = "completed"


class Impact(StrEnum):
    none = "none"
    minor = "minor"
    major = "major"
    critical = "critical"
    maintenance = "maintenance"


# The seed's short words (and a few more a tired responder might type).
COMPONENT_ALIASES: dict[str, ComponentStatus] = {
    "operational": ComponentStatus.operational,
    "ok": ComponentStatus.operational,
    "up": ComponentStatus.operational,
    "normal": ComponentStatus.operational,
    "degraded": ComponentStatus.degraded_performance,
    "degraded_performance": ComponentStatus.degraded_performance,
    "slow": ComponentStatus.degraded_performance,
    "partial": ComponentStatus.partial_outage,
    "partial_outage": ComponentStatus.partial_outage,
    "outage": ComponentStatus.major_outage,
    "major": ComponentStatus.major_outage,
    "major_outage": ComponentStatus.major_outage,
    "down": ComponentStatus.major_outage,
    "maintenance": ComponentStatus.under_maintenance,
    "under_maintenance": ComponentStatus.under_maintenance,
}

# Worst first is the order people read; rank grows with how bad it is.
_COMPONENT_RANK = {
    ComponentStatus.operational: 0,
    ComponentStatus.under_maintenance: 1,
    ComponentStatus.degraded_performance: 2,
    ComponentStatus.partial_outage: 3,
    ComponentStatus.major_outage: 4,
}

COMPONENT_LABELS = {
    ComponentStatus.operational: "Operational",
    ComponentStatus.degraded_performance: "Degraded performance",
    ComponentStatus.partial_outage: "Partial outage",
    ComponentStatus.major_outage: "Major outage",
    ComponentStatus.under_maintenance: "Under maintenance",
}

INCIDENT_LABELS = {
    "investigating": "Investigating", "identified": "Identified", "monitoring": "Monitoring",
    "resolved": "Resolved", "scheduled": "Scheduled", "in_progress": "In progress",
    "verifying": "Verifying", "completed": "Completed",
}

# A component's status says how bad an incident touching it is.
IMPACT_OF = {
    ComponentStatus.operational: Impact.none,
    ComponentStatus.under_maintenance: Impact.maintenance,
    ComponentStatus.degraded_performance: Impact.minor,
    ComponentStatus.partial_outage: Impact.major,
    ComponentStatus.major_outage: Impact.critical,
}

INDICATORS = ("none", "minor", "major", "critical")
_IMPACT_RANK = {Impact.none: 0, Impact.maintenance: 1, Impact.minor: 1, Impact.major: 2,
                Impact.critical: 3}
MAINTENANCE_DESCRIPTION = "Service Under Maintenance"
_DESCRIPTIONS = {
    ComponentStatus.operational: "All Systems Operational",
    ComponentStatus.under_maintenance: MAINTENANCE_DESCRIPTION,
    ComponentStatus.degraded_performance: "Minor Service Outage",
    ComponentStatus.partial_outage: "Partial System Outage",
    ComponentStatus.major_outage: "Major System Outage",
}
_INDICATOR_OF = {
    ComponentStatus.operational: "none",
    ComponentStatus.under_maintenance: "minor",
    ComponentStatus.degraded_performance: "minor",
    ComponentStatus.partial_outage: "major",
    ComponentStatus.major_outage: "critical",
}
_INCIDENT_DESCRIPTIONS = {1: "Minor Service Outage", 2: "Partial System Outage",
                          3: "Major System Outage"}

OPEN_MAINTENANCE = (MaintenanceStatus.scheduled, MaintenanceStatus.in_progress,
                    MaintenanceStatus.verifying)
ACTIVE_MAINTENANCE = (MaintenanceStatus.in_progress, MaintenanceStatus.verifying)
FINISHED = (IncidentStatus.resolved.value, MaintenanceStatus.completed.value)


def component_status(word: str) -> ComponentStatus:
    """A component status from Statuspage's word or a seed's short word."""
    key = _key(word)
    if key in COMPONENT_ALIASES:
        return COMPONENT_ALIASES[key]
    raise Invalid(one_of(word, valid_component_words(), "component status"))


def valid_component_words() -> list[str]:
    return [s.value for s in ComponentStatus] + sorted(
        k for k in COMPONENT_ALIASES if k not in ComponentStatus.__members__)


def incident_status(word: str) -> IncidentStatus:
    try:
        return IncidentStatus(_key(word))
    except ValueError:
        raise Invalid(one_of(word, [s.value for s in IncidentStatus],
                             "incident status")) from None


def maintenance_status(word: str) -> MaintenanceStatus:
    key = _key(word).replace("inprogress", "in_progress")
    try:
        return MaintenanceStatus(key)
    except ValueError:
        raise Invalid(one_of(word, [s.value for s in MaintenanceStatus],
                             "maintenance status")) from None


def impact(word: str) -> Impact:
    try:
        return Impact(_key(word))
    except ValueError:
        raise Invalid(one_of(word, [i.value for i in Impact], "impact")) from None


def rank(status: str) -> int:
    return _COMPONENT_RANK[ComponentStatus(status)]


def worst(statuses: list[str]) -> ComponentStatus:
    """The worst of some component statuses (operational when there are none)."""
    if not statuses:
        return ComponentStatus.operational
    return ComponentStatus(max(statuses, key=rank))


def impact_of(statuses: list[str]) -> Impact:
    return IMPACT_OF[worst(statuses)]


def indicator(statuses: list[str], impacts: list[str]) -> tuple[str, str]:
    """The page's ``(indicator, description)`` from its components and the
    impact of its unresolved incidents, as Statuspage's ``status`` object."""
    from_components = worst(statuses)
    incident_rank = max((_IMPACT_RANK[Impact(i)] for i in impacts), default=0)
    if incident_rank > INDICATORS.index(_INDICATOR_OF[from_components]):
        return INDICATORS[incident_rank], _INCIDENT_DESCRIPTIONS[incident_rank]
    return _INDICATOR_OF[from_components], _DESCRIPTIONS[from_components]


def _key(word: str) -> str:
    return str(word).strip().lower().replace("-", "_").replace(" ", "_")
