"""Bind positions to people, schedules or teams."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from warroom.audit import service as audit
from warroom.auth import service as users
from warroom.errors import Invalid, NotFound
from warroom.oncall.positions import catalog
from warroom.oncall.positions.models import PositionBinding
from warroom.oncall.schedules import service as schedules
from warroom.oncall.teams import service as teams

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork
    from warroom.oncall.targets import TargetSpec

MAX_TARGETS = 20


def get_all(session: Session) -> list[PositionBinding]:
    return list(session.scalars(select(PositionBinding)
                                .order_by(PositionBinding.position, PositionBinding.service)))


def get(session: Session, *, position: str, service: str = "") -> PositionBinding | None:
    return session.scalar(select(PositionBinding).where(PositionBinding.position == position,
                                                        PositionBinding.service == service))


def any_bound(session: Session) -> bool:
    return session.scalar(select(PositionBinding.id).limit(1)) is not None


def bind(uow: UnitOfWork, *, position: str, targets: list[TargetSpec],
         service: str = "") -> PositionBinding:
    """``position`` is filled by ``targets`` (for ``service`` only, if given)."""
    found = catalog.position(position)
    service = service.strip()
    if not targets or len(targets) > MAX_TARGETS:
        raise Invalid(f"Bind a position to 1-{MAX_TARGETS} targets.")
    for target in targets:
        check_exists(uow.session, target, allow_positions=False)
    binding = get(uow.session, position=found.id, service=service)
    before = binding.targets if binding else None
    if binding is None:
        binding = PositionBinding(position=found.id, service=service, targets=[],
                                  updated_at=uow.now(), updated_by=uow.actor.label)
        uow.session.add(binding)
    binding.targets = [t.as_dict() for t in targets]
    binding.updated_at = uow.now()
    binding.updated_by = uow.actor.label
    uow.session.flush()
    audit.record(uow, action="oncall.position.bind",
                 target=f"position:{found.id}" + (f"/service:{service}" if service else ""),
                 before=before, after=binding.targets)
    return binding


def unbind(uow: UnitOfWork, *, position: str, service: str = "") -> None:
    found = catalog.position(position)
    binding = get(uow.session, position=found.id, service=service.strip())
    if binding is None:
        raise NotFound(f"Position {found.id!r} is not bound"
                       + (f" for service {service!r}." if service else "."))
    uow.session.delete(binding)
    audit.record(uow, action="oncall.position.unbind", target=f"position:{found.id}",
                 before={"service": binding.service, "targets": binding.targets})


def check_exists(session: Session, target: TargetSpec, *, allow_positions: bool = True) -> None:
    """Refuse a target that names nothing (a typo would page nobody)."""
    if target.kind == "user":
        users.get_by_username_or_raise(session, username=target.name)
    elif target.kind == "schedule":
        schedules.get_by_name_or_raise(session, name=target.name)
    elif target.kind == "team":
        teams.get_by_name_or_raise(session, name=target.name)
    elif not allow_positions:
        raise Invalid("A position is bound to people, schedules or teams, not to another "
                      "position.")
    else:
        catalog.position(target.name)
