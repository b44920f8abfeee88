"""Escalation policies over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response

from warroom.auth.deps import requires
from warroom.auth.permissions import Permission
from warroom.db import Actor
from warroom.errors import Invalid
from warroom.http import read_session, write_unit
from warroom.oncall.policies import service
from warroom.oncall.policies.document import Policy

router = APIRouter(tags=["on-call policies"])
Reader = Annotated[Actor, requires(Permission.oncall_read)]
Writer = Annotated[Actor, requires(Permission.oncall_write)]


@router.get("/api/v1/oncall/policies")
def list_policies(request: Request, actor: Reader) -> list[dict[str, Any]]:
    """Shipped and custom policies (a custom one replaces a shipped one of the
    same name)."""
    with read_session(request) as session:
        return [present(found) for found in service.get_all(session)]


@router.get("/api/v1/oncall/policies/{name}")
def get_policy(name: str, request: Request, actor: Reader) -> dict[str, Any]:
    with read_session(request) as session:
        return present(service.get_by_name_or_raise(session, name=name))


@router.put("/api/v1/oncall/policies/{name}")
def put_policy(name: str, body: Policy, request: Request, actor: Writer) -> dict[str, Any]:
    """Create or replace a custom policy."""
    if body.name.strip().lower() != name.strip().lower():
        raise Invalid(f"The policy in the body is named {body.name!r}, not {name!r}.")
    with write_unit(request, actor) as uow:
        return present(service.put(uow, policy=body))


@router.delete("/api/v1/oncall/policies/{name}", status_code=204)
def delete_policy(name: str, request: Request, actor: Writer) -> Response:
    with write_unit(request, actor) as uow:
        service.delete(uow, name=name)
    return Response(status_code=204)


def present(found: service.Found) -> dict[str, Any]:
    return {**found.policy.model_dump(mode="json"), "source": found.source,
            "step_minutes": [offset / 60 for offset in found.policy.offsets()]}
