"""The console domain: screens, live updates, local static assets, and the
API docs served from local files (air-gapped: no page names another host)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.routing import Route

from warroom.auth.deps import public
from warroom.console import (
    admin,
    alerts,
    breaches,
    drills,
    evidence,
    incidents,
    live,
    metrics_dashboard,
    models,
    oncall,
    playbooks,
    reviews,
    signin,
    status_admin,
)
from warroom.console.screens import see_other
from warroom.console.session import CsrfRejected, SignInRequired
from warroom.console.settings import ConsoleSettings
from warroom.console.templating import templates
from warroom.domain import Domain
from warroom.errors import Problem
from warroom.lane import problem_answer

if TYPE_CHECKING:
    from fastapi import FastAPI

HERE = Path(__file__).parent
VENDOR = Path(fastapi_offline.__file__).parent / "static"
"""Swagger UI and ReDoc, installed from PyPI with ``fastapi-offline``."""
LOCAL_ONLY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
              "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
              "worker-src 'self' blob:; connect-src 'self'")
"""The docs pages may load nothing from another host (ReDoc's bundle would
fetch its own logo from a CDN): the browser enforces it."""
CONSOLE_PREFIXES = (
    "/incidents",
    "/sign-in",
    "/sign-out",
    "/breaches",
    "/actions",
    "/metrics-dashboard",
    "/drills",
    "/status-admin",
    "/settings",
    "/on-call",
    "/alerts",
    "/playbooks",
)
"""Paths whose errors are pages, not problem+json (every screen in ``screens.NAV``)."""

router = APIRouter(include_in_schema=False)


@router.get("/", dependencies=[public()])
def home() -> Response:
    return see_other("/incidents")


router.include_router(signin.router)
router.include_router(live.router)
router.include_router(incidents.router)
router.include_router(breaches.router)
router.include_router(evidence.router)
router.include_router(reviews.router)
router.include_router(metrics_dashboard.router)
router.include_router(drills.router)
router.include_router(status_admin.router)
router.include_router(admin.router)
router.include_router(oncall.router)
router.include_router(alerts.router)
router.include_router(playbooks.router)


def mount(app: FastAPI) -> None:
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")
    app.mount("/console/vendor", StaticFiles(directory=VENDOR), name="console-vendor")
    _local_docs(app)
    _error_pages(app)


def _local_docs(app: FastAPI) -> None:
    """Replace FastAPI's CDN-loading /docs and /redoc with local copies."""
    app.router.routes[:] = [r for r in app.router.routes
                            if not (isinstance(r, Route) and r.path in ("/docs", "/redoc"))]

    async def swagger(request: Request) -> Response:
        return _local(get_swagger_ui_html(
            openapi_url="/openapi.json", title="warroom API",
            swagger_js_url="/console/vendor/swagger-ui-bundle.js",
            swagger_css_url="/console/vendor/swagger-ui.css",
            swagger_favicon_url="/console/vendor/favicon.png"))

    async def redoc(request: Request) -> Response:
        return _local(get_redoc_html(openapi_url="/openapi.json", title="warroom API",
                              redoc_js_url="/console/vendor/redoc.standalone.js",
                              redoc_favicon_url="/console/vendor/favicon.png",
                              with_google_fonts=False))

    app.add_route("/docs", swagger, include_in_schema=False)
    app.add_route("/redoc", redoc, include_in_schema=False)


def _local(page: Response) -> Response:
    page.headers["Content-Security-Policy"] = LOCAL_ONLY
    return page


def _is_console(request: Request) -> bool:
    path = request.url.path
    return path == "/" or path.startswith(CONSOLE_PREFIXES)


def _error_pages(app: FastAPI) -> None:
    async def sign_in(request: Request, error: Exception) -> Response:
        assert isinstance(error, SignInRequired)
        answer = see_other(error.location)
        if request.headers.get("hx-request"):
            answer.headers["HX-Redirect"] = error.location
        return answer

    async def csrf(request: Request, error: Exception) -> Response:
        assert isinstance(error, CsrfRejected)
        return templates.TemplateResponse(request, "error.html", {
            "title": "Form expired", "detail": error.sentence},
            status_code=403, headers={"Cache-Control": "no-store"})

    async def problem(request: Request, error: Exception) -> Response:
        if not _is_console(request) or not isinstance(error, Problem):
            return problem_answer(error, request.url.path, path=request.url.path)
        return templates.TemplateResponse(request, "error.html", {
            "title": error.title, "detail": error.detail}, status_code=error.status)

    app.add_exception_handler(SignInRequired, sign_in)
    app.add_exception_handler(CsrfRejected, csrf)
    app.add_exception_handler(Problem, problem)


DOMAIN = Domain(name="console", models=models, router=router, settings=ConsoleSettings, mount=mount)
