"""Escalation policies written by an organisation (shipped ones are files)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base


class CustomPolicy(Base):
    """A policy stored in the database; one named like a shipped policy
    (``sev1``) replaces it."""

    __tablename__ = "oncall_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    document: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(200))
