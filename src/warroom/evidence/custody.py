"""The chain of custody: append-only events, each linked to the one before.

Each item's events form a hash chain of their own (``HMAC(key, prev_hash ||
canonical JSON)``, with a key derived from the instance secret), so one item's
record can be checked alone (:func:`verify_item`). Every event is also an
audit entry, and its hash is sealed into the audit chain (section
``custody``), so ``warroom audit verify`` names a custody row that was edited,
deleted or added outside warroom (:func:`check`).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import select

from warroom.audit import chain
from warroom.audit import service as audit
from warroom.audit.verify import Coverage, Finding
from warroom.evidence.models import CustodyEvent, EvidenceItem

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork

ACTIONS = ("collected", "registered", "accessed", "downloaded", "verified", "transferred",
           "copied", "exported", "sealed", "amended", "released", "returned", "destroyed",
           "note")
SECTION = "custody"
GENESIS = chain.GENESIS
_LABEL = b"warroom/evidence-custody/v1"
_FIELDS = ("item_id", "seq", "action", "actor", "counterparty", "purpose", "location",
           "address", "tz", "hash_observed", "before", "after")


@dataclass(frozen=True)
class Happening:
    """What an event says, before it is numbered and chained."""

    action: str
    purpose: str
    counterparty: str | None = None
    location: str | None = None
    tz: str = "UTC"
    hash_observed: str | None = None
    before: Any = None
    after: Any = None


def key() -> bytes:
    return chain.derive_key(_LABEL)


def event_hash(secret: bytes, prev_hash: str, fields: dict[str, Any]) -> str:
    body = {name: fields.get(name) for name in _FIELDS}
    at = fields["at"]
    body["at"] = at if isinstance(at, str) else chain.timestamp(at)
    return hmac.new(secret, prev_hash.encode() + chain.canonical_json(_plain(body)),
                    hashlib.sha256).hexdigest()


def append(uow: UnitOfWork, item: EvidenceItem, happening: Happening) -> CustodyEvent:
    """Add the next event to the item's chain, its audit entry and its cover."""
    if happening.action not in ACTIONS:
        raise ValueError(f"unknown custody action {happening.action!r}")
    fields: dict[str, Any] = {
        "item_id": item.id, "seq": item.custody_seq + 1, "action": happening.action,
        "actor": uow.actor.label, "counterparty": happening.counterparty,
        "purpose": happening.purpose, "location": happening.location,
        "address": uow.source_ip, "at": uow.now(), "tz": happening.tz,
        "hash_observed": happening.hash_observed, "before": _plain(happening.before),
        "after": _plain(happening.after)}
    digest = event_hash(key(), item.custody_head, fields)
    event = CustodyEvent(**fields, prev_hash=item.custody_head, hash=digest)
    uow.session.add(event)
    item.custody_seq, item.custody_head = fields["seq"], digest
    uow.session.flush()
    audit.record(uow, action=f"evidence.{happening.action}",
                 target=f"evidence:{item.ref}#{event.seq}",
                 before=happening.before,
                 after={"event": event.id, "purpose": happening.purpose,
                        "counterparty": happening.counterparty,
                        "hash_observed": happening.hash_observed, "hash": digest,
                        "after": fields["after"]})
    audit.cover(uow, SECTION, [[event.id, digest]])
    return event


def events(session: Session, item_id: int) -> list[CustodyEvent]:
    return list(session.scalars(select(CustodyEvent).where(CustodyEvent.item_id == item_id)
                                .order_by(CustodyEvent.seq, CustodyEvent.id)))


def name(event: CustodyEvent, ref: str) -> str:
    return f"{ref} custody event #{event.seq} ({event.action}, id {event.id})"


def verify_item(session: Session, item: EvidenceItem) -> list[str]:
    """What is wrong with one item's chain, naming each event; [] when intact."""
    return verify_chain(item.ref, item.custody_seq, item.custody_head,
                        [_fields_of(e) for e in events(session, item.id)], key())


def verify_chain(ref: str, head_seq: int, head_hash: str, rows: Iterable[dict[str, Any]],
                 secret: bytes | None) -> list[str]:
    """Check linked rows (as stored or as exported) against the item's head."""
    problems: list[str] = []
    prev, expected = GENESIS, 1
    for row in rows:
        label = f"{ref} custody event #{row['seq']} ({row['action']}, id {row['id']})"
        if row["seq"] != expected:
            problems.append(f"{label}: expected event #{expected} here; events were deleted "
                            "or reordered")
        if row["prev_hash"] != prev:
            problems.append(f"{label}: does not link to the event before it (deleted, "
                            "replaced or reordered)")
        if secret is not None and event_hash(secret, row["prev_hash"], row) != row["hash"]:
            problems.append(f"{label}: edited after it was written")
        prev, expected = row["hash"], row["seq"] + 1
    if expected - 1 != head_seq or prev != head_hash:
        problems.append(f"{ref}: the item records {head_seq} custody events ending in "
                        f"{head_hash[:12]}, but the log ends at #{expected - 1} "
                        f"({prev[:12]}): events after it were deleted")
    return problems


def verify_links(ref: str, head_seq: int, head_hash: str,
                 rows: Iterable[dict[str, Any]]) -> list[str]:
    """The part of :func:`verify_chain` anyone can check without the key:
    numbering, links and the head (an exported bundle, offline)."""
    return verify_chain(ref, head_seq, head_hash, rows, None)


def check(session: Session, coverage: Coverage) -> list[Finding]:
    """``warroom audit verify``: custody rows against the hashes the chain sealed."""
    sealed = coverage.section(SECTION)
    findings: list[Finding] = []
    secret = key()
    refs = {i: f"EV-{i}" for i in session.scalars(select(EvidenceItem.id))}
    seen: set[int] = set()
    for event in session.scalars(select(CustodyEvent).order_by(CustodyEvent.id)):
        seen.add(event.id)
        subject = name(event, refs.get(event.item_id, f"EV-{event.item_id}"))
        expected = sealed.get(event.id)
        if expected is None:
            findings.append(Finding(subject, "not in the audit chain: added outside warroom"))
        elif event_hash(secret, event.prev_hash, _fields_of(event)) != expected \
                or event.hash != expected:
            findings.append(Finding(subject, "differs from what the audit chain sealed: "
                                    "edited or reordered after it was written"))
    for event_id in sorted(set(sealed) - seen):
        findings.append(Finding(f"custody event id {event_id}",
                                "sealed in the audit chain but missing: deleted"))
    return findings


def as_dict(event: CustodyEvent) -> dict[str, Any]:
    out = _fields_of(event)
    out["at"] = chain.timestamp(event.at)
    return out


def _fields_of(event: CustodyEvent) -> dict[str, Any]:
    return {"id": event.id, "item_id": event.item_id, "seq": event.seq,
            "action": event.action, "actor": event.actor, "counterparty": event.counterparty,
            "purpose": event.purpose, "location": event.location, "address": event.address,
            "at": event.at, "tz": event.tz, "hash_observed": event.hash_observed,
            "before": event.before, "after": event.after, "prev_hash": event.prev_hash,
            "hash": event.hash}


def _plain(value: Any) -> Any:
    if value is None:
        return None
    return orjson.loads(orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS))
