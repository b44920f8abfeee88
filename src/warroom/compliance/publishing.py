"""Post the public communication (GDPR Art. 34(3)(c)) to the status page.

Only with a person's explicit confirmation, never for a drill, through the
status page's own service (its subscribers are told as for any notice).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.audit import service as audit
from warroom.compliance import drafts
from warroom.errors import Conflict, Invalid
from warroom.incidents import timeline
from warroom.statuspage import service as statuspage

if TYPE_CHECKING:
    from warroom.compliance.models import Breach
    from warroom.db import UnitOfWork


def publish(uow: UnitOfWork, *, breach: Breach, confirm: bool, text: str | None) -> str:
    """Post it; returns the public notice's code."""
    if not confirm:
        raise Invalid("Posting to the public status page needs a person's confirmation "
                      "(confirm: true) after reading the draft.")
    if breach.is_drill:
        raise Conflict(f"{breach.ref} belongs to a drill; nothing is posted to the public "
                       "status page.")
    draft = drafts.render(breach, kind="public", reporter=uow.actor.label, now=uow.now())
    body = (text or "").strip() or draft.text
    if not text and draft.missing:
        raise Invalid(f"The public communication still lacks: {', '.join(draft.missing)}; "
                      "record them or pass the text to post.")
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
    return code
