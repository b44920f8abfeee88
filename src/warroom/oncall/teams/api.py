"""Teams over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session

from warroom.auth.deps import requires
from warroom.auth.permissions import Permission
from warroom.db import Actor
from warroom.http import read_session, write_unit
from warroom.oncall.teams import service
from warroom.oncall.teams.models import Team
from warroom.oncall.teams.schemas import TeamIn, TeamOut

router = APIRouter(tags=["on-call teams"])
Reader = Annotated[Actor, requires(Permission.oncall_read)]
Writer = Annotated[Actor, requires(Permission.oncall_write)]


@router.get("/api/v1/oncall/teams", response_model=list[TeamOut])
def list_teams(request: Request, actor: Reader) -> list[TeamOut]:
    with read_session(request) as session:
        return [present(session, t) for t in service.get_all(session)]


@router.post("/api/v1/oncall/teams", status_code=201, response_model=TeamOut)
def create_team(body: TeamIn, request: Request, actor: Writer) -> TeamOut:
    with write_unit(request, actor) as uow:
        team = service.create(uow, name=body.name, description=body.description)
        for username in body.members:
            service.add_member(uow, team=team, username=username)
        uow.session.flush()
        return present(uow.session, team)


@router.get("/api/v1/oncall/teams/{name}", response_model=TeamOut)
def get_team(name: str, request: Request, actor: Reader) -> TeamOut:
    with read_session(request) as session:
        return present(session, service.get_by_name_or_raise(session, name=name))


@router.put("/api/v1/oncall/teams/{name}/members/{username}", response_model=TeamOut)
def add_member(name: str, username: str, request: Request, actor: Writer) -> TeamOut:
    with write_unit(request, actor) as uow:
        team = service.get_by_name_or_raise(uow.session, name=name)
        service.add_member(uow, team=team, username=username)
        uow.session.flush()
        return present(uow.session, team)


@router.delete("/api/v1/oncall/teams/{name}/members/{username}", response_model=TeamOut)
def remove_member(name: str, username: str, request: Request, actor: Writer) -> TeamOut:
    with write_unit(request, actor) as uow:
        team = service.get_by_name_or_raise(uow.session, name=name)
        service.remove_member(uow, team=team, username=username)
        uow.session.flush()
        return present(uow.session, team)


def present(session: Session, team: Team) -> TeamOut:
    return TeamOut(name=team.name, description=team.description,
                   members=[m.username for m in service.members(session, team=team)])
