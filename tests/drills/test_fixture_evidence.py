"""A fixture-file inject files the fixture in the drill incident's evidence
locker, its custody trail naming the drill, so participants can collect it."""

from __future__ import annotations

from sqlalchemy import select

from warroom.drills import scenarios
from warroom.evidence.models import EvidenceItem


def test_a_fixture_inject_files_the_fixture_as_evidence(drills, database):
    ref = drills.start("database-breach")
    drills.at(ref, 15)
    drills.cycle()
    incident = drills.incident_ref(ref)
    with database.read() as session:
        items = list(session.scalars(select(EvidenceItem).where(
            EvidenceItem.incident_id == int(incident.removeprefix("INC-")))))
    content = (scenarios.fixtures_directory() / "db-audit-log.txt").read_bytes()
    assert [i.original_filename for i in items] == ["db-audit-log.txt"]
    assert items[0].size == len(content)
    assert ref in items[0].collected_by
