"""Every route declares a permission (or is deliberately public), and the
permission table is enforced for every role."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from warroom.auth.deps import IncidentScopedRequirement, PublicMarker, Requirement
from warroom.auth.permissions import INCIDENT_ROLE_GRANTS, ROLE_ORDER, allows
from warroom.console.session import check_csrf, session_actor
from warroom.http import api_routes
from warroom.incidents import catalog

if TYPE_CHECKING:
    from fastapi.routing import APIRoute

PLACEHOLDERS = {"ref": "INC-999999", "incident": "INC-999999"}
ROTATES_TOKENS = "/api/v1/admin/security/rotate-keys"


def walked_routes(app) -> list[APIRoute]:
    """Every API route, the key rotation last: it revokes the tokens the walk
    uses (and the admin, last of the roles, is the one it works for). The
    console's screens sign in with a session cookie, not a token, and answer
    a stranger with the sign-in page: tests/console walks them."""
    return sorted((route for route in api_routes(app) if not is_console(route)),
                  key=lambda route: route.path == ROTATES_TOKENS)


def is_console(route: APIRoute) -> bool:
    stack = list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        if dependency.call is check_csrf or getattr(dependency.call, "authenticate",
                                                    None) is session_actor:
            return True
        stack.extend(dependency.dependencies)
    return False


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


def concrete_path(route: APIRoute, placeholders: dict[str, str] = PLACEHOLDERS) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        if name in placeholders:
            return placeholders[name]
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


def test_incident_roles_grant_what_their_table_says_on_every_scoped_route(client, people):
    """A viewer holding each incident role in turn on INC-1 gets exactly the
    table's grants on every incident-scoped route, and nothing once INC-1 closes."""
    assert set(INCIDENT_ROLE_GRANTS) <= {role.id for role in catalog.roles()}
    scoped = [(route, marker) for route in api_routes(client.app)
              for marker in declared_access(route) if isinstance(marker, IncidentScopedRequirement)
              and not is_console(route)]  # sessions: tests/console/test_incident_actions.py
    assert scoped, "no route is scoped to an incident"
    ref = client.post("/api/v1/incidents", headers=people.admin, json={
        "type": "service_outage", "severity": "sev2", "title": "Chat down"}).json()["id"]
    code = client.post("/api/v1/statuspage/incidents", headers=people.admin, json={
        "name": "Chat down", "body": "Looking.", "internal_incident": ref,
        "deliver_notifications": False}).json()["id"]
    places = {"ref": ref, "incident": ref, "code": code}

    def answers(role: str | None) -> list[tuple[str, str, int]]:
        found = []
        for route, marker in scoped:
            for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                answer = client.request(method, concrete_path(route, places), json={},
                                        headers=people.headers("viewer"))
                granted = role is not None and marker.permission in INCIDENT_ROLE_GRANTS.get(
                    role, ())
                assert (answer.status_code == 403) != granted, (role, method, route.path,
                                                                answer.text)
                found.append((method, route.path, answer.status_code))
        return found

    for role in catalog.roles():
        assign = {"role": role.id, "primary": "viewer"}
        assert client.post(f"/api/v1/incidents/{ref}/roles", headers=people.admin,
                           json=assign).status_code == 200
        answers(role.id)
        client.post(f"/api/v1/incidents/{ref}/roles", headers=people.admin,
                    json={"role": role.id, "primary": None})
    client.post(f"/api/v1/incidents/{ref}/roles", headers=people.admin,
                json={"role": "communications_lead", "primary": "viewer"})
    client.post(f"/api/v1/incidents/{ref}/declared-in-error", headers=people.admin,
                json={"reason": "a test alert"})
    answers(None)
