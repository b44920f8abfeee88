"""Audit entries and the head of their hash chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100), index=True)
    target: Mapped[str] = mapped_column(String(200), index=True)
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    source_ip: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(server_default="1")
    """1: plain sha256 (entries written before the chain was keyed); 2: HMAC."""
    covers: Mapped[Any] = mapped_column(JSON, nullable=True)
    """Hashes of the rows this entry's unit of work wrote elsewhere (timeline
    events, incident rows), by section: ``{"events": [[id, hash], ...]}``."""


class AuditHead(Base):
    """One row: the last sequence number and hash. Locking it serialises the
    chain across processes; comparing it with the last entry catches a chain
    whose tail was cut off."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
