"""Message templates from the seeds, rendered in a Jinja2 sandbox.

The templates are data: ``playbooks/templates/templates.yaml`` lists each one
(id, title, seed section, subject line, body file, whether it is a numbered
status update) and the ``*.j2`` files beside it hold the bodies. The sandbox
keeps a template from reaching anything but the values it is given, and
undefined names fail loudly instead of rendering as blank text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import yaml
from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field

from warroom.content import playbooks_directory
from warroom.errors import Invalid, NotFound, one_of

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

MANIFEST = "templates.yaml"


class TemplateInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9_]{2,40}$")
    title: str
    source: str = Field(min_length=8)
    audience: Literal["internal", "executives", "users", "public", "regulator"]
    subject: str
    body: str = Field(pattern=r"^[a-z0-9_]+\.txt\.j2$")
    numbered: bool = False
    """An "INCIDENT UPDATE #X": numbers count up per incident."""
    counts_as_update: bool = True
    """Sending it resets the update cadence clock."""


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status_words: dict[str, str]
    templates: list[TemplateInfo]


@dataclass(frozen=True)
class Rendered:
    template: TemplateInfo
    subject: str
    body: str


def directory() -> Path:
    return playbooks_directory() / "templates"


def manifest() -> Manifest:
    path = directory() / MANIFEST
    return _manifest(path, path.stat().st_mtime_ns)


def ids() -> list[str]:
    try:
        return [t.id for t in manifest().templates]
    except OSError:
        return []


def get_or_raise(template_id: str) -> TemplateInfo:
    for info in manifest().templates:
        if info.id == template_id:
            return info
    raise NotFound(one_of(template_id, ids(), "message template"))


def render(template_id: str, context: dict[str, Any]) -> Rendered:
    """Subject and body of one template for one incident's context."""
    info = get_or_raise(template_id)
    env = environment(directory())
    try:
        subject = env.from_string(info.subject).render(context).strip()
        body = env.get_template(info.body).render(context)
    except TemplateError as problem:
        raise Invalid(f"Template {template_id!r} could not be rendered: {problem}") from None
    return Rendered(info, " ".join(subject.split())[:500], body.strip() + "\n")


@lru_cache(maxsize=4)
def environment(folder: Path) -> SandboxedEnvironment:
    env = SandboxedEnvironment(loader=FileSystemLoader(str(folder)), undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, autoescape=False)
    env.filters["utc"] = _utc
    return env


@lru_cache(maxsize=4)
def _manifest(path: Path, mtime_ns: int) -> Manifest:
    return Manifest.model_validate(yaml.safe_load(path.read_text()))


def _utc(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "unknown"
