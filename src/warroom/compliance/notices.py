"""The DPO notice: sent when a breach is confirmed or its incident is flagged
as a personal data breach (seed 000 §6.2 "Notify DPO", once a hand-typed
``mail`` command).

It carries the Art. 33(3) facts known so far and a signed acknowledgement
link (``auth.links``: HMAC-signed, expiring after
WARROOM_COMPLIANCE_ACK_LINK_HOURS, single use because its nonce must match
the newest one sent and is spent on use). A notice still unacknowledged is
re-sent, with a fresh link, every WARROOM_COMPLIANCE_DPO_ACK_REMINDER_HOURS
by the ``compliance.clocks`` cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from warroom.audit import service as audit
from warroom.auth import links
from warroom.compliance import audience, playbook_steps
from warroom.compliance import settings as compliance_settings
from warroom.compliance.models import Breach
from warroom.config import get_settings
from warroom.errors import Conflict, Forbidden, Gone, NotFound
from warroom.incidents import timeline

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork

PURPOSE = "breach-dpo-ack"
PATH = "/api/v1/breaches/ack/"


@dataclass(frozen=True)
class AckLink:
    breach_id: int
    nonce: str
    expires_at: datetime


def send_dpo_notice(uow: UnitOfWork, breach: Breach, *, reason: str) -> bool:
    """Tell the DPO (once per breach; reminders re-send). False when already told."""
    if breach.dpo_notified_at is not None:
        return False
    _send(uow, breach, reason=reason, reminder=False)
    return True


def remind_unacknowledged(uow: UnitOfWork) -> datetime | None:
    """Part of the ``compliance.clocks`` cycle; the next reminder due."""
    now = uow.now()
    query = select(Breach).where(Breach.dpo_acknowledged_at.is_(None),
                                 Breach.dpo_reminded_at <= now).limit(200)
    if not uow.is_sqlite:
        query = query.with_for_update(skip_locked=True)
    for breach in list(uow.session.scalars(query)):
        _send(uow, breach, reason="the notice is still not acknowledged", reminder=True)
    return uow.session.scalar(select(func.min(Breach.dpo_reminded_at)).where(
        Breach.dpo_acknowledged_at.is_(None), Breach.dpo_reminded_at > now))


def read_link(session: Session, token: str, *, now: datetime) -> AckLink:
    """The link's contents; 404 when forged or altered, 410 when expired."""
    try:
        signed = links.verify(links.current_key(session), token, purpose=PURPOSE, now=now)
        breach_id = int(signed.subject)
    except (Forbidden, ValueError):
        raise NotFound("This acknowledgement link is not valid: it was altered or is not a "
                       "warroom link.") from None
    return AckLink(breach_id=breach_id, nonce=signed.nonce, expires_at=signed.expires_at)


def acknowledge(uow: UnitOfWork, link: AckLink) -> Breach:
    """Record the DPO's acknowledgement; the link then stops working."""
    breach = uow.session.get(Breach, link.breach_id, with_for_update=True)
    if breach is None:
        raise NotFound("The breach record of this link no longer exists.")
    if breach.dpo_acknowledged_at is not None:
        raise Gone(f"{breach.ref} was already acknowledged at "
                   f"{breach.dpo_acknowledged_at:%Y-%m-%d %H:%M} UTC; each link works once.")
    if link.nonce != breach.dpo_link_nonce:
        raise Conflict(f"This link to {breach.ref} was replaced by a newer one; use the link "
                       "in the latest notice.")
    now = uow.now()
    breach.dpo_acknowledged_at, breach.dpo_link_nonce = now, None
    breach.dpo_acknowledged_by = compliance_settings.get().compliance_dpo_name
    breach.dpo_reminded_at = None
    audit.record(uow, action="breach.dpo_acknowledged", target=f"breach:{breach.ref}",
                 before={"dpo_acknowledged_at": None},
                 after={"dpo_acknowledged_at": now, "by": breach.dpo_acknowledged_by,
                        "link_expires_at": link.expires_at})
    if breach.incident_id is not None:
        timeline.add(uow, incident_id=breach.incident_id, kind="breach",
                     summary=f"{breach.ref}: the DPO acknowledged the notice",
                     data={"action": "dpo_acknowledged", "ref": breach.ref})
    playbook_steps.dpo_acknowledged(uow, breach)
    return breach


def facts(breach: Breach) -> list[tuple[str, str | None]]:
    """The Art. 33(3) items as known now (None: not known yet)."""
    subjects = _range(breach.subjects_min, breach.subjects_max)
    records = _range(breach.records_min, breach.records_max)
    return [
        ("Nature (Art. 33(3)(a))", ", ".join(breach.nature) or None),
        ("Categories of data subjects", ", ".join(breach.subject_categories) or None),
        ("Approximate number of data subjects", subjects),
        ("Categories of personal data records", ", ".join(breach.data_categories) or None),
        ("Special categories (Art. 9/10)", ", ".join(breach.special_categories) or None),
        ("Approximate number of records", records),
        ("DPO or contact point (Art. 33(3)(b))", compliance_settings.get().compliance_dpo_name),
        ("Likely consequences (Art. 33(3)(c))", breach.likely_consequences),
        ("Measures taken (Art. 33(3)(d))", breach.measures_taken),
        ("Measures proposed (Art. 33(3)(d))", breach.measures_proposed),
    ]


def _send(uow: UnitOfWork, breach: Breach, *, reason: str, reminder: bool) -> None:
    now = uow.now()
    settings = compliance_settings.get()
    expires_at = now + timedelta(hours=settings.compliance_ack_link_hours)
    key = links.current_key(uow.session)
    token = links.sign(key, purpose=PURPOSE, subject=str(breach.id), expires_at=expires_at)
    nonce = links.verify(key, token, purpose=PURPOSE, now=now).nonce
    url = f"{get_settings().base_url}{PATH}{token}"
    breach.dpo_link_nonce = nonce
    breach.dpo_notified_at = breach.dpo_notified_at or now
    breach.dpo_reminded_at = now + timedelta(hours=settings.compliance_dpo_ack_reminder_hours)
    message = audience.Message(
        subject=f"URGENT: {'Reminder: ' if reminder else ''}Compliance Incident - {breach.ref}"
                f" {breach.title}", key=f"breach-dpo:{breach.id}:{now.isoformat()}",
        kind="dpo_notice", body=_body(breach, reason, url, expires_at), credentials=(url,))
    audience.to_dpo(uow, breach, message)
    audience.to_people(uow, breach, audience.role_holders(uow.session, breach,
                                                          audience.LEGAL_ROLE),
                       audience.Message(subject=message.subject, key=message.key,
                                        kind=message.kind,
                                        body=_body(breach, reason, None, expires_at)))
    record = {"reason": reason, "reminder": reminder, "link_expires_at": expires_at,
              "dpo_fallback": message.dpo_fallback}
    audit.record(uow, action="breach.dpo_notified", target=f"breach:{breach.ref}", after=record)
    if breach.incident_id is not None:
        timeline.add(uow, incident_id=breach.incident_id, kind="breach",
                     summary=f"{breach.ref}: DPO {'reminded' if reminder else 'notified'} "
                             f"({reason}){audience.fallback_note(message)}",
                     data={"action": "dpo_notified", "ref": breach.ref, "reminder": reminder,
                           "dpo_fallback": message.dpo_fallback})
    if not reminder:
        playbook_steps.dpo_notified(uow, breach)


def _body(breach: Breach, reason: str, url: str | None, expires_at: datetime) -> str:
    lines = [f"{'[DRILL] ' if breach.is_drill else ''}Personal data breach {breach.ref}: "
             f"{breach.title}", f"Why you are told now: {reason}.", "",
             f"State: {breach.state}",
             f"Aware since: {_when(breach.aware_at)} (basis: "
             f"{breach.awareness_basis or 'not recorded yet'}; decided by "
             f"{breach.decided_by or 'nobody yet'})",
             f"Our role: {breach.role}", f"Regimes: {', '.join(breach.regimes) or 'none'}", "",
             "What is known so far (GDPR Art. 33(3)):"]
    lines += [f"- {label}: {value or 'not known yet'}" for label, value in facts(breach)]
    if breach.incident_id is not None:
        lines += ["", f"Incident: {get_settings().base_url}/incidents/INC-{breach.incident_id}"]
    if url:
        lines += ["", f"Acknowledge receipt (valid until {expires_at:%Y-%m-%d %H:%M} UTC, "
                      f"works once): {url}"]
    return "\n".join(lines) + "\n"


def _range(low: int | None, high: int | None) -> str | None:
    if low is None and high is None:
        return None
    if low == high or high is None:
        return f"about {low}"
    return f"{low or 0}-{high}"


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "not confirmed yet"
