"""The debrief of an ended drill: a structured scorecard, the facilitator's
notes, and the action items the misses suggest, each tagged ``source=drill``.

When the drill has an incident, the debrief is that incident's review (the
reviews domain's document, so it is edited, approved and exported like any
other): what went well and what to improve are written into its sections,
the facilitator's notes into the timeline notes, and each late or missed
objective becomes an action item with ``source="drill"``. The record itself
is also kept on the drill and in the audit chain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.audit import service as audit
from warroom.drills.scoring import LATE, MET, MISSED
from warroom.incidents import service as incidents
from warroom.reviews import items
from warroom.reviews import service as reviews

if TYPE_CHECKING:
    from warroom.db import UnitOfWork
    from warroom.drills.models import Drill
    from warroom.drills.scenarios import Scenario
    from warroom.drills.scoring import Result

SOURCE = "drill"


def open_debrief(uow: UnitOfWork, *, drill: Drill, scenario: Scenario,
                 results: list[Result]) -> dict[str, Any]:
    """Build the debrief record and file it as the drill incident's review."""
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
    if drill.incident_id is not None:
        record["review"], record["action_item_refs"] = _file(uow, drill, record)
    audit.record(uow, action="drill.debrief", target=f"drill:{drill.ref}", after=record)
    return record


def _file(uow: UnitOfWork, drill: Drill, record: dict[str, Any]) -> tuple[str, list[str]]:
    """The debrief as the incident's review, its findings as action items."""
    incident = incidents.get_for_update(uow, ref=f"INC-{drill.incident_id}")
    review = reviews.open_review(uow, incident=incident)
    if review.state == "draft":
        def bullets(lines: list[str]) -> str:
            return "\n".join(f"- {line}" for line in lines) or "- (none)"
        reviews.edit(uow, incident=incident, changes={
            "overview": f"Drill {drill.ref} of scenario {record['scenario']}, scored "
                        f"{record['score']}%.",
            "went_well": bullets(record["went_well"]),
            "improve": bullets(record["to_improve"]),
            "timeline_notes": record["facilitator_notes"] or "",
            "follow_up_training": bullets([i["title"] for i in record["action_items"]]),
        })
    filed = [items.ref(items.create(uow, incident=incident, new=items.NewItem(
        title=i["title"][:300], priority="medium", source=SOURCE)))
        for i in record["action_items"]]
    return f"review of {incident.ref}", filed


def _finding(result: Result) -> str:
    if result.status == LATE:
        return (f"{result.title}: met {result.late_by_minutes:g} min late (target "
                f"{result.target_minutes} min)")
    return f"{result.title}: missed (target {result.target_minutes} min)"
