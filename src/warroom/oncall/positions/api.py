"""Positions and their bindings over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from warroom.auth.deps import requires
from warroom.auth.permissions import Permission
from warroom.db import Actor
from warroom.http import read_session, write_unit
from warroom.oncall.positions import catalog, service
from warroom.oncall.targets import TargetSpec
from warroom.text import Line

router = APIRouter(tags=["on-call positions"])
Reader = Annotated[Actor, requires(Permission.oncall_read)]
Writer = Annotated[Actor, requires(Permission.oncall_write)]


class BindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    targets: list[TargetSpec] = Field(min_length=1, max_length=20)
    service: Line = Field("", max_length=100)
    """Bind for incidents naming this service only (empty: organisation-wide)."""


class BindingOut(BaseModel):
    service: str
    targets: list[dict[str, str]]


class PositionOut(BaseModel):
    id: str
    name: str
    description: str
    bindings: list[BindingOut]


@router.get("/api/v1/oncall/positions", response_model=list[PositionOut])
def list_positions(request: Request, actor: Reader) -> list[PositionOut]:
    """The positions policies name, and who fills each."""
    with read_session(request) as session:
        return present(session)


@router.put("/api/v1/oncall/positions/{position}", response_model=list[PositionOut])
def bind(position: str, body: BindingIn, request: Request, actor: Writer) -> list[PositionOut]:
    with write_unit(request, actor) as uow:
        service.bind(uow, position=position, targets=body.targets, service=body.service)
        return present(uow.session)


@router.delete("/api/v1/oncall/positions/{position}", status_code=204)
def unbind(position: str, request: Request, actor: Writer,
           service_name: Annotated[str, Query(alias="service", max_length=100)] = ""
           ) -> Response:
    with write_unit(request, actor) as uow:
        service.unbind(uow, position=position, service=service_name)
    return Response(status_code=204)


def present(session: Session) -> list[PositionOut]:
    bindings = service.get_all(session)
    return [PositionOut(id=p.id, name=p.name, description=p.description,
                        bindings=[BindingOut(service=b.service, targets=b.targets)
                                  for b in bindings if b.position == p.id])
            for p in catalog.positions()]
