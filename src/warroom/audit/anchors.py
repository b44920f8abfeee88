"""Anchors: signed copies of the chain head, kept outside the database.

A key that is not in the database stops an insider from re-hashing an edited
chain, but not from cutting entries off the end and moving the head back, or
from emptying both tables: what is left is a valid, shorter chain. So the
worker writes the head (seq, hash, and where the keyed entries start) at an
interval, signed with a key derived from the instance secret, to the log and
to an append-only file; ``warroom audit verify --anchors FILE`` then checks
that every anchored entry is still in the chain, unchanged, and that the
chain has not fallen below the last anchor.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson
import structlog
from sqlalchemy import func, select

from warroom.audit import chain
from warroom.audit.models import AuditEntry, AuditHead

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.orm import Session

    from warroom.audit.settings import AuditSettings
    from warroom.db import UnitOfWork

log = structlog.get_logger("warroom.audit")
_ANCHOR_LABEL = b"warroom/audit-anchor/v1"
_TAIL_BYTES = 4096


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    keyed_from: int | None
    at: datetime
    line: int = 0

    def signed(self) -> dict[str, Any]:
        record = {"seq": self.seq, "hash": self.hash, "keyed_from": self.keyed_from,
                  "at": chain.timestamp(self.at)}
        return {**record, "mac": _mac(record)}


@dataclass
class AnchorLog:
    """What an anchor file says, and the lines in it that cannot be trusted."""

    anchors: list[Anchor] = field(default_factory=list)
    bad_lines: list[tuple[int, str]] = field(default_factory=list)

    @property
    def by_seq(self) -> dict[int, list[Anchor]]:
        found: dict[int, list[Anchor]] = {}
        for anchor in self.anchors:
            found.setdefault(anchor.seq, []).append(anchor)
        return found

    @property
    def highest(self) -> Anchor | None:
        return max(self.anchors, key=lambda a: a.seq, default=None)

    @property
    def keyed_from(self) -> int | None:
        starts = [a.keyed_from for a in self.anchors if a.keyed_from is not None]
        return min(starts) if starts else None


def current(session: Session, now: datetime) -> Anchor | None:
    """The chain head as it stands, ready to sign; None before the first entry."""
    head = session.get(AuditHead, 1)
    if head is None or head.seq == 0:
        return None
    keyed_from = session.scalar(select(func.min(AuditEntry.seq))
                                .where(AuditEntry.version >= chain.KEYED))
    return Anchor(seq=head.seq, hash=head.hash, keyed_from=keyed_from, at=now)


def write(anchor: Anchor, path: Path) -> None:
    """Append the signed anchor to ``path`` (flushed to disk) and to the log."""
    record = anchor.signed()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as out:
        out.write(orjson.dumps(record) + b"\n")
        out.flush()
        os.fsync(out.fileno())
    log.info("audit chain anchored", **record)


def anchor_if_due(uow: UnitOfWork, settings: AuditSettings) -> datetime | None:
    """The worker cycle: anchor the head when the interval has passed since the
    file's last anchor; return when the next one is due."""
    if settings.audit_anchor_seconds <= 0:
        return None
    interval = timedelta(seconds=settings.audit_anchor_seconds)
    now = uow.now()
    last = last_anchor(settings.anchor_path)
    if last is not None and last.at + interval > now:
        return last.at + interval
    anchor = current(uow.session, now)
    if anchor is not None:
        write(anchor, settings.anchor_path)
    return now + interval


def read(path: Path) -> AnchorLog:
    """Every anchor in the file, checking each line's signature."""
    result = AnchorLog()
    with path.open("rb") as source:
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            anchor, problem = _parse(line, number)
            if anchor is None:
                result.bad_lines.append((number, problem))
            else:
                result.anchors.append(anchor)
    return result


def last_anchor(path: Path) -> Anchor | None:
    """The file's last well-signed anchor, reading only its tail."""
    if not path.exists():
        return None
    with path.open("rb") as source:
        source.seek(0, os.SEEK_END)
        source.seek(max(0, source.tell() - _TAIL_BYTES))
        lines = source.read().splitlines()
    for line in reversed(lines):
        anchor, _ = _parse(line, 0)
        if anchor is not None:
            return anchor
    return None


def _parse(line: bytes, number: int) -> tuple[Anchor | None, str]:
    try:
        record = orjson.loads(line)
        claimed = record.pop("mac")
        anchor = Anchor(seq=int(record["seq"]), hash=str(record["hash"]),
                        keyed_from=record["keyed_from"],
                        at=datetime.fromisoformat(record["at"]), line=number)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None, "is not an anchor record"
    if not isinstance(claimed, str) or not hmac.compare_digest(claimed, _mac(record)):
        return None, "is not signed with this instance's key (forged or altered)"
    return anchor, ""


def _mac(record: dict[str, Any]) -> str:
    key = chain.derive_key(_ANCHOR_LABEL)
    return hmac.new(key, chain.canonical_json(record), "sha256").hexdigest()
