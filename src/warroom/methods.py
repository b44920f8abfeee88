"""405 Method Not Allowed, answered from the whole routing table.

Starlette tries routes one by one, so on its own it gets two things wrong
for an app with one route per method: the ``Allow`` header of a 405 names only
the first route that matched the path, and a method that a literal path does
not take falls through to a templated path of the same shape (``GET
/api/v1/alerts/alertmanager`` reached ``GET /api/v1/alerts/{alert_id}`` and
answered 422 about an integer). This layer looks at every route first: the
routes of a path are the ones matching it with the fewest path parameters (a
literal segment beats a template), and when none of them takes the method the
answer is a 405 problem listing all of their methods. Routes that speak
another API's dialect (the PagerDuty and Statuspage drop-ins) carry a
``refuse(request, problem)`` of their own, and a 405 on their paths is
answered in that dialect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.routing import Route

from warroom.errors import Problem
from warroom.http import problem_response

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

ANY = frozenset({"*"})  # a route that takes every method
_Entry = tuple[Any, int, frozenset[str], Any]  # path regex, parameters, methods, route


class MethodGuard:
    def __init__(self, app: ASGIApp, routes_of: Any) -> None:
        self.app = app
        self.routes_of = routes_of  # () -> the app's routes, read when first needed
        self._by_depth: dict[int | None, list[_Entry]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            allowed, routes = self.matching(scope["path"])
            if allowed and scope["method"] not in allowed and "*" not in allowed:
                await self._refuse(scope, allowed, routes)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def allowed(self, path: str) -> frozenset[str]:
        """The methods of the path's routes (empty when no route matches it)."""
        return self.matching(path)[0]

    def matching(self, path: str) -> tuple[frozenset[str], list[Any]]:
        """The methods of the path's routes, and those routes."""
        fewest: int | None = None
        methods: set[str] = set()
        routes: list[Any] = []
        for regex, params, route_methods, route in self._candidates(path):
            if (fewest is not None and params > fewest) or regex.match(path) is None:
                continue
            if fewest is None or params < fewest:
                fewest, methods, routes = params, set(), []
            methods |= route_methods
            routes.append(route)
        return frozenset(methods), routes

    def _candidates(self, path: str) -> list[_Entry]:
        """Routes with as many segments as the path (a ``{param}`` never spans a
        slash), plus the few whose ``{param:path}`` may."""
        if self._by_depth is None:
            self._by_depth = {}
            for route in _flatten(self.routes_of()):
                spans = any(c.regex != "[^/]+" for c in route.param_convertors.values())
                depth = None if spans else route.path_format.count("/")
                entry = (route.path_regex, len(route.param_convertors),
                         frozenset(route.methods) if route.methods else ANY, route)
                self._by_depth.setdefault(depth, []).append(entry)
        return self._by_depth.get(path.count("/"), []) + self._by_depth.get(None, [])

    @staticmethod
    def _refuse(scope: Scope, allowed: frozenset[str], routes: list[Any]) -> Any:
        names = ", ".join(sorted(allowed))
        problem = Problem(f"{scope['method']} is not allowed on {scope['path']}; "
                          f"use {names}.", status=405, title="Method Not Allowed")
        dialect = next((r.refuse for r in routes if hasattr(r, "refuse")), None)
        if dialect is not None:
            answer = dialect(Request(scope), problem)
            answer.headers["Allow"] = names
            return answer
        return problem_response(problem, instance=scope["path"], headers={"Allow": names})


def _flatten(routes: list[Any]) -> list[Route]:
    """Every route with a path and methods, looking inside included routers."""
    found: list[Route] = []
    stack = list(routes)
    while stack:
        route = stack.pop(0)
        if hasattr(route, "original_router"):
            stack.extend(route.original_router.routes)
        elif isinstance(route, Route) or hasattr(route, "methods"):
            found.append(route)
    return found
