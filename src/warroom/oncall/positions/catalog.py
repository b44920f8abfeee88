"""The positions escalation policies may name (shipped as data)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, ConfigDict

from warroom.config import shipped_dir
from warroom.errors import Invalid, one_of

if TYPE_CHECKING:
    from pathlib import Path


class Position(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    description: str = ""


class _PositionFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    positions: list[Position]


def positions() -> list[Position]:
    return _load(shipped_dir("rules") / "escalation" / "positions.yaml")


def position(value: str) -> Position:
    key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    for candidate in positions():
        if candidate.id == key:
            return candidate
    raise Invalid(one_of(value, [p.id for p in positions()], "position"))


@lru_cache(maxsize=4)
def _load(path: Path) -> list[Position]:
    loaded = _PositionFile.model_validate(yaml.safe_load(path.read_text())).positions
    ids = [p.id for p in loaded]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: position ids must be unique, got {ids}")
    return loaded
