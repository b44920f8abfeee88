"""What PagerDuty knows about an incident and warroom does not: the service
it was opened on and its ``incident_key`` (for deduplication)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base


class OpenedIncident(Base):
    """One incident opened through ``POST /pagerduty/incidents``."""

    __tablename__ = "pagerduty_incidents"
    __table_args__ = (Index("ix_pagerduty_incidents_key", "service", "incident_key"),)

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    service: Mapped[str] = mapped_column(String(100))
    incident_key: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
