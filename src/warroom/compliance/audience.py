"""Who hears about a breach: the legal/compliance role of its incident, the
DPO, and (when a deadline is missed) the incident commander or the admins.

Everything goes through the outbox. A drill's messages are marked
``[DRILL]`` and reach only the people holding roles on the drill incident:
the DPO's address is outside the drill and is never written to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from warroom.auth import service as users
from warroom.compliance import settings as compliance_settings
from warroom.incidents import service as incidents
from warroom.notify.service import Outgoing, enqueue, notify_person

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.compliance.models import Breach
    from warroom.db import UnitOfWork

LEGAL_ROLE = "legal_compliance"
COMMANDER_ROLE = "incident_commander"


@dataclass
class Message:
    subject: str
    body: str
    key: str
    kind: str = "breach"
    credentials: tuple[str, ...] = ()
    told: list[str] = field(default_factory=list)
    dpo_fallback: list[str] | None = None
    """Set when no DPO address is configured: the admins told instead."""
    emailed: set[str] = field(default_factory=set)
    """The addresses already written to (lower case): with no DPO address the
    admins stand in for the DPO, and an overdue escalation may then reach them
    again as its last tier; one message per address is enough."""

    def tell(self, name: str) -> None:
        if name not in self.told:
            self.told.append(name)

    def first_to(self, address: str | None) -> bool:
        """Claim ``address`` for this message; False when it was written to already."""
        key = (address or "").strip().lower()
        if not key or key in self.emailed:
            return False
        self.emailed.add(key)
        return True


def role_holders(session: Session, breach: Breach, role: str) -> list[int]:
    """Primary and backup of ``role`` on the breach's incident (none standing alone)."""
    incident = incidents.get(session, incident_id=breach.incident_id) \
        if breach.incident_id else None
    if incident is None:
        return []
    assignment = next((r for r in incident.roles if r.role == role), None)
    if assignment is None:
        return []
    return [uid for uid in (assignment.primary_user_id, assignment.backup_user_id) if uid]


def dpo_address() -> str | None:
    """The DPO's email (WARROOM_COMPLIANCE_DPO_EMAIL); None when not configured."""
    return compliance_settings.get().compliance_dpo_email or None


def to_people(uow: UnitOfWork, breach: Breach, people: list[int], message: Message) -> None:
    for user_id in dict.fromkeys(people):
        user = users.get(uow.session, user_id=user_id)
        if user is None or not user.is_active:
            continue
        if user.email and user.email.strip().lower() in message.emailed:
            message.tell(user.username)  # this message already reached their address
            continue
        queued = notify_person(uow, user_id=user_id, kind=message.kind,
                               subject=_subject(breach, message), body=message.body,
                               incident_id=breach.incident_id,
                               key=f"{message.key}:user:{user_id}")
        for sent in queued:
            if sent.channel == "email":
                message.first_to(sent.destination)
        message.tell(user.username)


def to_dpo(uow: UnitOfWork, breach: Breach, message: Message) -> bool:
    """Write to the DPO's address; False for a drill.

    With no address configured the notice must still reach someone who can
    act on it within the 72 hours, so it goes to every active admin with an
    email instead (``message.dpo_fallback`` names them, for the timeline);
    False when there is nobody to tell at all."""
    if breach.is_drill:
        return False
    address = dpo_address()
    if address is None:
        admins = users.active_admins_with_email(uow.session)
        for admin in admins:
            if not message.first_to(admin.email):
                continue
            enqueue(uow, message=Outgoing(
                channel="email", destination=admin.email or "", kind=message.kind,
                subject=_subject(breach, message), body=message.body,
                incident_id=breach.incident_id, recipient=admin.username,
                key=f"{message.key}:dpo-admin:{admin.id}", credentials=message.credentials))
            message.tell(admin.username)
        message.dpo_fallback = [admin.username for admin in admins]
        return bool(admins)
    if not message.first_to(address):
        return True
    enqueue(uow, message=Outgoing(channel="email", destination=address, kind=message.kind,
                                  subject=_subject(breach, message), body=message.body,
                                  incident_id=breach.incident_id, recipient="dpo",
                                  key=f"{message.key}:dpo", credentials=message.credentials))
    message.tell("dpo")
    return True


def to_admins(uow: UnitOfWork, breach: Breach, message: Message) -> None:
    """The last tier (not for drills: nobody outside the drill is woken)."""
    if breach.is_drill:
        return
    for admin in users.active_admins_with_email(uow.session):
        if not message.first_to(admin.email):
            continue
        enqueue(uow, message=Outgoing(channel="email", destination=admin.email or "",
                                      kind=message.kind, subject=_subject(breach, message),
                                      body=message.body, incident_id=breach.incident_id,
                                      recipient=admin.username,
                                      key=f"{message.key}:admin:{admin.id}"))
        message.tell(admin.username)


def fallback_note(message: Message) -> str:
    """What the timeline says when the DPO's address is not configured."""
    if message.dpo_fallback is None:
        return ""
    if not message.dpo_fallback:
        return ("; WARROOM_COMPLIANCE_DPO_EMAIL is not set and no active admin has an email: "
                "nobody received the notice")
    return ("; WARROOM_COMPLIANCE_DPO_EMAIL is not set, so the admins were told instead: "
            + ", ".join(message.dpo_fallback))


def _subject(breach: Breach, message: Message) -> str:
    return f"[DRILL] {message.subject}" if breach.is_drill else message.subject
