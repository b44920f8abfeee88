"""Teams: create them, add and remove members."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, delete, select

from warroom.audit import service as audit
from warroom.auth import service as users
from warroom.errors import Conflict, NotFound
from warroom.oncall.naming import checked_name
from warroom.oncall.teams.models import Team, TeamMember

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.auth.models import User
    from warroom.db import UnitOfWork


def get_by_name(session: Session, *, name: str) -> Team | None:
    return session.scalar(select(Team).where(Team.name == str(name).strip().lower()))


def get_by_name_or_raise(session: Session, *, name: str) -> Team:
    team = get_by_name(session, name=name)
    if team is None:
        raise NotFound(f"There is no team named {name!r}.")
    return team


def get_all(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).order_by(Team.name)))


def create(uow: UnitOfWork, *, name: str, description: str = "") -> Team:
    name = checked_name(name, "team")
    if get_by_name(uow.session, name=name):
        raise Conflict(f"A team named {name!r} already exists.")
    team = Team(name=name, description=description, created_at=uow.now())
    uow.session.add(team)
    uow.session.flush()
    audit.record(uow, action="oncall.team.create", target=f"team:{name}",
                 after={"description": description})
    return team


def add_member(uow: UnitOfWork, *, team: Team, username: str) -> bool:
    """False when the person already belongs to the team."""
    person = users.get_by_username_or_raise(uow.session, username=username)
    if uow.session.scalar(select(TeamMember.id).where(TeamMember.team_id == team.id,
                                                      TeamMember.user_id == person.id)):
        return False
    uow.session.add(TeamMember(team_id=team.id, user_id=person.id, added_at=uow.now()))
    audit.record(uow, action="oncall.team.add_member", target=f"team:{team.name}",
                 after={"member": person.username})
    return True


def remove_member(uow: UnitOfWork, *, team: Team, username: str) -> None:
    person = users.get_by_username_or_raise(uow.session, username=username)
    # Session.execute is typed as returning a plain Result even for a DELETE.
    removed = cast("CursorResult[Any]", uow.session.execute(
        delete(TeamMember).where(TeamMember.team_id == team.id, TeamMember.user_id == person.id)))
    if not removed.rowcount:
        raise NotFound(f"{person.username} is not a member of {team.name}.")
    audit.record(uow, action="oncall.team.remove_member", target=f"team:{team.name}",
                 before={"member": person.username})


def members(session: Session, *, team: Team) -> list[User]:
    ids = session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team.id))
    return list(users.get_many(session, ids=ids).values())


def teams_of(session: Session, *, user_id: int) -> list[str]:
    return list(session.scalars(select(Team.name).join(TeamMember, TeamMember.team_id == Team.id)
                                .where(TeamMember.user_id == user_id).order_by(Team.name)))
