"""The receivers' fast lane: a raw ASGI layer that ``warroom serve`` puts in
front of the app, so that alert deliveries skip FastAPI's routing table,
dependency solving and middleware stack (a monitoring storm is thousands of
small requests a second).

It runs exactly the route functions of :mod:`warroom.intake.receivers`, with
the same authentication, limits and answers: the body limit, the
``application/problem+json`` mapping of errors and the count in the app's
HTTP metrics under its route are the lane kernel's (:mod:`warroom.lane`),
which the app's own middlewares and handlers use too. Everything that is not
a POST to a receiver goes on to the app unchanged, and the app itself keeps
the ordinary routes (for the OpenAPI document and for tests).
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Scope

from warroom.auth.deps import Requirement
from warroom.auth.permissions import Permission
from warroom.intake import receivers
from warroom.lane import Handler, Lane, Route

_WRITER = Requirement(Permission.alert_write)


async def _alertmanager(request: Request, key: str | None) -> Response:
    if key is None:
        return await receivers.alertmanager(request, _WRITER(request))
    return await receivers.alertmanager_integration(key, request)


async def _generic(request: Request, key: str | None) -> Response:
    if key is None:
        return await receivers.generic(request, _WRITER(request))
    return await receivers.generic_integration(key, request)


async def _pagerduty(request: Request, key: str | None) -> Response:
    return await receivers.pagerduty_enqueue(request)


async def _pagerduty_change(request: Request, key: str | None) -> Response:
    return await receivers.pagerduty_change(request)


# receiver path -> (handler, route template for metrics, no key)
ROUTES: dict[str, Route] = {
    "/api/v1/alerts/alertmanager": (_alertmanager, "/api/v1/alerts/alertmanager", None),
    "/api/v1/alerts/generic": (_generic, "/api/v1/alerts/generic", None),
    "/v2/enqueue": (_pagerduty, "/v2/enqueue", None),
    "/v2/change/enqueue": (_pagerduty_change, "/v2/change/enqueue", None),
}
# receiver path followed by an integration key -> (handler, route template)
KEYED: dict[str, tuple[Handler, str]] = {
    "/api/v1/alerts/alertmanager": (_alertmanager,
                                    "/api/v1/alerts/alertmanager/{integration_key}"),
    "/api/v1/alerts/generic": (_generic, "/api/v1/alerts/generic/{integration_key}"),
}


def mount(app: FastAPI) -> None:
    """Nothing to add: the receivers are ordinary routes of the app as well."""


def wrap(app: FastAPI, entry: ASGIApp) -> ASGIApp:
    return ReceiverLane(entry, app)


class ReceiverLane(Lane):
    """The lane kernel's route lane: body limit, NUL guard, problems and
    metrics are the app's (:mod:`warroom.lane`); this class only finds the
    receiver a POST is for."""

    def route(self, scope: Scope) -> Route | None:
        if scope["method"] != "POST":
            return None
        path: str = scope["path"]
        exact = ROUTES.get(path)
        if exact is not None:
            return exact
        prefix, _, key = path.rpartition("/")
        keyed = KEYED.get(prefix)
        if keyed is None or not key:
            return None
        return keyed[0], keyed[1], key
