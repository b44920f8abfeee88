"""Seed 002's preparedness checklist: organisation-level, not per incident.

The items are data (``playbooks/checklists/preparedness.yaml``) with an owner
and how often each must be verified again; people verify items (kept as
history) and may hand an item to another owner. ``warroom preparedness`` shows
each item's owner, when it was last verified and whether it is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from warroom.audit import service as audit
from warroom.errors import Invalid, NotFound, one_of
from warroom.playbooks.catalogue import directory
from warroom.playbooks.models import PreparednessOwner, PreparednessVerification

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork

FILE = Path("checklists") / "preparedness.yaml"


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")
    text: str = Field(min_length=3)
    owner: str = Field(min_length=1, max_length=200)
    verify_every_days: int = Field(gt=0)


class Checklist(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str
    items: list[Item] = Field(min_length=1)


@dataclass(frozen=True)
class ItemState:
    item: Item
    owner: str
    last_verified_at: datetime | None
    last_verified_by: str | None
    note: str | None
    due_at: datetime | None
    due: bool


def checklist() -> Checklist:
    path = directory() / FILE
    return _load(path, path.stat().st_mtime_ns)


def get_all(session: Session, *, now: datetime) -> list[ItemState]:
    owners = {row.item: row.owner for row in session.scalars(select(PreparednessOwner))}
    latest = _latest_verifications(session)
    states = []
    for item in checklist().items:
        last = latest.get(item.id)
        due_at = last.verified_at + timedelta(days=item.verify_every_days) if last else None
        states.append(ItemState(item, owners.get(item.id, item.owner),
                                last.verified_at if last else None,
                                last.verified_by if last else None, last.note if last else None,
                                due_at, due_at is None or due_at <= now))
    return states


def verify(uow: UnitOfWork, *, item_id: str, note: str | None = None) -> ItemState:
    """A person confirms the item holds today."""
    item = _item_or_raise(item_id)
    uow.session.add(PreparednessVerification(item=item.id, verified_at=uow.now(),
                                             verified_by=uow.actor.label, note=note))
    uow.session.flush()
    audit.record(uow, action="preparedness.verify", target=f"preparedness:{item.id}",
                 after={"text": item.text, "note": note})
    return _state(uow, item.id)


def set_owner(uow: UnitOfWork, *, item_id: str, owner: str) -> ItemState:
    item = _item_or_raise(item_id)
    owner = owner.strip()
    if not owner:
        raise Invalid("Name the new owner.")
    row = uow.session.get(PreparednessOwner, item.id)
    before = row.owner if row else item.owner
    if row is None:
        row = PreparednessOwner(item=item.id, owner=owner, changed_at=uow.now(),
                                changed_by=uow.actor.label)
        uow.session.add(row)
    row.owner, row.changed_at, row.changed_by = owner, uow.now(), uow.actor.label
    uow.session.flush()
    audit.record(uow, action="preparedness.owner", target=f"preparedness:{item.id}",
                 before={"owner": before}, after={"owner": owner})
    return _state(uow, item.id)


def _state(uow: UnitOfWork, item_id: str) -> ItemState:
    return next(s for s in get_all(uow.session, now=uow.now()) if s.item.id == item_id)


def _latest_verifications(session: Session) -> dict[str, PreparednessVerification]:
    newest = (select(PreparednessVerification.item,
                     func.max(PreparednessVerification.id).label("id"))
              .group_by(PreparednessVerification.item).subquery())
    rows = session.scalars(select(PreparednessVerification).join(
        newest, PreparednessVerification.id == newest.c.id))
    return {row.item: row for row in rows}


def _item_or_raise(item_id: str) -> Item:
    items = checklist().items
    for item in items:
        if item.id == item_id:
            return item
    raise NotFound(one_of(item_id, [i.id for i in items], "preparedness item"))


@lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int) -> Checklist:
    return Checklist.model_validate(yaml.safe_load(path.read_text()))
