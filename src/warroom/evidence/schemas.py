"""What evidence requests carry and what the API answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from warroom.strict import Moment, Switch

Kind = Literal["file", "log_excerpt", "command_output", "database_dump", "memory_image",
               "screenshot", "chat_message", "external_reference", "physical_item"]
Tlp = Literal["red", "amber+strict", "amber", "green", "clear"]
STORED_KINDS = ("file", "log_excerpt", "command_output", "database_dump", "memory_image",
                "screenshot", "chat_message")


class ItemIn(BaseModel):
    """An item's description: the JSON body for external and physical items,
    the ``metadata`` part of a multipart upload."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind = "file"
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20000)
    source_host: str | None = Field(default=None, max_length=300)
    source_locator: str | None = Field(default=None, max_length=2000)
    method_tool: str | None = Field(default=None, max_length=200)
    method_version: str | None = Field(default=None, max_length=200)
    method_argv: list[str] | None = None
    collection: dict[str, Any] | None = None
    collected_by: str | None = Field(default=None, max_length=200)
    collected_at: Moment | None = None
    """With its UTC offset (``2026-03-01T10:15:00+01:00``): the offset is kept."""
    original_filename: str | None = Field(default=None, max_length=500)
    media_type: str | None = Field(default=None, max_length=200)
    tlp: Tlp = "amber"
    personal_data: Switch = False
    derived_from: str | None = Field(default=None, pattern=r"^EV-\d{1,9}$")
    produced_by_step: str | None = Field(default=None, max_length=300)
    produced_by_event_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    custodian: str | None = Field(default=None, max_length=200)
    location: str | None = Field(default=None, max_length=500)
    retention_until: Moment | None = None
    declared_hashes: dict[str, str] = {}
    """``{"sha256": "..."}``: checked against what the server computes."""


class ExternalItemIn(ItemIn):
    """The JSON body: an item kept elsewhere (no content here)."""

    kind: Literal["external_reference", "physical_item"] = "external_reference"


class Purpose(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: str = Field(min_length=3, max_length=1000)


class TransferIn(Purpose):
    to: str = Field(min_length=1, max_length=200)
    location: str = Field(min_length=1, max_length=500)
    tz: str = Field(default="UTC", max_length=64)


class ExportIn(Purpose):
    to: str | None = Field(default=None, max_length=200)
    """Who receives the bundle (the custody events' counterparty)."""


class HoldIn(Purpose):
    on: Switch


class AmendIn(Purpose):
    changes: dict[str, Any]


class EventIn(Purpose):
    action: Literal["note", "copied", "accessed", "released", "returned"] = "note"
    counterparty: str | None = Field(default=None, max_length=200)
    location: str | None = Field(default=None, max_length=500)


class CustodyOut(BaseModel):
    id: int
    seq: int
    action: str
    actor: str
    counterparty: str | None
    purpose: str
    location: str | None
    address: str | None
    at: str
    tz: str
    hash_observed: str | None
    before: Any
    after: Any
    prev_hash: str
    hash: str


class ItemOut(BaseModel):
    ref: str
    incident: str
    kind: str
    title: str
    description: str
    source_host: str | None
    source_locator: str | None
    method_tool: str | None
    method_version: str | None
    method_argv: list[Any] | None
    collection: dict[str, Any] | None
    collected_by: str | None
    collected_at: datetime | None
    collected_tz: str | None
    registered_by: str
    registered_at: datetime
    original_filename: str | None
    size: int | None
    media_type_sniffed: str | None
    media_type_declared: str | None
    sha256: str | None
    sha1: str | None
    md5: str | None
    tlp: str
    personal_data: bool
    derived_from: str | None
    produced_by_step: str | None
    produced_by_event_id: int | None
    custodian: str
    location: str
    status: str
    legal_hold: bool
    retention_until: datetime | None
    sealed_at: datetime | None
    destroy_requested_by: str | None
    custody_events: int
    custody_head: str


class VerifyOut(BaseModel):
    ref: str
    ok: bool
    sha256_observed: str | None
    problems: list[str]
