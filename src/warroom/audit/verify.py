"""Verify the audit chain, its anchors and the rows it covers.

The walk checks each entry's link and hash (keyed or, for entries from before
the switchover, plain), collects what the entries cover, and compares the
chain with the anchors it is given. Domains that hand the seal the hashes of
their rows (:func:`warroom.audit.service.cover`) register a check here that
compares their tables with what the chain says (:data:`checks`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from warroom.audit import chain
from warroom.audit.anchors import AnchorLog
from warroom.audit.models import AuditEntry, AuditHead
from warroom.hooks import Hook

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session

MAX_FINDINGS = 100


@dataclass(frozen=True)
class Finding:
    """One thing that is wrong, naming the row: ``timeline event 7 (INC-2)``."""

    subject: str
    problem: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.problem}"


@dataclass
class Coverage:
    """What the chain says other tables hold: per section, key -> hash (the
    latest entry wins), and whether the chain had any entry at all."""

    entries: int = 0
    sections: dict[str, dict[Any, Any]] = field(default_factory=dict)

    def add(self, covers: dict[str, list[list[Any]]]) -> None:
        for section, items in covers.items():
            known = self.sections.setdefault(section, {})
            for key, value in items:
                known[key] = value

    def section(self, name: str) -> dict[Any, Any]:
        return self.sections.get(name, {})


def _check(session: Session, coverage: Coverage) -> list[Finding]:
    """Compare this domain's rows with what the chain says they were."""
    return []


checks = Hook("audit.verify", _check, "More rows the audit chain covers, checked by "
              "their own domain (the timeline, the incidents).")


@dataclass
class Verification:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None
    findings: list[Finding] = field(default_factory=list)
    more: int = 0
    """Findings left out of :attr:`findings` (there were more than MAX_FINDINGS)."""

    @property
    def message(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.checked} entries verified"
        if self.first_bad_seq is not None:
            lines = [f"audit chain broken at entry {self.first_bad_seq}: {self.problem}"]
        else:
            lines = [f"audit chain intact ({self.checked} entries), but:"]
        lines += [f"- {finding}" for finding in self.findings]
        if self.more:
            lines.append(f"- and {self.more} more")
        return "\n".join(lines)


def verify(session: Session, *, anchors: AnchorLog | None = None,
           batch: int = 5000) -> Verification:
    """Walk the chain in order, name the first entry that was edited, deleted
    or reordered, then every anchor and covered row that disagrees with it."""
    walk = _Walk(session, anchors or AnchorLog())
    for entry in _entries(session, batch):
        walk.step(entry)
    walk.finish()
    findings = walk.findings
    for found in checks.collect(session, walk.coverage):
        findings += found
    ok = walk.broken is None and not findings
    first_bad, problem = walk.broken or (None, None)
    return Verification(ok, walk.checked, first_bad, problem, findings[:MAX_FINDINGS],
                        max(0, len(findings) - MAX_FINDINGS))


def _entries(session: Session, batch: int) -> Iterator[AuditEntry]:
    last_seq = 0
    while True:
        rows = list(session.scalars(select(AuditEntry).where(AuditEntry.seq > last_seq)
                                    .order_by(AuditEntry.seq).limit(batch)))
        yield from rows
        if len(rows) < batch:
            return
        last_seq = rows[-1].seq
        session.expunge_all()


class _Walk:
    def __init__(self, session: Session, anchors: AnchorLog) -> None:
        self.session = session
        self.anchors = anchors
        self.anchored = anchors.by_seq
        self.hasher = chain.Hasher()
        self.expected_seq, self.prev = 1, chain.GENESIS
        self.checked = 0
        self.keyed_seen = False
        self.broken: tuple[int, str] | None = None
        self.coverage = Coverage()
        self.findings = [Finding(f"anchor file line {number}", problem)
                         for number, problem in anchors.bad_lines]

    def step(self, entry: AuditEntry) -> None:
        self.coverage.entries += 1
        if entry.covers and entry.version >= chain.KEYED:
            self.coverage.add(entry.covers)
        for anchor in self.anchored.get(entry.seq, ()):
            if anchor.hash != entry.hash:
                self.findings.append(Finding(
                    f"entry {entry.seq}", f"differs from its anchor of {_when(anchor.at)} "
                    f"(anchor file line {anchor.line}): the chain was rewritten from here"))
        if self.broken is not None:
            return
        problem = self._check(entry)
        if problem:
            self.broken = (self.expected_seq, problem)
            return
        self.keyed_seen = self.keyed_seen or entry.version >= chain.KEYED
        self.prev = entry.hash
        self.expected_seq += 1
        self.checked += 1

    def finish(self) -> None:
        if self.broken is not None:
            return
        head = self.session.get(AuditHead, 1)
        if head is None:
            self.broken = (self.checked + 1, "the chain head row was deleted")
        elif head.seq != self.checked or head.hash != self.prev:
            self.broken = (self.checked + 1,
                           f"the chain head records {head.seq} entries but {self.checked} "
                           "remain: entries after the last one were deleted")
        else:
            self._check_highest_anchor()

    def _check_highest_anchor(self) -> None:
        highest = self.anchors.highest
        if highest is None or highest.seq <= self.checked:
            return
        when = _when(highest.at)
        if self.checked == 0:
            problem = (f"the chain is empty but entry {highest.seq} was anchored on {when}: "
                       "the audit tables were wiped")
        else:
            problem = (f"the chain ends at entry {self.checked} but entry {highest.seq} was "
                       f"anchored on {when}: entries {self.checked + 1} to {highest.seq} "
                       "were deleted and the head moved back")
        self.broken = (self.checked + 1, problem)

    def _check(self, entry: AuditEntry) -> str | None:
        seq = self.expected_seq
        if entry.seq > seq:
            return f"entry {seq} is missing (deleted)"
        if entry.prev_hash != self.prev:
            linked = self.session.scalar(select(AuditEntry.seq)
                                         .where(AuditEntry.hash == entry.prev_hash).limit(1))
            if linked is not None:
                return "entries were reordered"
            return "the entry before it was deleted or replaced"
        return self._check_format(entry) or self._check_hash(entry)

    def _check_format(self, entry: AuditEntry) -> str | None:
        """An old-format entry is only believable before the first keyed one:
        otherwise someone re-hashed the chain without the key."""
        if entry.version not in (chain.LEGACY, chain.KEYED):
            return f"the entry claims an unknown format (version {entry.version})"
        if entry.version != chain.LEGACY:
            return None
        keyed_from = self.anchors.keyed_from
        if self.keyed_seen or entry.covers is not None or (
                keyed_from is not None and entry.seq >= keyed_from):
            return ("the entry claims the old un-keyed format where keyed entries were "
                    "written: the chain was re-hashed without the key")
        return None

    def _check_hash(self, entry: AuditEntry) -> str | None:
        fields = {"at": entry.at, "actor": entry.actor, "action": entry.action,
                  "target": entry.target, "before": entry.before, "after": entry.after,
                  "source_ip": entry.source_ip}
        body = chain.body(entry.version, entry.seq, fields, entry.covers)
        if self.hasher.hash(entry.version, entry.prev_hash, body) != entry.hash:
            return "the entry was edited after it was written"
        return None


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
