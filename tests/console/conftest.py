"""Console sign-in fixtures: users with passwords, a browser-like client, and
two probe routes that stand in for the screens (one read, one form post)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from fastapi import APIRouter, Depends, Request
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from warroom.auth import passwords
from warroom.auth import service as users
from warroom.auth.permissions import Permission
from warroom.console.session import check_csrf, console_requires, csrf_token
from warroom.db import Actor

if TYPE_CHECKING:
    from collections.abc import Iterator


PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """Argon2id with small costs: the same code path, a fraction of the time
    (production keeps pwdlib's recommended parameters)."""
    monkeypatch.setattr(passwords, "HASHER",
                        PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024),)))


@dataclass
class Accounts:
    ids: dict[str, int]


@pytest.fixture
def accounts(database, clock) -> Accounts:
    """One user per role (the API tests' ``people`` when present), each with
    the password ``PASSWORD``."""
    ids = {}
    with database.unit_of_work(Actor(name="setup", kind="system"), clock=clock) as uow:
        for role in ("viewer", "responder", "commander", "admin"):
            user = users.get_by_username(uow.session, username=role) or users.create(
                uow, username=role, role=role)
            passwords.set_password(uow, user=user, password=PASSWORD)
            ids[role] = user.id
    return Accounts(ids=ids)


def probe_router() -> APIRouter:
    router = APIRouter()

    @router.get("/probe")
    def probe(request: Request, actor: Actor = console_requires(Permission.incident_read)
              ) -> dict[str, object]:
        return {"name": actor.name, "role": actor.role, "csrf": csrf_token(request)}

    @router.post("/probe", dependencies=[Depends(check_csrf)])
    def change(actor: Actor = console_requires(Permission.incident_write)) -> dict[str, str]:
        return {"changed_by": actor.name}

    return router


@pytest.fixture
def browser(app) -> Iterator[TestClient]:
    """A client that keeps cookies and does not follow redirects (tests read them)."""
    app.include_router(probe_router())
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield client


def form_token(client: TestClient, path: str = "/sign-in") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = TOKEN.search(page.text)
    assert found, page.text
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD, next_url: str = "/"):
    token = form_token(client)
    return client.post("/sign-in", data={"username": username, "password": password,
                                         "next": next_url, "csrf_token": token})
