"""Evidence items and their append-only custody events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base


class EvidenceItem(Base):
    """One item (``EV-n``): what it is, where it came from, who holds it, and
    (for content kept here) the content's hashes. The content itself lives in
    the content-addressed store under its SHA-256."""

    __tablename__ = "evidence_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    source_host: Mapped[str | None] = mapped_column(String(300))
    source_locator: Mapped[str | None] = mapped_column(String(2000))
    method_tool: Mapped[str | None] = mapped_column(String(200))
    method_version: Mapped[str | None] = mapped_column(String(200))
    method_argv: Mapped[list[Any] | None] = mapped_column(JSON)
    collection: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """What a collecting run recorded: host, start/end, exit code, stderr hash."""
    collected_by: Mapped[str | None] = mapped_column(String(200))
    collected_at: Mapped[datetime | None]
    collected_tz: Mapped[str | None] = mapped_column(String(64))
    """The time zone the collector gave (``+02:00``), kept beside the UTC time."""
    registered_by: Mapped[str] = mapped_column(String(200))
    registered_at: Mapped[datetime]
    original_filename: Mapped[str | None] = mapped_column(String(500))
    size: Mapped[int | None] = mapped_column(BigInteger)
    media_type_sniffed: Mapped[str | None] = mapped_column(String(200))
    media_type_declared: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    sha1: Mapped[str | None] = mapped_column(String(40))
    md5: Mapped[str | None] = mapped_column(String(32))
    tlp: Mapped[str] = mapped_column(String(20), default="amber")
    personal_data: Mapped[bool] = mapped_column(default=False)
    derived_from_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_items.id"))
    produced_by_step: Mapped[str | None] = mapped_column(String(300))
    produced_by_event_id: Mapped[int | None]
    custodian: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="registered", index=True)
    legal_hold: Mapped[bool] = mapped_column(default=False)
    retention_until: Mapped[datetime | None]
    sealed_at: Mapped[datetime | None]
    destroy_requested_by: Mapped[str | None] = mapped_column(String(200))
    next_rehash_at: Mapped[datetime | None] = mapped_column(index=True)
    custody_seq: Mapped[int] = mapped_column(default=0)
    custody_head: Mapped[str] = mapped_column(String(64), default="0" * 64)

    @property
    def ref(self) -> str:
        return f"EV-{self.id}"


class CustodyEvent(Base):
    """One thing done to an item. Never updated or deleted: each event links to
    the one before it (``prev_hash``), and its hash is also sealed into the
    audit chain."""

    __tablename__ = "evidence_custody"
    __table_args__ = (UniqueConstraint("item_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id"), index=True)
    seq: Mapped[int]
    action: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(200))
    counterparty: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(1000))
    location: Mapped[str | None] = mapped_column(String(500))
    address: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime]
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    hash_observed: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
