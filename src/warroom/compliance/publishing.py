"""Post the public communication (GDPR Art. 34(3)(c)) to the status page.

Only with a person's explicit confirmation, through the status page's own
service (its subscribers are told as for any notice). A drill's breach never
reaches the public page: its communication goes to the drill's sandbox
status page (``hooks.drill_public_communication``), or is refused when no
running drill has its incident.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from warroom.audit import service as audit
from warroom.compliance import drafts, hooks
from warroom.errors import Conflict, Invalid
from warroom.incidents import timeline
from warroom.statuspage import service as statuspage

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.compliance.models import Breach
    from warroom.db import UnitOfWork


@dataclass
class Posted:
    """Where the communication went: a public notice's code, or a drill's
    sandbox status page (the drill's id)."""

    notice: str | None = None
    sandbox: str | None = None


def publish(uow: UnitOfWork, *, breach: Breach, confirm: bool, text: str | None) -> Posted:
    """Post it; returns where it went."""
    if not confirm:
        raise Invalid("Posting to the public status page needs a person's confirmation "
                      "(confirm: true) after reading the draft.")
    draft = drafts.render(breach, kind="public", reporter=uow.actor.label, now=uow.now())
    body = (text or "").strip() or draft.text
    if not text and draft.missing:
        raise Invalid(f"The public communication still lacks: {', '.join(draft.missing)}; "
                      "record them or pass the text to post.")
    if breach.is_drill:
        return _rehearse(uow, breach, title=draft.title, body=body)
    notice = statuspage.report_status(uow, report=statuspage.StatusReport(
        status="identified", message=body, title=draft.title,
        internal_incident=f"INC-{breach.incident_id}" if breach.incident_id else None))
    code = notice.code if notice is not None else ""
    audit.record(uow, action="breach.public_communication", target=f"breach:{breach.ref}",
                 after={"status_page_notice": code, "text": body})
    if breach.incident_id is not None:
        timeline.add(uow, incident_id=breach.incident_id, kind="breach",
                     summary=f"{breach.ref}: public communication posted to the status page",
                     data={"action": "public_communication", "ref": breach.ref,
                           "notice": code})
    return Posted(notice=code)


def _rehearse(uow: UnitOfWork, breach: Breach, *, title: str, body: str) -> Posted:
    drills = [ref for ref in hooks.drill_public_communication.collect(
        uow, breach, title=title, text=body) if ref]
    if not drills:
        raise Conflict(f"{breach.ref} belongs to a drill: nothing is posted to the public "
                       "status page, and no running drill has its incident to take it on "
                       "its sandbox page.")
    audit.record(uow, action="breach.public_communication", target=f"breach:{breach.ref}",
                 after={"sandbox_status_page": drills[0], "text": body})
    if breach.incident_id is not None:
        timeline.add(uow, incident_id=breach.incident_id, kind="breach",
                     summary=f"{breach.ref}: public communication posted to the sandbox "
                             f"status page of {drills[0]} (a drill)",
                     data={"action": "public_communication", "ref": breach.ref,
                           "sandbox": drills[0]})
    return Posted(sandbox=drills[0])


def posted(session: Session, breach: Breach) -> list[Posted]:
    """Every time the communication was posted, oldest first (from the audit)."""
    entries = audit.get_all(session, target=f"breach:{breach.ref}",
                            action="breach.public_communication", limit=1000)
    return [Posted(notice=(e.after or {}).get("status_page_notice"),
                   sandbox=(e.after or {}).get("sandbox_status_page")) for e in entries]
