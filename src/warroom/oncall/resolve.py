"""Turn targets into people at one moment.

A :class:`Resolver` remembers every schedule, team, person and position it
looked up, so resolving the steps of a thousand escalations in one engine
cycle costs a handful of queries, not thousands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.auth import service as users
from warroom.oncall.positions import service as positions
from warroom.oncall.schedules import service as schedules
from warroom.oncall.targets import TargetSpec
from warroom.oncall.teams import service as teams

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from sqlalchemy.orm import Session


class Resolver:
    def __init__(self, session: Session, at: datetime) -> None:
        self.session = session
        self.at = at
        self._found: dict[tuple[str, str], tuple[int, ...]] = {}
        self._bindings: dict[tuple[str, str], list[TargetSpec]] | None = None

    def people(self, targets: Iterable[TargetSpec], services: Sequence[str] = ()) -> list[int]:
        """Everyone the targets point at now, in order, each once."""
        found: list[int] = []
        for target in targets:
            found.extend(self.resolve(target, services))
        return list(dict.fromkeys(found))

    def resolve(self, target: TargetSpec, services: Sequence[str] = ()) -> tuple[int, ...]:
        if target.kind == "position":
            return tuple(dict.fromkeys(person for bound in self.bound(target.name, services)
                                       for person in self.resolve(bound)))
        key = (target.kind, target.name)
        if key not in self._found:
            self._found[key] = self._lookup(target)
        return self._found[key]

    def prefetch(self, targets: Iterable[TargetSpec], services: Sequence[str] = ()) -> None:
        """Look up every person named in ``targets`` (directly or through a
        position) with one query, before resolving them one by one."""
        wanted: set[str] = set()
        for target in targets:
            found = self.bound(target.name, services) if target.kind == "position" else [target]
            wanted.update(t.name for t in found if t.kind == "user")
        missing = [name for name in wanted if ("user", name) not in self._found]
        if not missing:
            return
        rows = users.active_ids(self.session, usernames=missing)
        for name in missing:
            self._found[("user", name)] = (rows[name],) if name in rows else ()

    def bound(self, position: str, services: Sequence[str] = ()) -> list[TargetSpec]:
        """What fills ``position``: the bindings of the incident's services if
        any exist, else the organisation-wide one."""
        bindings = self.bindings()
        specific = [t for service in services for t in bindings.get((position, service), [])]
        return specific or bindings.get((position, ""), [])

    def bindings(self) -> dict[tuple[str, str], list[TargetSpec]]:
        """Every position binding, by (position, service); loaded once."""
        if self._bindings is None:
            self._bindings = {(b.position, b.service): [TargetSpec.model_validate(t)
                                                        for t in b.targets]
                              for b in positions.get_all(self.session)}
        return self._bindings

    def _lookup(self, target: TargetSpec) -> tuple[int, ...]:
        if target.kind == "user":
            found = users.active_ids(self.session, usernames=[target.name]).get(target.name)
            return (found,) if found else ()
        if target.kind == "schedule":
            schedule = schedules.get_by_name(self.session, name=target.name)
            if schedule is None:
                return ()
            return schedules.timetable(self.session, schedule=schedule,
                                       start=self.at).on_call(self.at)
        team = teams.get_by_name(self.session, name=target.name)
        if team is None:
            return ()
        return tuple(m.id for m in teams.members(self.session, team=team) if m.is_active)
