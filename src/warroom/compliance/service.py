"""Open, assess and move breach records through their states.

Every change writes an audit entry with the record before and after, and,
when the breach belongs to an incident, a ``breach`` timeline event. Clocks
follow every change (:func:`warroom.compliance.clocks.refresh`), and the
DPO is told when a breach is confirmed (:mod:`warroom.compliance.notices`).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text

from warroom.audit import service as audit
from warroom.compliance import clocks, notices, playbook_steps, regimes
from warroom.compliance import settings as compliance_settings
from warroom.compliance import submissions as submitting
from warroom.compliance.models import Breach, Submission
from warroom.errors import Conflict, Invalid, NotFound, one_of
from warroom.incidents import service as incidents
from warroom.incidents import timeline

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident

REF = re.compile(r"^BR-(\d{4})-(\d{1,9})$", re.IGNORECASE)
STATES = ("suspected", "confirmed", "assessed", "notified", "not_notifiable",
          "subjects_notified", "subjects_not_required", "public_communication", "closed")
NEXT: dict[str, tuple[str, ...]] = {
    "suspected": ("confirmed", "closed"),
    "confirmed": ("assessed",),
    "assessed": ("notified", "not_notifiable"),
    "notified": ("subjects_notified", "subjects_not_required", "public_communication",
                 "closed"),
    "not_notifiable": ("subjects_not_required", "closed"),
    "subjects_notified": ("closed",),
    "subjects_not_required": ("closed",),
    "public_communication": ("closed",),
    "closed": (),
}
"""The legal moves (suspected -> closed: it was not a personal data breach)."""
ROLES = ("controller", "processor")
NATURES = ("confidentiality", "integrity", "availability")
ART34 = ("a", "b", "c")
EDITABLE = ("title", "role", "other_party", "other_party_notified_at", "aware_at",
            "awareness_basis", "decided_by", "classified_at", "nature", "subject_categories",
            "subjects_min", "subjects_max", "data_categories", "special_categories",
            "records_min", "records_max", "likely_consequences", "measures_taken",
            "measures_proposed", "risk", "risk_rationale", "lead_authority",
            "competent_authority", "cross_border", "art34_exception", "art34_rationale",
            "reasons_for_delay", "regimes")
FUTURE_SLACK = timedelta(minutes=5)
RATIONALE_NEEDED = ("Not notifying {ref} needs the rationale for the risk assessment (it is "
                    "what the authority will ask for).")
"""The refusal of a move to not_notifiable without a rationale (the console
shows it beside the rationale field before anyone tries)."""


def get(session: Session, *, breach_id: int) -> Breach | None:
    return session.get(Breach, breach_id)


def get_by_ref(session: Session, *, ref: str) -> Breach | None:
    match = REF.match(str(ref).strip())
    if match is None:
        return None
    return session.scalar(select(Breach).where(Breach.year == int(match.group(1)),
                                               Breach.number == int(match.group(2))))


def get_by_ref_or_raise(session: Session, *, ref: str) -> Breach:
    breach = get_by_ref(session, ref=ref)
    if breach is None:
        raise NotFound(f"There is no breach record {ref!r}; breach ids look like BR-2026-3.")
    return breach


def get_all(session: Session, *, year: int | None = None, incident_id: int | None = None,
            state: str | None = None) -> list[Breach]:
    query = select(Breach)
    if year is not None:
        query = query.where(Breach.year == year)
    if incident_id is not None:
        query = query.where(Breach.incident_id == incident_id)
    if state:
        query = query.where(Breach.state == state)
    return list(session.scalars(query.order_by(Breach.year, Breach.number)))


def for_incident(session: Session, *, incident_id: int) -> list[Breach]:
    return get_all(session, incident_id=incident_id)


def submissions(session: Session, *, breach: Breach) -> list[Submission]:
    return list(session.scalars(select(Submission).where(Submission.breach_id == breach.id)
                                .order_by(Submission.id)))


def open_breach(uow: UnitOfWork, *, title: str | None = None, incident: Incident | None = None,
                facts: dict[str, Any] | None = None, source: str = "manual",
                is_drill: bool = False) -> Breach:
    """A new register entry, suspected (or confirmed at once when ``aware_at``
    is given with its basis)."""
    facts = dict(facts or {})
    now = uow.now()
    year = now.year
    number = _next_number(uow, year)
    name = (title or (incident.title if incident else "") or "").strip()
    if not name:
        raise Invalid("A breach record standing alone needs a title.")
    breach = Breach(year=year, number=number, incident_id=incident.id if incident else None,
                    title=name[:300], state="suspected",
                    is_drill=bool(incident.is_drill if incident else is_drill), source=source,
                    regimes=list(compliance_settings.get().compliance_default_regimes),
                    role="controller", nature=[], subject_categories=[], data_categories=[],
                    special_categories=[], cross_border=False, opened_at=now,
                    opened_by=uow.actor.label, updated_at=now)
    confirm = facts.get("aware_at") is not None
    _apply(uow, breach, facts)
    uow.session.add(breach)
    uow.session.flush()
    _record(uow, breach, "opened", before=None,
            summary=f"Breach record {breach.ref} opened ({breach.state})")
    if confirm:
        transition(uow, breach=breach, to="confirmed")
    return breach


NUMBER_LOCK = 0x42520000
"""PostgreSQL advisory lock key (plus the year) serialising breach numbers."""


def _next_number(uow: UnitOfWork, year: int) -> int:
    """The year's next number. Two breaches opened at once on PostgreSQL would
    both read the same max and the second would fail on the unique
    constraint; a transaction-scoped advisory lock per year makes the second
    wait until the first commits, and its read (READ COMMITTED, a fresh
    snapshot per statement) then sees the first number. SQLite has one
    writer at a time already."""
    if not uow.is_sqlite:
        uow.session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                            {"key": NUMBER_LOCK + year})
    return (uow.session.scalar(select(func.max(Breach.number)).where(Breach.year == year))
            or 0) + 1


def assess(uow: UnitOfWork, *, breach: Breach, facts: dict[str, Any]) -> Breach:
    """Record what is known; a confirmed breach with its risk set is assessed."""
    _refuse_closed(breach)
    before = snapshot(breach)
    changed = _apply(uow, breach, facts)
    if changed:
        breach.updated_at = uow.now()
        _record(uow, breach, "assessed" if "risk" in changed else "updated", before=before,
                summary=f"{breach.ref}: recorded {', '.join(sorted(changed))}")
    if breach.state == "confirmed" and breach.risk is not None:
        transition(uow, breach=breach, to="assessed")
    else:
        clocks.refresh(uow, breach)
    return breach


def transition(uow: UnitOfWork, *, breach: Breach, to: str,
               facts: dict[str, Any] | None = None) -> Breach:
    """Move the record on; refused with the legal moves named, or naming what
    the move needs (a rationale for not notifying, the awareness basis...)."""
    if to not in STATES:
        raise Invalid(one_of(to, STATES, "state"))
    legal = NEXT[breach.state]
    if to not in legal:
        raise Conflict(f"{breach.ref} is {breach.state}; it can move to "
                       f"{', '.join(legal) or 'nothing (it is closed)'}, not {to}.")
    before = snapshot(breach)
    if facts:
        _apply(uow, breach, facts)
    if to == "confirmed":
        breach.aware_at = breach.aware_at or uow.now()
        breach.decided_by = breach.decided_by or uow.actor.label
    _check_move(uow.session, breach, to)
    breach.state = to
    breach.updated_at = uow.now()
    if to == "closed":
        breach.closed_at = uow.now()
    _record(uow, breach, to if to in ("confirmed", "assessed") else "transitioned",
            before=before, summary=f"{breach.ref}: {before['state']} -> {to}")
    clocks.refresh(uow, breach)
    if to == "confirmed":
        notices.send_dpo_notice(uow, breach, reason="the breach was confirmed")
    return breach


def snapshot(breach: Breach) -> dict[str, Any]:
    """Every field of the record, as audited before and after a change."""
    return {"ref": breach.ref, "state": breach.state, "incident_id": breach.incident_id,
            "is_drill": breach.is_drill, **{name: getattr(breach, name) for name in EDITABLE}}


def incident_of(session: Session, breach: Breach) -> Incident | None:
    if breach.incident_id is None:
        return None
    return incidents.get(session, incident_id=breach.incident_id)


def _check_move(session: Session, breach: Breach, to: str) -> None:
    if to == "confirmed":
        if not (breach.awareness_basis or "").strip():
            raise Invalid(f"Confirming {breach.ref} needs the basis of awareness (what gave a "
                          "reasonable degree of certainty that personal data was compromised).")
        if not (breach.decided_by or "").strip():
            raise Invalid(f"Confirming {breach.ref} needs who decided it is a breach.")
    if to == "assessed" and breach.risk is None:
        raise Invalid(f"Assessing {breach.ref} needs its risk: unlikely, risk or high.")
    if to == "not_notifiable":
        if breach.risk != "unlikely":
            raise Conflict(f"{breach.ref} is assessed as {breach.risk!r}; only a breach unlikely "
                           "to result in a risk may go un-notified (GDPR Art. 33(1)).")
        if not (breach.risk_rationale or "").strip():
            raise Invalid(RATIONALE_NEEDED.format(ref=breach.ref))
    if to == "notified" and not submissions(session, breach=breach):
        raise Conflict(f"{breach.ref} has no submission recorded; record the one sent with "
                       f"`warroom breach submit {breach.ref}`.")
    if to == "subjects_not_required" and breach.risk == "high":
        if breach.art34_exception not in ("a", "b"):
            raise Invalid(f"{breach.ref} is high risk: not telling the data subjects needs the "
                          "Art. 34(3) exception relied on (a: encrypted or otherwise "
                          "unintelligible, b: later measures; c means a public communication).")
        if not (breach.art34_rationale or "").strip():
            raise Invalid(f"The Art. 34(3) exception of {breach.ref} needs its rationale.")


def _apply(uow: UnitOfWork, breach: Breach, facts: dict[str, Any]) -> list[str]:
    """Set the given fields after checking each; the names that changed."""
    changed = []
    for name, value in facts.items():
        if name not in EDITABLE:
            raise Invalid(one_of(name, EDITABLE, "breach field"))
        if value is None:
            continue
        value = _clean(uow, name, value)
        if getattr(breach, name) != value:
            setattr(breach, name, value)
            changed.append(name)
    _check_ranges(breach)
    return changed


def _clean(uow: UnitOfWork, name: str, value: Any) -> Any:
    if name in ("aware_at", "classified_at", "other_party_notified_at"):
        if not isinstance(value, datetime):
            raise Invalid(f"{name} must be a date and time.")
        if value > uow.now() + FUTURE_SLACK:
            raise Invalid(f"{name} ({value:%Y-%m-%d %H:%M} UTC) is in the future.")
        return value
    choices = {"role": ROLES, "risk": regimes.RISKS, "art34_exception": ART34}
    if name in choices:
        text = str(value).strip().lower()
        if text not in choices[name]:
            raise Invalid(one_of(text, choices[name], name))
        return text
    if name == "nature":
        cleaned = [str(v).strip().lower() for v in value]
        for item in cleaned:
            if item not in NATURES:
                raise Invalid(one_of(item, NATURES, "nature"))
        return sorted(set(cleaned))
    if name == "regimes":
        return regimes.check_ids([str(v) for v in value])
    return value


def _check_ranges(breach: Breach) -> None:
    for what in ("subjects", "records"):
        low, high = getattr(breach, f"{what}_min"), getattr(breach, f"{what}_max")
        if low is not None and high is not None and low > high:
            raise Invalid(f"The approximate number of {what} runs from {low} down to {high}; "
                          "give the lower bound first.")


def _refuse_closed(breach: Breach) -> None:
    if breach.state == "closed":
        raise Conflict(f"{breach.ref} is closed; its record no longer changes.")


def _record(uow: UnitOfWork, breach: Breach, action: str, *, before: dict[str, Any] | None,
            summary: str) -> None:
    after = snapshot(breach)
    audit.record(uow, action=f"breach.{action}", target=f"breach:{breach.ref}", before=before,
                 after=after)
    if breach.incident_id is not None:
        # the timeline is readable by every incident viewer: the ref and state
        # only, never the personal data in the record
        timeline.add(uow, incident_id=breach.incident_id, kind="breach", summary=summary,
                     data={"action": action, "ref": breach.ref, "state": breach.state})


def record_submission(uow: UnitOfWork, *, breach: Breach, sent: submitting.Sent) -> Submission:
    """Record a submission; the first one to the supervisory authority moves an
    assessed breach to notified."""
    row = submitting.submit(uow, breach=breach, sent=sent)
    if breach.state == "assessed" and sent.obligation == "initial" and \
            sent.regime.startswith("gdpr"):
        transition(uow, breach=breach, to="notified")
    return row


def propose_for_incident(uow: UnitOfWork, incident: Incident, *, why: str) -> Breach:
    """A suspected record linked to the incident (the existing one if any)."""
    existing = for_incident(uow.session, incident_id=incident.id)
    if existing:
        return existing[0]
    breach = open_breach(uow, incident=incident, source=why)
    playbook_steps.recorded(uow, breach)
    return breach
