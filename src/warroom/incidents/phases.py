"""The lifecycle of seed 002 as an explicit transition table.

detection > triage > containment > eradication > recovery > lessons_learned > closed

Besides the straight path, the table allows what responders really do: go
from triage straight to recovery or skip eradication when there is nothing to
contain or remove (an outage fixed by a restart), fall back to containment
when a fix does not hold, and close from any phase when an incident was
declared in error (a separate action).
"""

from __future__ import annotations

from enum import StrEnum


class Phase(StrEnum):
    detection = "detection"
    triage = "triage"
    containment = "containment"
    eradication = "eradication"
    recovery = "recovery"
    lessons_learned = "lessons_learned"
    closed = "closed"


ORDER = list(Phase)

TRANSITIONS: dict[Phase, tuple[Phase, ...]] = {
    Phase.detection: (Phase.triage,),
    Phase.triage: (Phase.containment, Phase.recovery),
    Phase.containment: (Phase.eradication, Phase.recovery),
    Phase.eradication: (Phase.recovery, Phase.containment),
    Phase.recovery: (Phase.lessons_learned, Phase.containment),
    Phase.lessons_learned: (Phase.closed,),
    Phase.closed: (),
}

OPEN_PHASES = tuple(p for p in Phase if p is not Phase.closed)
RESOLVED_PHASES = (Phase.lessons_learned, Phase.closed)

# Milestones a transition stamps when entering the target phase (first time only).
MILESTONES_ON_ENTRY: dict[Phase, tuple[str, ...]] = {
    Phase.triage: ("acknowledged_at",),
    Phase.eradication: ("contained_at",),
    Phase.recovery: ("contained_at",),
    Phase.lessons_learned: ("contained_at", "resolved_at"),
    Phase.closed: ("resolved_at", "closed_at"),
}

MILESTONES = ("started_at", "detected_at", "declared_at", "acknowledged_at", "contained_at",
              "resolved_at", "closed_at")


def legal_next(phase: Phase) -> tuple[Phase, ...]:
    return TRANSITIONS[phase]


def is_legal(current: Phase, target: Phase) -> bool:
    return target in TRANSITIONS[current]


def parse(value: str) -> Phase | None:
    key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    aliases = {"resolved": Phase.lessons_learned, "lessons": Phase.lessons_learned,
               "review": Phase.lessons_learned}
    try:
        return Phase(key)
    except ValueError:
        return aliases.get(key)
