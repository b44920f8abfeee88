"""Who is on call in a schedule: layers stacked by rank, then overrides.

A higher-ranked layer wins wherever it has someone on call; where it has
nobody (outside its window, before it starts) the next layer shows through.
Overrides apply on top, the most recent last: one with ``replaces`` swaps that
person out, one without takes the whole slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from warroom.oncall.schedules.rotation import Rotation


@dataclass(frozen=True)
class Cover:
    """An override: ``user_id`` on call from ``starts_at`` to ``ends_at``."""

    id: int
    user_id: int
    replaces_user_id: int | None
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Shift:
    starts_at: datetime
    ends_at: datetime
    user_ids: tuple[int, ...]


@dataclass(frozen=True)
class Timetable:
    schedule_id: int
    name: str
    zone: ZoneInfo
    layers: tuple[Rotation, ...]
    """Highest rank first."""
    covers: tuple[Cover, ...]
    """Oldest first."""

    def on_call(self, at: datetime) -> tuple[int, ...]:
        who: list[int] = []
        for layer in self.layers:
            found = layer.on_call(at)
            if found is not None:
                who = [found]
                break
        for cover in self.covers:
            if cover.starts_at <= at < cover.ends_at:
                if cover.replaces_user_id is None:
                    who = [cover.user_id]
                else:
                    who = [cover.user_id if u == cover.replaces_user_id else u for u in who]
        return tuple(dict.fromkeys(who))

    def shifts(self, start: datetime, end: datetime) -> list[Shift]:
        """The final schedule between ``start`` and ``end``: consecutive
        stretches with the same people on call (empty stretches left out)."""
        changes = {start}
        for layer in self.layers:
            changes.update(layer.changes(start, end))
        for cover in self.covers:
            changes.update(m for m in (cover.starts_at, cover.ends_at) if start <= m < end)
        points = sorted(changes)
        shifts: list[Shift] = []
        for begin, finish in zip(points, [*points[1:], end], strict=True):
            who = self.on_call(begin)
            if shifts and shifts[-1].user_ids == who and shifts[-1].ends_at == begin:
                shifts[-1] = Shift(shifts[-1].starts_at, finish, who)
            elif who:
                shifts.append(Shift(begin, finish, who))
        return shifts
