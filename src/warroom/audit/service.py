"""Record, list and verify the audit chain.

``hash = sha256(prev_hash || canonical JSON of the entry)``. Entries are
collected during a unit of work and sealed into the chain just before commit,
so the chain head is locked only for the last moment of the transaction.
Sealing is plain SQL (read the head, one executemany of entries, move the
head): every alert delivery seals, and the ORM's identity map and flush
bookkeeping cost more there than the three statements themselves.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from warroom.audit.models import AuditEntry, AuditHead
from warroom.db import UnitOfWork

GENESIS = "0" * 64
_PENDING = "audit.pending"
_HEAD = AuditHead.__table__
_READ_HEAD = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1)
_READ_HEAD_LOCKED = _READ_HEAD.with_for_update()
_START_HEAD = insert(_HEAD)
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == 1)
_ADD_ENTRIES = insert(AuditEntry.__table__)


def record(uow: UnitOfWork, *, action: str, target: str, before: Any = None,
           after: Any = None) -> None:
    """Queue an audit entry for this unit of work; it is chained at commit."""
    pending: list[dict[str, Any]] = uow.memo(_PENDING, [])
    pending.append({
        "at": uow.now(),
        "actor": uow.actor.label,
        "action": action,
        "target": target,
        "before": _jsonable(before),
        "after": _jsonable(after),
        "source_ip": uow.source_ip,
    })
    uow.before_commit("audit.seal", _seal)


def get_all(session: Session, *, target: str | None = None, action: str | None = None,
            limit: int = 100, after_seq: int = 0) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.seq > after_seq)
    if target:
        query = query.where(AuditEntry.target == target)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(session.scalars(query.order_by(AuditEntry.seq).limit(limit)))


def chain_length(session: Session) -> int:
    head = session.get(AuditHead, 1)
    return head.seq if head else 0


@dataclass
class Verification:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None

    @property
    def message(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.checked} entries verified"
        return f"audit chain broken at entry {self.first_bad_seq}: {self.problem}"


def verify(session: Session, *, batch: int = 5000) -> Verification:
    """Walk the chain in order and name the first entry that was edited,
    deleted or reordered."""
    expected_seq, expected_prev = 1, GENESIS
    checked = 0
    last_seq = 0
    while True:
        rows = list(session.scalars(select(AuditEntry).where(AuditEntry.seq > last_seq)
                                    .order_by(AuditEntry.seq).limit(batch)))
        if not rows:
            break
        for entry in rows:
            problem = _check(session, entry, expected_seq, expected_prev)
            if problem:
                return Verification(False, checked, expected_seq, problem)
            expected_prev = entry.hash
            expected_seq += 1
            checked += 1
        last_seq = rows[-1].seq
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != expected_prev:
        return Verification(False, checked, checked + 1,
                            f"the chain head records {head_seq} entries but {checked} remain: "
                            "entries after the last one were deleted")
    return Verification(True, checked)


def entry_hash(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical_json(body)).hexdigest()


def canonical_json(body: dict[str, Any]) -> bytes:
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def _body(entry: AuditEntry) -> dict[str, Any]:
    return _canonical_fields(entry.seq, {
        "at": entry.at, "actor": entry.actor, "action": entry.action, "target": entry.target,
        "before": entry.before, "after": entry.after, "source_ip": entry.source_ip})


def _canonical_fields(seq: int, fields: dict[str, Any]) -> dict[str, Any]:
    """What is hashed: the entry's fields, its number, its time as UTC text."""
    return {"seq": seq, **fields, "at": _timestamp(fields["at"])}


def _check(session: Session, entry: AuditEntry, seq: int, prev: str) -> str | None:
    if entry.seq > seq:
        return f"entry {seq} is missing (deleted)"
    if entry.prev_hash != prev:
        linked = session.scalar(select(AuditEntry.seq).where(AuditEntry.hash == entry.prev_hash)
                                .limit(1))
        if linked is not None:
            return "entries were reordered"
        return "the entry before it was deleted or replaced"
    if entry_hash(entry.prev_hash, _body(entry)) != entry.hash:
        return "the entry was edited after it was written"
    return None


def _seal(uow: UnitOfWork) -> None:
    pending: list[dict[str, Any]] = uow.memo(_PENDING, [])
    if not pending:
        return
    # write what the transaction holds first, so the head is locked for no longer
    # than these three statements
    uow.session.flush()
    connection = uow.session.connection()
    head = connection.execute(_READ_HEAD if uow.is_sqlite else _READ_HEAD_LOCKED).first()
    seq, prev = (head.seq, head.hash) if head is not None else (0, GENESIS)
    entries = []
    for fields in pending:
        seq += 1
        sealed = entry_hash(prev, _canonical_fields(seq, fields))
        entries.append({**fields, "seq": seq, "prev_hash": prev, "hash": sealed})
        prev = sealed
    connection.execute(_ADD_ENTRIES, entries)
    if head is None:
        connection.execute(_START_HEAD, {"id": 1, "seq": seq, "hash": prev})
    else:
        connection.execute(_MOVE_HEAD, {"seq": seq, "hash": prev})
    pending.clear()


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _jsonable(value: Any) -> Any:
    """Round-trip through JSON so what is hashed is exactly what is stored."""
    if value is None:
        return None
    return orjson.loads(orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS))


def count_entries(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0
