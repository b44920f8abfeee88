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

NAV = (("/incidents", "Incidents"),)


def can(actor: Actor, permission: Permission | str) -> bool:
    return actor.role is not None and allows(actor.role, Permission(permission))


def render(request: Request, actor: Actor, name: str, context: dict[str, Any], *,
           status: int = 200) -> Response:
    """One screen: the template gets the actor, ``can(...)`` and the nav."""
    return templates.TemplateResponse(request, name, {
        "actor": actor, "can": lambda permission: can(actor, permission), "nav": NAV,
        "path": request.url.path, **context}, status_code=status)


def see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)
