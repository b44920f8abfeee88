"""FastAPI app factory: state, error handling, limits, metrics, domain routers."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from warroom import clock as clock_module
from warroom import openapi, registry, runtime
from warroom.auth.deps import TokenCache, public, requires
from warroom.auth.permissions import Permission
from warroom.clock import Clock
from warroom.config import Settings, get_settings
from warroom.db import Database, get_database, set_process_role
from warroom.errors import Problem
from warroom.health import WriteCheck, health
from warroom.http import PROBLEM_JSON, problem_response
from warroom.lane import problem_answer
from warroom.limits import BodyLimitMiddleware
from warroom.logs import configure as configure_logging
from warroom.methods import MethodGuard
from warroom.metrics import Metrics, MetricsMiddleware
from warroom.text import NulGuard, invalid_input
from warroom.worker import Worker


def create_app(*, settings: Settings | None = None, database: Database | None = None,
               clock: Clock | None = None, run_worker: bool = False) -> FastAPI:
    """Build the app. Tests pass their own database and clock; ``warroom serve``
    passes ``run_worker=True`` to run the worker in this process."""
    settings = settings or get_settings()
    database = database or get_database()
    clock = clock or clock_module.current()
    registry.connect_all()

    app = FastAPI(title="warroom", version="0.1.0", lifespan=_lifespan,
                  description="Self-hosted incident response: alerts, paging, playbooks, "
                              "status page and reviews.")
    app.state.settings = settings
    app.state.database = database
    app.state.clock = clock
    app.state.token_cache = TokenCache(settings.token_cache_seconds)
    app.state.run_worker = run_worker
    app.state.metrics = Metrics(database)
    app.state.write_check = WriteCheck()

    _install_error_handlers(app)
    app.add_api_route("/health", health, methods=["GET"], dependencies=[public()],
                      tags=["operations"])
    metrics_deps = [public()] if settings.metrics_public else None
    if metrics_deps is None:
        metrics_deps = [requires(Permission.settings_admin)]
    app.add_api_route("/metrics", metrics, methods=["GET"], dependencies=metrics_deps,
                      tags=["operations"])
    for domain in registry.DOMAINS:
        if domain.router is not None:
            app.include_router(domain.router)
    for domain in registry.DOMAINS:
        if domain.mount is not None:
            domain.mount(app)

    openapi.install(app)
    app.add_middleware(NulGuard)
    app.add_middleware(MethodGuard, routes_of=lambda: app.routes)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    return app


def served(app: FastAPI) -> Any:
    """The app as ``warroom serve`` runs it: a domain's ``wrap(app, entry)``
    may put a raw ASGI layer in front of everything, so that public paths read
    by the crowd (the status page) are answered before FastAPI and the
    middlewares. ``app`` keeps the same routes for everything else and for tests."""
    entry: Any = app
    for domain in registry.DOMAINS:
        if domain.wrap is not None:
            entry = domain.wrap(app, entry)
    return entry


def api_process() -> Any:
    """The app factory each process of ``warroom serve --workers N`` calls
    (by import string, as uvicorn requires for several processes): the
    parent has already migrated and bootstrapped; each process opens its own
    database pool and never runs the background worker (``warroom worker``
    runs separately)."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    clock_module.install(clock_module.from_settings(settings.fake_time_file))
    set_process_role("api")
    application = create_app(settings=settings, database=get_database(), run_worker=False)
    runtime.freeze_startup_heap()
    return served(application)


def metrics(request: Request) -> Response:
    """Prometheus exposition: requests, open incidents, audit chain, outbox."""
    body, content_type = request.app.state.metrics.render()
    return Response(body, media_type=content_type)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    worker = None
    thread = None
    if app.state.run_worker:
        worker = Worker(app.state.database, app.state.settings, app.state.clock,
                        registry=app.state.metrics.registry)
        thread = threading.Thread(target=worker.run_forever, name="worker", daemon=True)
        thread.start()
    try:
        yield
    finally:
        if worker is not None and thread is not None:
            worker.close()
            thread.join(timeout=10)


def _install_error_handlers(app: FastAPI) -> None:
    async def _mapped(request: Request, error: Exception) -> Response:
        return problem_answer(error, request.url.path, path=request.url.path)

    # the lane kernel's one mapping, as the fast lanes answer the same errors
    for kind in (Problem, OperationalError, IntegrityError, ClientDisconnect, Exception):
        app.add_exception_handler(kind, _mapped)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        return problem_response(invalid_input(error.errors()), instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        detail = error.detail if isinstance(error.detail, str) else "Request failed."
        if error.status_code == 404 and detail == "Not Found":
            detail = f"There is nothing at {request.url.path}."
        elif error.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}."
        body = Problem(detail, status=error.status_code, title=_title(error.status_code))
        return problem_response(body, instance=request.url.path,
                                headers=getattr(error, "headers", None))


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


__all__ = ["PROBLEM_JSON", "create_app", "served"]
