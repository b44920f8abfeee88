"""An insider with write access to the database, but not the instance secret
nor the anchor file, tampers with the tables directly; ``verify`` names what
happened."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import TYPE_CHECKING

import orjson
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from warroom import config
from warroom.audit import anchors
from warroom.audit import verify as audit
from warroom.audit.settings import AuditSettings
from warroom.cli import app as cli_app
from warroom.incidents import service as incidents
from warroom.incidents import timeline

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def no_playbooks(tmp_path, monkeypatch):
    """Incidents without playbooks: one audit entry and one timeline event per
    declaration, so the tests can name entries and events by number."""
    empty = tmp_path / "no-playbooks"
    empty.mkdir()
    monkeypatch.setenv("WARROOM_PLAYBOOKS_DIR", str(empty))
    config.reset()


def declare(work, count: int = 5) -> None:
    for n in range(count):
        with work() as uow:
            incidents.declare(uow, declaration=incidents.Declaration(
                type="service_outage", severity="low", title=f"incident {n}"))


def verify(database, anchor_file: Path | None = None):
    with database.read() as session:
        return audit.verify(session, anchors=anchors.read(anchor_file) if anchor_file else None)


def tamper(database, sql: str, **params) -> None:
    with database.engine.begin() as conn:
        conn.execute(text(sql), params)


def rows(database, sql: str) -> list:
    with database.engine.connect() as conn:
        return list(conn.execute(text(sql)))


def anchor_now(database, clock, path: Path) -> None:
    with database.read() as session:
        anchors.write(anchors.current(session, clock.now()), path)


def problems(result) -> list[str]:
    return [str(finding) for finding in result.findings]


def old_hash(prev: str, body: dict) -> str:
    """The un-keyed formula of the chain before it was keyed."""
    return hashlib.sha256(prev.encode() + orjson.dumps(
        body, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)).hexdigest()


def rehash_without_key(database, *, version: int, start: int = 1) -> None:
    """What an insider who read the old code does after editing: recompute
    the hashes from entry ``start`` on with sha256, and move the head."""
    entries = rows(database, "SELECT seq, at, actor, action, target, before, after, "
                   f"source_ip FROM audit_entries WHERE seq >= {start} ORDER BY seq")
    before = rows(database, f"SELECT hash FROM audit_entries WHERE seq = {start - 1}")
    prev = before[0].hash if before else "0" * 64
    for e in entries:
        at = e.at if isinstance(e.at, str) else \
            e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        body = {"seq": e.seq, "at": at.replace(" ", "T") + "Z", "actor": e.actor,
                "action": e.action, "target": e.target, "before": _json(e.before),
                "after": _json(e.after), "source_ip": e.source_ip}
        new = old_hash(prev, body)
        tamper(database, "UPDATE audit_entries SET prev_hash = :p, hash = :h, version = :v, "
               "covers = NULL WHERE seq = :s", p=prev, h=new, v=version, s=e.seq)
        prev = new
    tamper(database, "UPDATE audit_head SET seq = :s, hash = :h", s=entries[-1].seq, h=prev)


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def test_untouched_history_verifies_with_its_anchors(database, work, clock, tmp_path):
    declare(work)
    anchor_now(database, clock, tmp_path / "anchors.jsonl")
    result = verify(database, tmp_path / "anchors.jsonl")
    assert result.ok, result.message
    assert result.message == "audit chain intact: 5 entries verified"


def test_an_edited_and_rehashed_chain_is_caught(database, work):
    declare(work)
    tamper(database, "UPDATE audit_entries SET actor = 'someone-else' WHERE seq = 3")
    rehash_without_key(database, version=2)
    result = verify(database)
    assert (result.ok, result.first_bad_seq) == (False, 1)
    assert result.problem == "the entry was edited after it was written"


def test_an_entry_rehashed_in_the_old_format_after_keyed_ones_is_caught(database, work):
    declare(work, 3)
    tamper(database, "UPDATE audit_entries SET actor = 'someone-else' WHERE seq = 2")
    rehash_without_key(database, version=1, start=2)
    result = verify(database)
    assert (result.ok, result.first_bad_seq) == (False, 2)
    assert result.problem == ("the entry claims the old un-keyed format where keyed entries "
                              "were written: the chain was re-hashed without the key")


def test_a_chain_rewritten_entirely_in_the_old_format_is_caught_by_its_anchors(
        database, work, clock, tmp_path):
    declare(work, 3)
    anchor_now(database, clock, tmp_path / "anchors.jsonl")
    rehash_without_key(database, version=1)
    result = verify(database, tmp_path / "anchors.jsonl")
    assert not result.ok
    assert result.first_bad_seq == 1
    assert "old un-keyed format" in result.problem
    assert "entry 3: differs from its anchor" in "\n".join(problems(result))


def test_a_cut_tail_with_the_head_moved_back_is_caught(database, work, clock, tmp_path):
    declare(work)
    anchor_now(database, clock, tmp_path / "anchors.jsonl")
    (kept,) = rows(database, "SELECT hash FROM audit_entries WHERE seq = 3")
    tamper(database, "DELETE FROM audit_entries WHERE seq > 3")
    tamper(database, "UPDATE audit_head SET seq = 3, hash = :h", h=kept.hash)

    without_anchors = verify(database)
    assert not without_anchors.ok and without_anchors.first_bad_seq is None
    assert "timeline event 4 (INC-4): is not in the audit chain" in \
        "\n".join(problems(without_anchors))

    result = verify(database, tmp_path / "anchors.jsonl")
    assert result.first_bad_seq == 4
    assert result.problem.startswith("the chain ends at entry 3 but entry 5 was anchored on ")
    assert result.problem.endswith("entries 4 to 5 were deleted and the head moved back")


@pytest.mark.parametrize("head", ["delete", "reset"])
def test_wiped_audit_tables_are_caught(database, work, clock, tmp_path, head):
    declare(work)
    anchor_now(database, clock, tmp_path / "anchors.jsonl")
    tamper(database, "DELETE FROM audit_entries")
    tamper(database, "DELETE FROM audit_head" if head == "delete"
           else "UPDATE audit_head SET seq = 0, hash = :h", h="0" * 64)

    result = verify(database)
    assert not result.ok
    assert "audit chain: is empty but 5 timeline events exist: the audit tables were wiped" \
        in problems(result)
    if head == "delete":
        assert result.problem == "the chain head row was deleted"

    anchored = verify(database, tmp_path / "anchors.jsonl")
    assert anchored.first_bad_seq == 1
    if head == "reset":
        assert anchored.problem.startswith("the chain is empty but entry 5 was anchored")


def test_an_edited_timeline_event_is_named(database, work):
    declare(work, 3)
    tamper(database, "UPDATE timeline_events SET summary = 'nothing happened' WHERE id = 2")
    result = verify(database)
    assert not result.ok and result.first_bad_seq is None
    assert problems(result) == ["timeline event 2 (INC-2): was edited after it was written"]
    assert "timeline event 2 (INC-2): was edited" in result.message


def test_deleted_and_added_timeline_events_are_named(database, work):
    declare(work, 3)
    tamper(database, "DELETE FROM timeline_events WHERE id = 2")
    tamper(database, "INSERT INTO timeline_events (incident_id, at, kind, actor, summary) "
           "SELECT incident_id, at, 'note', 'admin', 'forged' FROM timeline_events WHERE id = 3")
    assert problems(verify(database)) == [
        "timeline event 4 (INC-3): is not in the audit chain: it was added outside warroom, "
        "or the entry that covered it was deleted",
        "timeline event 2: was deleted"]


def test_events_written_in_bulk_and_by_the_service_are_covered(database, work):
    declare(work, 1)
    with work() as uow:
        incident = incidents.get_by_ref(uow.session, ref="INC-1")
        incidents.add_note(uow, incident=incident, text="looking")
        timeline.add_all(uow, [{"incident_id": 1, "kind": "alert", "summary": f"alert {n}",
                                "data": {"labels": {"n": str(n)}, "at": clock_value(uow)}}
                               for n in range(3)])
        timeline.add(uow, incident_id=1, kind="page", summary="paged", data={"to": [1, 2]})
    assert verify(database).ok
    (alert,) = rows(database, "SELECT id FROM timeline_events WHERE summary = 'alert 1'")
    tamper(database, "UPDATE timeline_events SET data = :d WHERE id = :i",
           d='{"labels": {"n": "9"}}', i=alert.id)
    assert problems(verify(database)) == [
        f"timeline event {alert.id} (INC-1): was edited after it was written"]


def clock_value(uow):
    return uow.now()


def test_an_incident_changed_outside_the_service_is_named(database, work):
    declare(work, 2)
    with work() as uow:
        incident = incidents.get_by_ref(uow.session, ref="INC-1")
        incidents.change_severity(uow, incident=incident, severity="high")
    assert verify(database).ok
    tamper(database, "UPDATE incidents SET severity = 'sev4' WHERE id = 1")
    tamper(database, "UPDATE incidents SET title = 'nothing to see' WHERE id = 2")
    assert problems(verify(database)) == [
        "incident INC-1: its row was changed outside warroom (it differs from its last "
        "audited state)",
        "incident INC-2: its row was changed outside warroom (it differs from its last "
        "audited state)"]


def test_an_incident_added_outside_the_service_is_named(database, work):
    declare(work, 1)
    tamper(database, "INSERT INTO incidents (title, description, type, severity, phase, "
           "services, labels, is_drill, personal_data_breach, declared_in_error, source, "
           "created_by, started_at, detected_at, declared_at, updated_at) SELECT 'forged', "
           "description, type, severity, phase, services, labels, is_drill, "
           "personal_data_breach, declared_in_error, source, created_by, started_at, "
           "detected_at, declared_at, updated_at FROM incidents WHERE id = 1")
    assert problems(verify(database)) == [
        "incident INC-2: is not in the audit chain: it was added outside warroom"]


def test_an_old_unkeyed_chain_still_verifies_and_new_entries_are_keyed(database, work):
    declare(work, 2)
    rehash_without_key(database, version=1)  # what an install before the switchover holds
    tamper(database, "UPDATE audit_head SET seq = 2")
    declare(work, 2)
    result = verify(database)
    assert result.ok, result.message
    versions = [r.version for r in rows(database, "SELECT version FROM audit_entries "
                                        "ORDER BY seq")]
    assert versions == [1, 1, 2, 2]


def test_a_forged_anchor_line_is_named(database, work, clock, tmp_path):
    declare(work, 2)
    path = tmp_path / "anchors.jsonl"
    anchor_now(database, clock, path)
    record = json.loads(path.read_text())
    path.write_text(path.read_text() + json.dumps({**record, "seq": 1}) + "\n")
    result = verify(database, path)
    assert not result.ok
    assert problems(result) == ["anchor file line 2: is not signed with this instance's key "
                                "(forged or altered)"]


def test_the_worker_anchors_the_head_at_its_interval(database, work, clock, settings,
                                                     monkeypatch):
    monkeypatch.setenv("WARROOM_AUDIT_ANCHOR_SECONDS", "60")
    path = AuditSettings().anchor_path
    declare(work, 1)
    assert path.parent == settings.data_dir
    with work() as uow:
        due = anchors.anchor_if_due(uow, AuditSettings())
    assert [json.loads(line)["seq"] for line in path.read_text().splitlines()] == [1]
    declare(work, 1)
    clock.advance(seconds=30)
    with work() as uow:
        assert anchors.anchor_if_due(uow, AuditSettings()) == due
    clock.advance(seconds=30)
    with work() as uow:
        anchors.anchor_if_due(uow, AuditSettings())
    assert [json.loads(line)["seq"] for line in path.read_text().splitlines()] == [1, 2]
    assert verify(database, path).ok


def test_cli_verify_with_anchors_names_the_cut(database, work, clock, tmp_path):
    declare(work, 3)
    path = tmp_path / "anchors.jsonl"
    anchor_now(database, clock, path)
    runner = CliRunner()
    ok = runner.invoke(cli_app, ["audit", "verify", "--anchors", str(path)])
    assert ok.exit_code == 0, ok.output
    tamper(database, "DELETE FROM audit_entries WHERE seq = 3")
    (kept,) = rows(database, "SELECT hash FROM audit_entries WHERE seq = 2")
    tamper(database, "UPDATE audit_head SET seq = 2, hash = :h", h=kept.hash)
    broken = runner.invoke(cli_app, ["audit", "verify", "--anchors", str(path)])
    assert broken.exit_code == 1
    assert "broken at entry 3: the chain ends at entry 2 but entry 3 was anchored" \
        in broken.output
    assert "timeline event 3 (INC-3): is not in the audit chain" in broken.output
