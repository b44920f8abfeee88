"""What every screen shares: the signed-in actor's abilities, page rendering,
and the redirect after a form posts (303, so a reload never posts twice)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi.responses import RedirectResponse

from warroom.auth.permissions import Permission, allows
from warroom.console.templating import templates

if TYPE_CHECKING:
    from fastapi import Request
    from starlette.responses import Response

    from warroom.db import Actor

NAV: tuple[tuple[str, str, Permission], ...] = (
    ("/incidents", "Incidents", Permission.incident_read),
    ("/alerts", "Alerts", Permission.alert_read),
    ("/on-call", "On call", Permission.oncall_read),
    ("/playbooks", "Playbooks", Permission.playbook_read),
    ("/actions", "Action items", Permission.review_read),
    ("/metrics-dashboard", "Metrics", Permission.metrics_read),
    ("/drills", "Drills", Permission.drill_read),
    ("/breaches", "Breaches", Permission.breach_read),
    ("/status-admin", "Status page", Permission.statuspage_read),
    ("/settings", "Admin", Permission.user_admin),
)
"""The main menu, one entry per screen, shown only to roles that may open it."""

INCIDENT_TABS: tuple[tuple[str, str, Permission], ...] = (
    ("", "Overview", Permission.incident_read),
    ("/evidence", "Evidence", Permission.evidence_read),
    ("/breaches", "Breaches", Permission.breach_read),
    ("/review", "Review", Permission.review_read),
)
"""The incident page's tabs: ``/incidents/{id}`` plus each suffix. A domain's
screen for one incident is a tab here, so the incident stays one place."""


def can(actor: Actor, permission: Permission | str) -> bool:
    return actor.role is not None and allows(actor.role, Permission(permission))


def render(request: Request, actor: Actor, name: str, context: dict[str, Any], *,
           status: int = 200) -> Response:
    """One screen: the template gets the actor, ``can(...)`` and the nav."""
    return templates.TemplateResponse(request, name, {
        "actor": actor, "can": lambda permission: can(actor, permission),
        "nav": [(href, label) for href, label, needed in NAV if can(actor, needed)],
        "tab_links": [(suffix, label) for suffix, label, needed in INCIDENT_TABS
                          if can(actor, needed)],
        "path": request.url.path, **context}, status_code=status)


def see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)
