"""Adding a note answers that note, however many the incident already has
(it answered the 1,000th oldest once an incident had more)."""

from __future__ import annotations

from warroom.db import SYSTEM
from warroom.incidents import timeline


def test_a_note_on_a_busy_incident_answers_the_new_note(client, people, database, clock):
    answer = client.post("/api/v1/incidents", headers=people.admin, json={
        "type": "service_outage", "severity": "sev2", "title": "Busy"})
    assert answer.status_code == 201, answer.text
    ref = answer.json()["id"]
    with database.unit_of_work(SYSTEM, clock=clock) as uow:
        timeline.add_all(uow, [{"incident_id": int(ref.split("-")[-1]), "kind": "note",
                                "summary": f"old note {n}", "data": None}
                               for n in range(1005)])
    added = client.post(f"/api/v1/incidents/{ref}/notes", json={"text": "The newest"},
                        headers=people.headers("responder"))
    assert added.status_code == 201
    (note,) = added.json()
    assert note["summary"] == "The newest" and note["actor"] == "responder"
