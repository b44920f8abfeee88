"""Record, list and verify the audit chain.

``hash = HMAC(key, prev_hash || canonical JSON of the entry)`` with a key
derived from the instance secret (see :mod:`warroom.audit.chain`). Entries are
collected during a unit of work and sealed into the chain just before commit,
so the chain head is locked only for the last moment of the transaction.
Sealing is plain SQL (read the head, one executemany of entries, move the
head): every alert delivery seals, and the ORM's identity map and flush
bookkeeping cost more there than the three statements themselves.

Other domains hand the seal the hashes of rows they wrote (:func:`cover`):
they go into the last entry of the unit of work, so editing or deleting those
rows outside warroom is caught by :func:`warroom.audit.verify.verify`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import func, insert, select, update

from warroom.audit import chain
from warroom.audit.models import AuditEntry, AuditHead

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork

GENESIS = chain.GENESIS
_PENDING = "audit.pending"
_COVERS = "audit.covers"
_CONTRIBUTORS = "audit.contributors"
_HEAD = AuditHead.__table__
_READ_HEAD = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1)
_READ_HEAD_LOCKED = _READ_HEAD.with_for_update()
_START_HEAD = insert(_HEAD)
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == 1)
_ADD_ENTRIES = insert(AuditEntry.__table__)
COVER_ACTION = "audit.cover"
"""The action of an entry written only to carry covers (a unit of work that
wrote timeline events but recorded no audit entry of its own)."""


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


def head(session: Session) -> dict[str, Any]:
    """The chain head as it stands (seq 0 and the genesis hash before the first
    entry), for exports that must say which state of the chain they match."""
    row = session.get(AuditHead, 1)
    return {"seq": row.seq, "hash": row.hash} if row else {"seq": 0, "hash": GENESIS}


def chain_length(session: Session) -> int:
    head = session.get(AuditHead, 1)
    return head.seq if head else 0


def cover(uow: UnitOfWork, section: str, items: list[list[Any]]) -> None:
    """Seal ``items`` (``[key, hash]`` pairs) into this unit of work's last entry."""
    if not items:
        return
    covers: dict[str, list[list[Any]]] = uow.memo(_COVERS, {})
    covers.setdefault(section, []).extend(items)
    uow.before_commit("audit.seal", _seal)


def before_seal(uow: UnitOfWork, key: str, contribute: Callable[[UnitOfWork], None]) -> None:
    """Run ``contribute`` once, first thing when the chain is sealed, so it can
    :func:`cover` rows in their final state (ids assigned, every change made)."""
    contributors: dict[str, Callable[[UnitOfWork], None]] = uow.memo(_CONTRIBUTORS, {})
    contributors.setdefault(key, contribute)
    uow.before_commit("audit.seal", _seal)


def _seal(uow: UnitOfWork) -> None:
    for contribute in list(uow.memo(_CONTRIBUTORS, {}).values()):
        contribute(uow)
    pending: list[dict[str, Any]] = uow.memo(_PENDING, [])
    covers: dict[str, list[list[Any]]] = uow.memo(_COVERS, {})
    if covers and not pending:
        record(uow, action=COVER_ACTION, target="covers:" + ",".join(sorted(covers)))
    if not pending:
        return
    # write what the transaction holds first, so the head is locked for no longer
    # than these three statements
    uow.session.flush()
    hasher = chain.Hasher()
    connection = uow.session.connection()
    head = connection.execute(_READ_HEAD if uow.is_sqlite else _READ_HEAD_LOCKED).first()
    seq, prev = (head.seq, head.hash) if head is not None else (0, GENESIS)
    entries = []
    last = len(pending) - 1
    for index, fields in enumerate(pending):
        seq += 1
        covered = (covers or None) if index == last else None
        sealed = hasher.hash(chain.KEYED, prev, chain.body(chain.KEYED, seq, fields, covered))
        entries.append({**fields, "seq": seq, "prev_hash": prev, "hash": sealed,
                        "version": chain.KEYED, "covers": covered})
        prev = sealed
    connection.execute(_ADD_ENTRIES, entries)
    if head is None:
        connection.execute(_START_HEAD, {"id": 1, "seq": seq, "hash": prev})
    else:
        connection.execute(_MOVE_HEAD, {"seq": seq, "hash": prev})
    pending.clear()
    uow.memo(_COVERS, {}).clear()


def _jsonable(value: Any) -> Any:
    """Round-trip through JSON so what is hashed is exactly what is stored."""
    if value is None:
        return None
    return orjson.loads(orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS))


def count_entries(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0
