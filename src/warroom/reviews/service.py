"""Post-incident reviews: opened when an incident reaches lessons_learned, due
by its severity's deadline, edited in sections, approved by the incident
commander (or any commander) or waived by policy, and required to close.

Every change writes an audit entry and a ``review`` timeline event (the verb
in ``data["action"]``) in the caller's unit of work.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from warroom.audit import service as audit
from warroom.auth.permissions import Role
from warroom.errors import Conflict, Forbidden, Invalid, NotFound, one_of
from warroom.incidents import timeline
from warroom.incidents.phases import Phase
from warroom.reviews import definitions, sections
from warroom.reviews.models import Review

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import Actor, UnitOfWork
    from warroom.incidents.models import Incident

STATES = ("draft", "in_review", "approved", "waived")
DECIDED = ("approved", "waived")
APPROVER_ROLES = (Role.commander.value, Role.admin.value)


def get(session: Session, *, incident_id: int) -> Review | None:
    return session.scalar(select(Review).where(Review.incident_id == incident_id))


def get_or_raise(session: Session, *, incident: Incident) -> Review:
    review = get(session, incident_id=incident.id)
    if review is None:
        raise NotFound(f"{incident.ref} has no review yet; one opens when it reaches "
                       "lessons_learned (or start one with `warroom review open`).")
    return review


def open_review(uow: UnitOfWork, *, incident: Incident) -> Review:
    """The incident's review, opened now with its deadlines if it has none."""
    existing = get(uow.session, incident_id=incident.id)
    if existing is not None:
        return existing
    policy = definitions.policy(incident.severity)
    now = uow.now()
    review = Review(incident_id=incident.id, state="draft", sections={},
                    first_notes_due_at=now + timedelta(hours=policy.first_notes_hours),
                    due_at=now + timedelta(hours=policy.due_hours), created_at=now,
                    updated_at=now, signoffs=[])
    uow.session.add(review)
    uow.session.flush()
    _event(uow, incident, "created",
           f"Review opened; due {review.due_at:%Y-%m-%d %H:%M} UTC "
           f"(first notes by {review.first_notes_due_at:%Y-%m-%d %H:%M} UTC)",
           due_at=review.due_at.isoformat())
    audit.record(uow, action="review.open", target=_target(incident),
                 after={"state": "draft", "due_at": review.due_at})
    return review


def edit(uow: UnitOfWork, *, incident: Incident, changes: dict[str, str]) -> Review:
    """Replace the given sections' Markdown (others stay)."""
    review = _locked(uow, incident)
    if review.state in DECIDED:
        raise Conflict(f"The review of {incident.ref} is {review.state}; it can no longer be "
                       "edited.")
    for name, text in changes.items():
        if name not in sections.NAMES:
            raise Invalid(one_of(name, list(sections.NAMES), "section"))
        if len(text) > sections.MAX_SECTION:
            raise Invalid(f"Section {name} is longer than {sections.MAX_SECTION} characters.")
    before = {name: review.sections.get(name, "") for name in changes}
    review.sections = {**review.sections, **changes}
    review.updated_at = uow.now()
    audit.record(uow, action="review.edit", target=_target(incident), before=before,
                 after=dict(changes))
    return review


def submit(uow: UnitOfWork, *, incident: Incident) -> Review:
    """draft -> in_review: the writers think it is ready for sign-off."""
    review = _locked(uow, incident)
    if review.state != "draft":
        raise Conflict(f"The review of {incident.ref} is {review.state}; only a draft can be "
                       "submitted.")
    missing = [sections.TITLES[n] for n in ("overview", "root_cause_primary")
               if not review.sections.get(n, "").strip()]
    if missing:
        raise Invalid(f"Write the {' and '.join(missing)} before submitting the review of "
                      f"{incident.ref}.")
    review.state, review.submitted_at, review.updated_at = "in_review", uow.now(), uow.now()
    _event(uow, incident, "submitted", "Review submitted for sign-off")
    audit.record(uow, action="review.submit", target=_target(incident),
                 before={"state": "draft"}, after={"state": "in_review"})
    return review


def sign_off(uow: UnitOfWork, *, incident: Incident, note: str = "") -> Review:
    """A reviewer says they have read it (kept in the review and the audit log)."""
    review = _locked(uow, incident)
    if review.state != "in_review":
        raise Conflict(f"The review of {incident.ref} is {review.state}; sign-off happens "
                       "while it is in review.")
    entry = {"by": uow.actor.label, "at": uow.now().isoformat(), "note": note.strip()}
    review.signoffs = [*[s for s in review.signoffs if s.get("by") != entry["by"]], entry]
    review.updated_at = uow.now()
    audit.record(uow, action="review.sign_off", target=_target(incident), after=entry)
    return review


def reopen(uow: UnitOfWork, *, incident: Incident) -> Review:
    """in_review -> draft, to change it after comments (sign-offs are dropped)."""
    review = _locked(uow, incident)
    if review.state != "in_review":
        raise Conflict(f"The review of {incident.ref} is {review.state}; only one in review "
                       "goes back to draft.")
    review.state, review.signoffs, review.updated_at = "draft", [], uow.now()
    audit.record(uow, action="review.reopen", target=_target(incident),
                 before={"state": "in_review"}, after={"state": "draft"})
    return review


def approve(uow: UnitOfWork, *, incident: Incident) -> Review:
    """in_review -> approved, by the incident commander or a commander."""
    review = _locked(uow, incident)
    _check_approver(uow.actor, incident)
    if review.state != "in_review":
        raise Conflict(f"The review of {incident.ref} is {review.state}; submit it for review "
                       "before approving it.")
    review.state, review.decided_at, review.decided_by = "approved", uow.now(), uow.actor.label
    review.updated_at = uow.now()
    _event(uow, incident, "approved", f"Review approved by {uow.actor.label}",
           signoffs=[s.get("by") for s in review.signoffs])
    audit.record(uow, action="review.approve", target=_target(incident),
                 before={"state": "in_review"},
                 after={"state": "approved", "signoffs": review.signoffs})
    return review


def waive(uow: UnitOfWork, *, incident: Incident, reason: str) -> Review:
    """No review for this incident, with a reason, where policy allows it."""
    reason = reason.strip()
    if not reason:
        raise Invalid("Say why the review is waived; the reason is kept.")
    _check_approver(uow.actor, incident)
    if not definitions.policy(incident.severity).waivable:
        raise Conflict(f"A {incident.severity} review cannot be waived (rules/reviews.yaml); "
                       "write and approve it.")
    review = open_review(uow, incident=incident)
    if review.state in DECIDED:
        raise Conflict(f"The review of {incident.ref} is already {review.state}.")
    before = review.state
    review.state, review.waiver_reason = "waived", reason
    review.decided_at, review.decided_by, review.updated_at = uow.now(), uow.actor.label, \
        uow.now()
    _event(uow, incident, "waived", f"Review waived by {uow.actor.label}: {reason}",
           reason=reason)
    audit.record(uow, action="review.waive", target=_target(incident), before={"state": before},
                 after={"state": "waived", "reason": reason})
    return review


def gate(uow: UnitOfWork, incident: Incident, target: Phase, *,
         override_reason: str | None) -> None:
    """Refuse to close an incident whose review is required and not done.

    An override reason does not lift it: the way past a review is a waiver,
    which policy allows only for low severities."""
    if target is not Phase.closed or incident.is_drill:
        return
    policy = definitions.policy(incident.severity)
    if not policy.required_to_close:
        return
    review = get(uow.session, incident_id=incident.id)
    if review is not None and review.state in DECIDED:
        return
    state = review.state.replace("_", " ") if review else "missing"
    how = " or waive it with a reason" if policy.waivable else ""
    raise Conflict(f"{incident.ref} cannot close: its review is {state}. A {incident.severity} "
                   f"incident closes once its review is approved{how} "
                   f"(`warroom review show {incident.ref}`).",
                   review_state=state)


def on_transitioned(uow: UnitOfWork, incident: Incident, *, previous: Phase,
                    current: Phase) -> None:
    if current is Phase.lessons_learned:
        open_review(uow, incident=incident)


def view(review: Review) -> dict[str, Any]:
    return {"state": review.state, "sections": {n: review.sections.get(n, "")
                                                for n in sections.NAMES},
            "first_notes_due_at": review.first_notes_due_at, "due_at": review.due_at,
            "created_at": review.created_at, "updated_at": review.updated_at,
            "submitted_at": review.submitted_at, "decided_at": review.decided_at,
            "decided_by": review.decided_by, "waiver_reason": review.waiver_reason,
            "signoffs": list(review.signoffs)}


def _check_approver(actor: Actor, incident: Incident) -> None:
    if actor.kind != "user" or actor.role in APPROVER_ROLES:
        return
    commanders = {uid for a in incident.roles if a.role == "incident_commander"
                  for uid in (a.primary_user_id, a.backup_user_id) if uid}
    if actor.user_id is not None and actor.user_id in commanders:
        return
    raise Forbidden(f"Only the incident commander of {incident.ref} or a commander may approve "
                    "or waive its review.")


def _locked(uow: UnitOfWork, incident: Incident) -> Review:
    review = uow.session.scalar(select(Review).where(Review.incident_id == incident.id)
                                .with_for_update())
    if review is None:
        raise NotFound(f"{incident.ref} has no review yet; one opens when it reaches "
                       "lessons_learned.")
    return review


def _event(uow: UnitOfWork, incident: Incident, action: str, summary: str, **data: Any) -> None:
    timeline.add(uow, incident_id=incident.id, kind="review", summary=summary,
                 data={"action": action, **data})


def _target(incident: Incident) -> str:
    return f"incident:{incident.ref}/review"
