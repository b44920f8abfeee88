"""The playbooks on disk: load, validate, version and select them.

Each top-level ``*.yaml`` file in the playbooks folder is one playbook
(``selection.yaml`` says which playbook an incident gets). A playbook's version
is its ``version`` field plus the SHA-256 of the file, so an incident records
exactly what it ran even when someone forgets to bump the version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from warroom.comms import templates
from warroom.content import playbooks_directory
from warroom.errors import Invalid, NotFound, one_of
from warroom.incidents import catalog
from warroom.playbooks.format import IncidentTypeId, Playbook

if TYPE_CHECKING:
    from pathlib import Path

SELECTION_FILE = "selection.yaml"


@dataclass(frozen=True)
class Loaded:
    """A valid playbook and the exact file content it came from."""

    playbook: Playbook
    path: Path
    content_hash: str

    @property
    def name(self) -> str:
        return self.playbook.name


class Selection(BaseModel):
    """Which playbooks an incident gets when no routing rule names one."""

    model_config = ConfigDict(extra="forbid")
    every_incident: list[str] = Field(default_factory=list)
    by_type: dict[IncidentTypeId, str]


class PlaybookFileError(Invalid):
    """A playbook file that cannot be used, with every reason."""


def directory() -> Path:
    return playbooks_directory()


def files() -> list[Path]:
    return sorted(p for p in directory().glob("*.yaml") if p.name != SELECTION_FILE)


def get_all() -> list[Loaded]:
    """Every valid playbook (an invalid file is left out; `validate` names it)."""
    found = []
    for path in files():
        try:
            found.append(load(path))
        except PlaybookFileError:
            continue
    return found


def get_by_name(name: str) -> Loaded | None:
    path = directory() / f"{name}.yaml"
    if name == SELECTION_FILE.removesuffix(".yaml") or not path.is_file():
        return None
    return load(path)


def get_by_name_or_raise(name: str) -> Loaded:
    loaded = get_by_name(name) if _plausible(name) else None
    if loaded is None:
        raise NotFound(one_of(name, [p.stem for p in files()], "playbook"))
    return loaded


def exists(name: str) -> bool:
    """A playbook file of this name is there (valid or not)."""
    return _plausible(name) and name != SELECTION_FILE.removesuffix(".yaml") and \
        (directory() / f"{name}.yaml").is_file()


def load(path: Path) -> Loaded:
    """Read and validate one file (cached until the file changes)."""
    stat = path.stat()
    return _load(path, stat.st_mtime_ns, stat.st_size)


def validate(paths: list[Path] | None = None) -> dict[str, list[str]]:
    """Problems per file (an empty list means the file is valid)."""
    report: dict[str, list[str]] = {}
    for path in paths or files():
        try:
            load(path)
            report[str(path)] = []
        except (PlaybookFileError, OSError) as problem:
            report[str(path)] = str(getattr(problem, "detail", problem)).split("\n")
    if paths is None:
        report[str(directory() / SELECTION_FILE)] = selection_problems()
    return report


def selection() -> Selection:
    path = directory() / SELECTION_FILE
    if not path.is_file():
        return Selection(every_incident=[], by_type={})
    stat = path.stat()
    return _selection(path, stat.st_mtime_ns)


def selection_problems() -> list[str]:
    """What is wrong with ``selection.yaml`` (unknown playbooks, types they do not
    claim)."""
    try:
        chosen = selection()
    except (ValidationError, yaml.YAMLError) as problem:
        return [str(problem)]
    problems = []
    for name in chosen.every_incident:
        if _quietly(name) is None:
            problems.append(f"every_incident names {name!r}, which is not a valid playbook")
    for kind, name in chosen.by_type.items():
        loaded = _quietly(name)
        if loaded is None:
            problems.append(f"by_type {kind} names {name!r}, which is not a valid playbook")
        elif kind not in loaded.playbook.applies_to.incident_types:
            problems.append(f"by_type {kind} names {name!r}, whose applies_to.incident_types "
                            f"does not list {kind}")
    return problems


def for_alert(alertname: str) -> Loaded | None:
    """The playbook that lists this alert name in ``applies_to.alerts``."""
    for loaded in get_all():
        if alertname in loaded.playbook.applies_to.alerts:
            return loaded
    return None


@lru_cache(maxsize=256)
def _load(path: Path, mtime_ns: int, size: int) -> Loaded:
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw)
        playbook = Playbook.model_validate(data)
    except yaml.YAMLError as problem:
        raise PlaybookFileError(f"{path.name}: not valid YAML: {problem}") from None
    except ValidationError as problem:
        raise PlaybookFileError(f"{path.name}:\n" + _sentences(problem)) from None
    problems = _semantic_problems(playbook, path)
    if problems:
        raise PlaybookFileError(f"{path.name}:\n" + "\n".join(problems))
    return Loaded(playbook, path, hashlib.sha256(raw).hexdigest())


@lru_cache(maxsize=8)
def _selection(path: Path, mtime_ns: int) -> Selection:
    return Selection.model_validate(yaml.safe_load(path.read_text()) or {})


def _semantic_problems(playbook: Playbook, path: Path) -> list[str]:
    """What the schema cannot know: role ids and template ids that exist."""
    problems = []
    if playbook.name != path.stem:
        problems.append(f"name {playbook.name!r} must match the file name {path.stem!r}")
    roles = [r.id for r in catalog.roles()]
    known_templates = templates.ids()
    for _, step in playbook.steps():
        if step.role not in roles:
            problems.append(f"step {step.id}: {one_of(step.role, roles, 'incident role')}")
        template = getattr(step, "template", None)
        if template is not None and template not in known_templates:
            problems.append(f"step {step.id}: {one_of(template, known_templates, 'template')}")
        for target in getattr(step, "to", []):
            kind, _, value = target.partition(":")
            if kind == "role" and value not in roles:
                problems.append(f"step {step.id}: {one_of(value, roles, 'incident role')}")
    return problems


def _sentences(problem: ValidationError) -> str:
    lines = []
    for error in problem.errors()[:20]:
        where = ".".join(str(part) for part in error.get("loc", ()))
        lines.append(f"{where or 'file'}: {error.get('msg', 'is invalid')}")
    return "\n".join(lines)


def _plausible(name: str) -> bool:
    return bool(name) and len(name) <= 80 and "/" not in name and "\\" not in name \
        and not name.startswith(".")


def _quietly(name: str) -> Loaded | None:
    try:
        return get_by_name(name) if _plausible(name) else None
    except PlaybookFileError:
        return None
