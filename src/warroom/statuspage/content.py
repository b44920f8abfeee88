"""Shipped content: the default components and the words posted when nobody
wrote any (``rules/statuspage/``), validated when loaded."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, ConfigDict, Field

from warroom.config import shipped_dir
from warroom.statuspage import settings as statuspage_settings

if TYPE_CHECKING:
    from pathlib import Path

_STRICT = ConfigDict(extra="forbid")


class DefaultComponent(BaseModel):
    model_config = _STRICT
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=1000)
    group: str | None = Field(None, max_length=100)
    position: int = 0


class _ComponentFile(BaseModel):
    model_config = _STRICT
    components: list[DefaultComponent]


class _MaintenanceWords(BaseModel):
    model_config = _STRICT
    scheduled: str
    in_progress: str
    verifying: str
    completed: str


class _ModeWords(BaseModel):
    model_config = _STRICT
    name: str
    started: str
    ended: str


class _IncidentWords(BaseModel):
    model_config = _STRICT
    investigating: str
    identified: str
    monitoring: str
    resolved: str


class Messages(BaseModel):
    model_config = _STRICT
    maintenance: _MaintenanceWords
    maintenance_mode: _ModeWords
    incident: _IncidentWords


def default_components() -> list[DefaultComponent]:
    path = statuspage_settings.get().statuspage_components_file
    return _load_components(path or shipped_dir("rules") / "statuspage" / "components.yaml")


def messages() -> Messages:
    return _load_messages(shipped_dir("rules") / "statuspage" / "messages.yaml")


@lru_cache(maxsize=4)
def _load_components(path: Path) -> list[DefaultComponent]:
    return _ComponentFile.model_validate(yaml.safe_load(path.read_text())).components


@lru_cache(maxsize=4)
def _load_messages(path: Path) -> Messages:
    return Messages.model_validate(yaml.safe_load(path.read_text()))
