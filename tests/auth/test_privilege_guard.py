"""The regression guard for privilege: every route walked with tokens of each
role and with capped tokens answers as the token's effective role, and no
token can reach above that role through tokens, users, integrations or key
rotation."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.core.test_route_permissions import concrete_path, declared_access, walked_routes
from warroom.auth import service as users
from warroom.auth.deps import PublicMarker
from warroom.auth.permissions import ROLE_ORDER, ROLE_PERMISSIONS, Permission, Role, allows
from warroom.db import Actor


@dataclass(frozen=True)
class Caller:
    label: str
    secret: str
    role: Role
    """What the token may do: the lower of its cap and its owner's role."""
    owner: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


def _issue(uow, username: str, role: Role, cap: Role | None) -> str:
    owner = users.get_by_username(uow.session, username=username) or users.create(
        uow, username=username, role=role.value)
    return users.issue_token(uow, user=owner, name=f"cap-{cap}",
                             role=cap.value if cap else None).secret


@pytest.fixture
def callers(database, clock, people) -> list[Caller]:
    """A token per role, every lower cap of every role, a CLI service account
    raised after its token was issued, and a user raised likewise."""
    found = [Caller(f"{role}", people.tokens[role.value], role, role.value)
             for role in ROLE_ORDER]
    with database.unit_of_work(Actor(name="setup", kind="system"), clock=clock) as uow:
        for owner in ROLE_ORDER:
            for cap in ROLE_ORDER[:owner.rank]:
                secret = _issue(uow, f"{owner}-capped", owner, cap)
                found.append(Caller(f"{owner} capped at {cap}", secret, cap,
                                    f"{owner}-capped"))
        low = users.service_account_token(uow, name="ci", role="viewer").secret
        users.service_account_token(uow, name="ci", role="admin")
        found.append(Caller("CLI service account raised to admin", low, Role.viewer, "ci"))
        early = _issue(uow, "promoted", Role.viewer, None)
        promoted = users.get_by_username(uow.session, username="promoted")
        users.update(uow, user=promoted, role="commander")
        found.append(Caller("user raised after issue", early, Role.viewer, "promoted"))
    return found


def test_every_route_answers_as_the_tokens_effective_role(client, callers):
    reduced = [c for c in callers if c.role.value != c.owner]
    checked = 0
    for route in walked_routes(client.app):
        (marker,) = declared_access(route)
        if isinstance(marker, PublicMarker):
            continue
        path = concrete_path(route)
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            body = {} if method in ("POST", "PUT", "PATCH") else None
            for caller in reduced:
                answer = client.request(method, path, json=body, headers=caller.headers)
                if allows(caller.role, marker.permission):
                    assert answer.status_code not in (401, 403), (caller.label, method, path,
                                                                  answer.text)
                else:
                    assert answer.status_code == 403, (caller.label, method, path)
                    assert marker.permission.value in answer.json()["detail"]
                checked += 1
    assert checked > 200


def test_no_token_reaches_above_its_role_through_tokens(client, callers):
    for caller in callers:
        me = client.get("/api/v1/me", headers=caller.headers).json()
        assert me["role"] == caller.role.value, caller.label
        assert set(me["permissions"]) == {p.value for p in ROLE_PERMISSIONS[caller.role]}
        for higher in ROLE_ORDER[caller.role.rank + 1:]:
            answer = client.post("/api/v1/tokens", headers=caller.headers,
                                 json={"name": "up", "role": higher.value})
            assert answer.status_code == 403, (caller.label, higher, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
        child = client.post("/api/v1/tokens", headers=caller.headers, json={"name": "kid"})
        assert child.status_code == 201, (caller.label, child.text)
        assert child.json()["role"] == caller.role.value
        grand = {"Authorization": f"Bearer {child.json()['token']}"}
        assert client.get("/api/v1/me", headers=grand).json()["role"] == caller.role.value
        other = client.post("/api/v1/tokens", headers=caller.headers,
                            json={"name": "theirs", "username": "admin"})
        assert (other.status_code == 201) == allows(caller.role, Permission.user_admin), \
            caller.label


def test_no_token_reaches_above_its_role_through_users(client, callers):
    for caller in callers:
        may = allows(caller.role, Permission.user_admin)
        made = client.post("/api/v1/users", headers=caller.headers,
                           json={"username": f"new-{caller.secret[-6:].lower()}",
                                 "role": "admin"})
        assert (made.status_code == 201) == may, (caller.label, made.text)
        raised = client.patch(f"/api/v1/users/{caller.owner}", headers=caller.headers,
                              json={"role": "admin"})
        assert (raised.status_code == 200) == may, (caller.label, raised.text)
        if not may:
            assert raised.status_code == 403
        elif caller.owner != "admin":
            client.patch(f"/api/v1/users/{caller.owner}", headers=caller.headers,
                         json={"role": caller.role.value})


def test_no_token_reaches_above_its_role_through_integrations(client, callers, people):
    for caller in callers:
        made = client.post("/api/v1/integrations", headers=caller.headers,
                           json={"name": f"am-{caller.secret[-6:]}", "kind": "alertmanager"})
        assert (made.status_code == 201) == allows(caller.role, Permission.routing_admin), \
            (caller.label, made.text)
    key = client.post("/api/v1/integrations", headers=people.admin,
                      json={"name": "prometheus", "kind": "alertmanager"}).json()["key"]
    for secret in (key, f"wr_{key}"):
        answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
        assert answer.status_code == 401


def test_no_token_reaches_above_its_role_through_key_rotation(client, callers, people):
    for caller in callers:
        if not allows(caller.role, Permission.keys_rotate):
            answer = client.post("/api/v1/admin/security/rotate-keys", headers=caller.headers)
            assert answer.status_code == 403, caller.label
            assert "keys:rotate" in answer.json()["detail"]
    rotated = client.post("/api/v1/admin/security/rotate-keys", headers=people.admin)
    assert rotated.status_code == 200, rotated.text
    fresh = {"Authorization": f"Bearer {rotated.json()['token']}"}
    assert client.get("/api/v1/me", headers=fresh).json()["role"] == "admin"
    for caller in callers:
        assert client.get("/api/v1/me", headers=caller.headers).status_code == 401
    (listed,) = [t for t in client.get("/api/v1/tokens", headers=fresh).json()
                 if t["revoked_at"] is None]
    assert (listed["user"], listed["role"]) == ("admin", "admin")
