"""What a page, a notice and an admin alert say on each channel.

Every page carries the incident link and the one-click acknowledge link; the
email follows seed 000 §7.2's communication template (subject
``[SEV-1] ...``, an INCIDENT SUMMARY block).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from warroom.config import get_settings
from warroom.incidents import catalog
from warroom.notify.service import Outgoing

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.incidents.models import Incident
    from warroom.oncall.people.contacts import Reach


@dataclass(frozen=True)
class Why:
    """Why someone hears about an incident, in words."""

    headline: str
    """e.g. "You are paged as Team Lead (step 2 of 5)"."""
    ack_url: str | None = None


def page(incident: Incident, reach: Reach, why: Why, *, key: str, recipient: str,
         not_before: datetime | None = None, kind: str = "page") -> Outgoing:
    """A page: asks for an acknowledgement; cancelled when someone gives one."""
    return _message(incident, reach, why, key=key, recipient=recipient, kind=kind,
                    group_key=page_group(incident.id), not_before=not_before)


def notice(incident: Incident, reach: Reach, why: Why, *, key: str, recipient: str,
           kind: str = "notice") -> Outgoing:
    """For information: survives acknowledgement, stopped by resolution."""
    return _message(incident, reach, why, key=key, recipient=recipient, kind=kind,
                    group_key=notice_group(incident.id), not_before=None)


def admin_alert(incident: Incident, *, email: str, username: str, key: str,
                problem: str) -> Outgoing:
    subject = f"[warroom] {incident.ref}: {problem}"
    body = (f"{problem}\n\n{_summary(incident)}\nIncident: {incident_url(incident)}\n\n"
            "Check the escalation policy and who fills its positions: "
            "`warroom oncall position list`.")
    return Outgoing(channel="email", destination=email, kind="admin_alert", subject=subject,
                    body=body, incident_id=incident.id, recipient=username, key=key)


def page_group(incident_id: int) -> str:
    return f"page:{incident_id}"


def notice_group(incident_id: int) -> str:
    return f"notice:{incident_id}"


def incident_url(incident: Incident) -> str:
    return f"{get_settings().base_url}/incidents/{incident.ref}"


def subject(incident: Incident) -> str:
    drill = "[DRILL] " if incident.is_drill else ""
    return f"{drill}[SEV-{_rank(incident)}] {incident.ref}: {incident.title}"


def _message(incident: Incident, reach: Reach, why: Why, *, key: str, recipient: str,
             kind: str, group_key: str, not_before: datetime | None) -> Outgoing:
    body, payload = _render(reach.channel, incident, why)
    return Outgoing(channel=reach.channel, destination=reach.destination, kind=kind,
                    subject=subject(incident), body=body, payload=payload,
                    signing_secret=reach.signing_secret, incident_id=incident.id,
                    group_key=group_key, recipient=recipient, key=key, not_before=not_before,
                    credentials=(why.ack_url,) if why.ack_url else ())


def _render(channel: str, incident: Incident, why: Why) -> tuple[str, dict[str, Any] | None]:
    if channel == "sms":
        return _short(incident, why), ({"ack_url": why.ack_url} if why.ack_url else None)
    if channel == "voice":
        return _spoken(incident, why), ({"ack_url": why.ack_url} if why.ack_url else None)
    if channel == "slack":
        return _short(incident, why), _slack(incident, why)
    if channel == "webhook":
        return _short(incident, why), _event(incident, why)
    return _email(incident, why), None


def _email(incident: Incident, why: Why) -> str:
    lines = [f"{why.headline}.", "", _summary(incident)]
    if why.ack_url:
        lines.append(f"Acknowledge (stops the escalation): {why.ack_url}")
    lines += [f"Incident: {incident_url(incident)}", ""]
    if why.ack_url:
        lines.append(f"Or from a terminal: warroom incident ack {incident.ref}")
    return "\n".join(lines)


def _summary(incident: Incident) -> str:
    severity = _severity(incident.severity)
    return "\n".join([
        "INCIDENT SUMMARY:",
        f"- Incident: {incident.ref} - {incident.title}",
        f"- Severity: {severity.rank} ({severity.name})" + (" - DRILL" if incident.is_drill
                                                            else ""),
        f"- Type: {incident.type}",
        f"- Services: {', '.join(incident.services or []) or '-'}",
        f"- Declared: {incident.declared_at:%Y-%m-%d %H:%M} UTC",
        f"- Status: {incident.phase}",
        ""])


def _short(incident: Incident, why: Why) -> str:
    text = f"{subject(incident)[:160]} - {why.headline}."
    return f"{text} Ack: {why.ack_url}" if why.ack_url else text


def _spoken(incident: Incident, why: Why) -> str:
    drill = "This is a drill. " if incident.is_drill else ""
    number = incident.ref.replace("-", " ")
    return (f"{drill}warroom page. Severity {_rank(incident)} incident {number}: "
            f"{incident.title[:160]}. {why.headline}. Acknowledge with the link sent to "
            "you, or in warroom.")


def _slack(incident: Incident, why: Why) -> dict[str, Any]:
    severity = _severity(incident.severity)
    buttons: list[dict[str, Any]] = []
    if why.ack_url:
        buttons.append({"type": "button", "style": "danger", "action_id": "acknowledge",
                        "text": {"type": "plain_text", "text": "Acknowledge"},
                        "url": why.ack_url})
    buttons.append({"type": "button", "action_id": "open_incident",
                    "text": {"type": "plain_text", "text": f"Open {incident.ref}"},
                    "url": incident_url(incident)})
    return {"text": _short(incident, why), "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": subject(incident)[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{why.headline}*"},
         "fields": [{"type": "mrkdwn", "text": f"*Severity*\n{severity.id} ({severity.name})"},
                    {"type": "mrkdwn", "text": f"*Type*\n{incident.type}"},
                    {"type": "mrkdwn", "text": f"*Services*\n"
                                               f"{', '.join(incident.services or []) or '-'}"},
                    {"type": "mrkdwn", "text": f"*Status*\n{incident.phase}"}]},
        {"type": "actions", "elements": buttons}]}


def _event(incident: Incident, why: Why) -> dict[str, Any]:
    return {"event": "page" if why.ack_url else "notice", "message": why.headline,
            "incident": {"id": incident.ref, "title": incident.title,
                         "severity": incident.severity, "type": incident.type,
                         "phase": incident.phase, "services": incident.services or [],
                         "is_drill": incident.is_drill,
                         "declared_at": incident.declared_at.isoformat()},
            "incident_url": incident_url(incident), "ack_url": why.ack_url}


def _rank(incident: Incident) -> int:
    return _severity(incident.severity).rank


@lru_cache(maxsize=16)
def _severity(severity_id: str) -> catalog.Severity:
    """Looked up once per process: a batch of pages asks for it thousands of times."""
    return catalog.severity(severity_id)
