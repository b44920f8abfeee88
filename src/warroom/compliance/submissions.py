"""Record each notification actually sent, with the exact content and its hash.

warroom does not file with authorities itself; the person who did records
what went where, when, and under which reference number. The content is kept
byte for byte with its SHA-256 by :func:`keep_content` and, when the breach
belongs to an incident, also registered in the evidence locker as an item
with its own chain of custody. A submission after its
deadline needs the reasons for the delay (GDPR Art. 33(1)). A drill's
submission is recorded as a rehearsal: nothing went to a real authority.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from warroom.audit import service as audit
from warroom.compliance import clocks, regimes
from warroom.compliance.models import Breach, BreachClock, StoredContent, Submission
from warroom.errors import Invalid, one_of
from warroom.evidence import service as evidence
from warroom.evidence.schemas import ItemIn
from warroom.incidents import service as incidents
from warroom.incidents import timeline

if TYPE_CHECKING:
    from warroom.db import UnitOfWork

CHANNELS = ("portal", "email", "letter", "phone", "other")
MAX_CONTENT = 20 * 1024 * 1024


@dataclass
class Sent:
    regime: str
    obligation: str
    recipient: str
    channel: str
    content: bytes
    filename: str = "submission.txt"
    media_type: str = "text/plain"
    reference: str | None = None
    reasons_for_delay: str | None = None


def submit(uow: UnitOfWork, *, breach: Breach, sent: Sent) -> Submission:
    """Record the submission, stop its clock and start the ones that count from it."""
    _check(breach, sent)
    now = uow.now()
    clock = uow.session.scalar(select(BreachClock).where(
        BreachClock.breach_id == breach.id, BreachClock.regime == sent.regime,
        BreachClock.kind == sent.obligation))
    due = clock.due_at if clock is not None and clock.state == "running" else None
    late = due is not None and now > due
    reasons = (sent.reasons_for_delay or "").strip() or None
    if late and reasons is None:
        raise Invalid(f"The {sent.regime} {sent.obligation} of {breach.ref} was due at "
                      f"{due:%Y-%m-%d %H:%M} UTC; a late submission needs the reasons for the "
                      "delay (reasons_for_delay).")
    stored = keep_content(uow, breach=breach, content=sent.content, filename=sent.filename,
                          media_type=sent.media_type)
    row = Submission(breach_id=breach.id, regime=sent.regime, obligation=sent.obligation,
                     recipient=sent.recipient.strip()[:300], channel=sent.channel,
                     submitted_at=now, submitted_by=uow.actor.label,
                     reference=(sent.reference or "").strip()[:200] or None, due_at=due,
                     late=late, reasons_for_delay=reasons, is_drill=breach.is_drill,
                     content_id=stored.id, content_sha256=stored.sha256)
    uow.session.add(row)
    if late and reasons:
        breach.reasons_for_delay = reasons
    uow.session.flush()
    item = _as_evidence(uow, breach=breach, row=row, sent=sent)
    record = {"id": row.id, "regime": row.regime, "obligation": row.obligation,
              "recipient": row.recipient, "channel": row.channel, "reference": row.reference,
              "due_at": due, "late": late, "reasons_for_delay": reasons,
              "content_sha256": row.content_sha256, "drill": row.is_drill,
              "evidence": item}
    audit.record(uow, action="breach.submitted", target=f"breach:{breach.ref}", after=record)
    if breach.incident_id is not None:
        drill = " (drill: a rehearsal, nothing was sent to an authority)" if row.is_drill else ""
        timeline.add(uow, incident_id=breach.incident_id, kind="breach",
                     summary=f"{breach.ref}: {row.regime} {row.obligation} submitted to "
                             f"{row.recipient}{' late' if late else ''}{drill}",
                     data={"action": "submitted", "ref": breach.ref, "regime": row.regime,
                           "obligation": row.obligation, "late": late,
                           "sha256": row.content_sha256, "evidence": item})
    clocks.refresh(uow, breach)
    return row


def keep_content(uow: UnitOfWork, *, breach: Breach, content: bytes, filename: str,
                 media_type: str) -> StoredContent:
    """Store the exact bytes sent with their SHA-256. The evidence locker will
    take this over: this function then adds an evidence item instead."""
    stored = StoredContent(breach_id=breach.id, filename=filename[:300] or "submission",
                           media_type=media_type[:100], content=content,
                           sha256=hashlib.sha256(content).hexdigest(), stored_at=uow.now())
    uow.session.add(stored)
    uow.session.flush()
    return stored


def _as_evidence(uow: UnitOfWork, *, breach: Breach, row: Submission, sent: Sent
                 ) -> str | None:
    """The submission's content as an evidence item of the breach's incident
    (its ref), or None for a breach standing alone (kept in the register only)."""
    if breach.incident_id is None:
        return None
    incident = incidents.get(uow.session, incident_id=breach.incident_id)
    if incident is None:
        return None
    meta = ItemIn(kind="file", title=f"{breach.ref}: {row.regime} {row.obligation} as sent "
                  f"to {row.recipient}"[:300],
                  description=f"Submission {row.id} of {breach.ref} over {row.channel}"
                              + (f", reference {row.reference}" if row.reference else "")
                              + (" (drill: a rehearsal)" if row.is_drill else "") + ".",
                  original_filename=sent.filename[:500], media_type=sent.media_type[:200],
                  tlp="red", personal_data=True, collected_by=uow.actor.label,
                  declared_hashes={"sha256": row.content_sha256})
    return evidence.register_content(uow, incident=incident, content=sent.content,
                                     meta=meta).ref


def content_of(uow: UnitOfWork, submission: Submission) -> StoredContent | None:
    return uow.session.get(StoredContent, submission.content_id)


def _check(breach: Breach, sent: Sent) -> None:
    if breach.state in ("suspected", "closed"):
        raise Invalid(f"{breach.ref} is {breach.state}; confirm it before recording a "
                      "submission.")
    if sent.regime not in breach.regimes:
        raise Invalid(one_of(sent.regime, breach.regimes, f"regime of {breach.ref}"))
    if sent.obligation not in regimes.KINDS:
        raise Invalid(one_of(sent.obligation, regimes.KINDS, "obligation"))
    if sent.channel not in CHANNELS:
        raise Invalid(one_of(sent.channel, CHANNELS, "channel"))
    if not sent.recipient.strip():
        raise Invalid("A submission needs its recipient (the authority or who was told).")
    if not sent.content:
        raise Invalid("A submission needs the exact content that was sent.")
    if len(sent.content) > MAX_CONTENT:
        raise Invalid(f"The content is larger than {MAX_CONTENT // (1024 * 1024)} MiB.")
