"""Who fills a position (organisation-wide, or for one service)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base


class PositionBinding(Base):
    """``position`` is filled by ``targets`` (people, schedules, teams). A
    binding for a service wins over the organisation-wide one (service '')
    for incidents that name that service."""

    __tablename__ = "oncall_position_bindings"
    __table_args__ = (UniqueConstraint("position", "service"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[str] = mapped_column(String(64))
    service: Mapped[str] = mapped_column(String(100), default="")
    targets: Mapped[list[Any]]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(200))
