"""The debrief of an ended drill: a structured scorecard, the facilitator's
notes, and the action items the misses suggest, each tagged ``source=drill``.

This is the seam for the review domain: when ``warroom.reviews`` exists,
:func:`open_debrief` is where a debrief review (template ``drill``) is
created from this record and its action items are filed there with
``source="drill"``; until then the record is kept on the drill, in the audit
chain and on the incident's timeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.audit import service as audit
from warroom.drills.scoring import LATE, MET, MISSED

if TYPE_CHECKING:
    from warroom.db import UnitOfWork
    from warroom.drills.models import Drill
    from warroom.drills.scenarios import Scenario
    from warroom.drills.scoring import Result

SOURCE = "drill"


def open_debrief(uow: UnitOfWork, *, drill: Drill, scenario: Scenario,
                 results: list[Result]) -> dict[str, Any]:
    """Build the debrief record (and, once reviews exist, the debrief review)."""
    record = {
        "template": "drill",
        "drill": drill.ref,
        "scenario": scenario.id,
        "format": scenario.format.model_dump(),
        "score": drill.score,
        "went_well": [r.title for r in results if r.status == MET],
        "to_improve": [_finding(r) for r in results if r.status in (LATE, MISSED)],
        "facilitator_notes": scenario.facilitator_notes,
        "action_items": [{"title": f"Practise: {r.title}", "source": SOURCE,
                          "drill": drill.ref, "objective": r.id}
                         for r in results if r.status in (LATE, MISSED)],
    }
    audit.record(uow, action="drill.debrief", target=f"drill:{drill.ref}", after=record)
    return record


def _finding(result: Result) -> str:
    if result.status == LATE:
        return (f"{result.title}: met {result.late_by_minutes:g} min late (target "
                f"{result.target_minutes} min)")
    return f"{result.title}: missed (target {result.target_minutes} min)"
