"""The console (provisional: the screens' domain object replaces this one at
merge; it must keep including ``signin.router`` and calling
:func:`install_handlers` from its ``mount``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import escape
from starlette.responses import HTMLResponse, RedirectResponse, Response

from warroom.console import signin
from warroom.console.oidc_settings import OidcSettings
from warroom.console.session import CsrfRejected, SignInRequired
from warroom.domain import Domain

if TYPE_CHECKING:
    from fastapi import FastAPI, Request


async def _sign_in_first(request: Request, error: Exception) -> Response:
    assert isinstance(error, SignInRequired)
    answer = RedirectResponse(error.location, status_code=303)
    if request.headers.get("hx-request"):
        answer.headers["HX-Redirect"] = error.location
    return answer


async def _csrf_rejected(request: Request, error: Exception) -> Response:
    assert isinstance(error, CsrfRejected)
    body = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta "
            f"name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Form "
            f"expired · warroom</title></head><body><main><h1>This form has expired</h1>"
            f"<p>{escape(error.sentence)}</p></main></body></html>")
    return HTMLResponse(body, status_code=403, headers={"Cache-Control": "no-store"})


def install_handlers(app: FastAPI) -> None:
    """SignInRequired -> 303 to /sign-in?next=..., CsrfRejected -> 403 page."""
    app.add_exception_handler(SignInRequired, _sign_in_first)
    app.add_exception_handler(CsrfRejected, _csrf_rejected)


DOMAIN = Domain(
    name="console",
    router=signin.router,
    settings=OidcSettings,
    mount=install_handlers,
)
