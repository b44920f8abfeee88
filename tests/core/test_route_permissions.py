"""Every route declares a permission (or is deliberately public), and the
permission table is enforced for every role."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute

from warroom.auth.deps import PublicMarker, Requirement
from warroom.auth.permissions import ROLE_ORDER, allows
from warroom.http import api_routes

PLACEHOLDERS = {"ref": "INC-999999", "incident": "INC-999999"}
ROTATES_TOKENS = "/api/v1/admin/security/rotate-keys"


def walked_routes(app) -> list[APIRoute]:
    """Every API route, the key rotation last: it revokes the tokens the walk
    uses (and the admin, last of the roles, is the one it works for)."""
    return sorted(api_routes(app), key=lambda route: route.path == ROTATES_TOKENS)


def declared_access(route: APIRoute) -> list[object]:
    """The permission markers found anywhere in the route's dependency tree."""
    found = []
    stack = list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        if isinstance(dependency.call, (Requirement, PublicMarker)):
            found.append(dependency.call)
        stack.extend(dependency.dependencies)
    return found


def concrete_path(route: APIRoute) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        if name in PLACEHOLDERS:
            return PLACEHOLDERS[name]
        return "999999" if name.endswith("id") else "no-such-thing"

    return re.sub(r"\{([^}]+)\}", fill, route.path)


def test_every_route_declares_exactly_one_access_rule(app):
    missing = []
    for route in api_routes(app):
        markers = declared_access(route)
        if len(markers) != 1:
            missing.append(f"{sorted(route.methods)} {route.path}: {len(markers)} rules")
    assert not missing, "routes without exactly one declared permission:\n" + "\n".join(missing)


def test_every_route_against_every_role(client, people):
    checked = 0
    for route in walked_routes(client.app):
        (marker,) = declared_access(route)
        path = concrete_path(route)
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            body = {} if method in ("POST", "PUT", "PATCH") else None
            anonymous = client.request(method, path, json=body)
            if isinstance(marker, PublicMarker):
                assert anonymous.status_code not in (401, 403), (method, path)
                continue
            assert anonymous.status_code == 401, (method, path, anonymous.text)
            assert anonymous.headers["content-type"].startswith("application/problem+json")
            for role in ROLE_ORDER:
                answer = client.request(method, path, json=body, headers=people.headers(role))
                if allows(role, marker.permission):
                    assert answer.status_code not in (401, 403), (role, method, path,
                                                                  answer.text)
                else:
                    assert answer.status_code == 403, (role, method, path, answer.text)
                    assert marker.permission.value in answer.json()["detail"]
                checked += 1
    assert checked > 50


def test_no_input_produces_a_server_error_on_any_route(client, people):
    weird_bodies = [None, [], "text", {"unexpected": True}, {"type": None}, 12]
    for route in walked_routes(client.app):
        path = concrete_path(route)
        for method in sorted(route.methods - {"HEAD", "OPTIONS", "GET", "DELETE"}):
            for body in weird_bodies:
                answer = client.request(method, path, json=body, headers=people.admin)
                assert answer.status_code < 500, (method, path, body, answer.text)
