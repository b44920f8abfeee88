"""Tampering is caught and named: a stored file, a custody row edited,
deleted or reordered (by ``warroom evidence verify`` and ``warroom audit
verify``); destroying needs the hold off and two people; the worker re-hashes
sealed items when they are due and pages on a mismatch."""

from __future__ import annotations

import os
import stat
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from tests.evidence.conftest import stored_files
from warroom.audit import verify as audit_verify
from warroom.db import Actor
from warroom.errors import Conflict
from warroom.evidence import service
from warroom.incidents import timeline
from warroom.notify.models import OutboxMessage

CONTENT = b"auth.log line\n" * 100


@pytest.fixture
def item(incident, upload, client, people):
    """EV-n with four custody events: registered, downloaded, transferred, note."""
    ref = upload(incident, CONTENT).json()["ref"]
    client.get(f"/api/v1/evidence/{ref}/content", params={"purpose": "triage"},
               headers=people.admin)
    client.post(f"/api/v1/evidence/{ref}/transfer", headers=people.admin,
                json={"to": "lab", "location": "locker", "purpose": "analysis"})
    client.post(f"/api/v1/evidence/{ref}/events", headers=people.admin,
                json={"purpose": "looked at headers", "action": "accessed"})
    return ref


def problems(database) -> tuple[list[str], list[str]]:
    with database.read() as session:
        mine = service.check_all(session)
        audit = [str(f) for f in audit_verify.verify(session).findings]
    return mine, audit


def test_an_intact_locker_verifies(item, database):
    assert problems(database) == ([], [])


def test_a_stored_file_changed_on_disk_is_named(item, database, store_dir):
    [path] = stored_files(store_dir)
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    path.write_bytes(CONTENT.replace(b"auth", b"AUTH"))
    mine, _ = problems(database)
    assert len(mine) == 1 and mine[0].startswith(f"{item}: the stored content now hashes to")


def test_an_edited_custody_row_is_named_by_both_verifiers(item, database):
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE evidence_custody SET purpose = 'nothing to see' "
                                "WHERE seq = 2"))
    mine, audit = problems(database)
    assert any(p.startswith(f"{item} custody event #2 (downloaded") and "edited" in p
               for p in mine), mine
    assert any(p.startswith(f"{item} custody event #2 (downloaded") for p in audit), audit


def test_a_deleted_custody_row_is_named_by_both_verifiers(item, database):
    with database.engine.begin() as connection:
        event_id = connection.execute(text("SELECT id FROM evidence_custody WHERE seq = 3")
                                      ).scalar()
        connection.execute(text("DELETE FROM evidence_custody WHERE seq = 3"))
    mine, audit = problems(database)
    assert any(p.startswith(f"{item} custody event #4") and "deleted or reordered" in p
               for p in mine), mine
    assert f"custody event id {event_id}: sealed in the audit chain but missing: deleted" \
        in audit


def test_reordered_custody_rows_are_named_by_both_verifiers(item, database):
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE evidence_custody SET seq = 99 WHERE seq = 2"))
        connection.execute(text("UPDATE evidence_custody SET seq = 2 WHERE seq = 3"))
        connection.execute(text("UPDATE evidence_custody SET seq = 3 WHERE seq = 99"))
    mine, audit = problems(database)
    assert any(p.startswith(f"{item} custody event #2 (transferred") for p in mine), mine
    assert any(p.startswith(f"{item} custody event #2 (transferred") and "reordered" in p
               for p in audit), audit


def test_destroy_needs_the_hold_off_and_a_second_person(item, work, store_dir, database):
    alice, bob = Actor(name="alice", role="admin"), Actor(name="bob", role="admin")
    with work(alice) as uow:
        service.hold(uow, service.get_for_update(uow, ref=item), on=True, purpose="litigation")
    with pytest.raises(Conflict, match="legal hold"), work(alice) as uow:
        service.request_destroy(uow, service.get_for_update(uow, ref=item), purpose="done")
    with work(alice) as uow:
        service.hold(uow, service.get_for_update(uow, ref=item), on=False, purpose="settled")
    with pytest.raises(Conflict, match="Nobody has asked"), work(bob) as uow:
        service.approve_destroy(uow, service.get_for_update(uow, ref=item), purpose="done")
    with work(alice) as uow:
        service.request_destroy(uow, service.get_for_update(uow, ref=item),
                                purpose="retention over")
    with pytest.raises(Conflict, match="another person must approve"), work(alice) as uow:
        service.approve_destroy(uow, service.get_for_update(uow, ref=item), purpose="done")
    assert len(stored_files(store_dir)) == 1
    with work(bob) as uow:
        service.approve_destroy(uow, service.get_for_update(uow, ref=item),
                                purpose="retention over")
    assert stored_files(store_dir) == []
    with database.read() as session:
        destroyed = service.get_or_raise(session, ref=item)
        assert destroyed.status == "destroyed"
    assert problems(database) == ([], [])


def test_the_worker_rehashes_sealed_items_when_due_and_pages_on_a_mismatch(
        item, incident, assign, work, worker, clock, database, store_dir):
    assign(incident, "documentation_lead", "responder")
    with work() as uow:
        service.seal(uow, service.get_for_update(uow, ref=item), purpose="collected")
    [path] = stored_files(store_dir)
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    path.write_bytes(b"swapped")

    def seen() -> tuple[list[str], list[str]]:
        with database.read() as session:
            evidence = timeline.get_all(session, incident_id=service.get_or_raise(
                session, ref=item).incident_id, kind="evidence")
            pages = session.scalars(select(OutboxMessage.recipient).where(
                OutboxMessage.kind == "evidence")).all()
        return [e.data["action"] for e in evidence], list(pages)

    worker.run_once()
    assert seen() == (["added", "transferred", "sealed"], [])
    clock.advance(timedelta(days=7, minutes=1))
    worker.run_once()
    actions, pages = seen()
    assert actions == ["added", "transferred", "sealed", "verify_failed"]
    assert pages and set(pages) == {"responder"}
    with database.read() as session:
        sealed = service.get_or_raise(session, ref=item)
        assert sealed.next_rehash_at > clock.now() + timedelta(days=6)
