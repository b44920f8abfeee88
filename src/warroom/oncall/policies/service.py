"""Escalation policies: the shipped ones (``rules/escalation/policies/``,
named after the severities) and custom ones in the database. A custom policy
named like a shipped one replaces it, so an organisation can change ``sev1``
without editing files."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import yaml
from pydantic import ValidationError
from sqlalchemy import select

from warroom.audit import service as audit
from warroom.config import shipped_dir
from warroom.errors import Invalid, NotFound
from warroom.oncall.naming import checked_name
from warroom.oncall.policies.document import Policy
from warroom.oncall.policies.models import CustomPolicy
from warroom.oncall.positions.service import check_exists

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork


@dataclass(frozen=True)
class Found:
    policy: Policy
    source: str  # shipped | custom


def shipped() -> dict[str, Policy]:
    return _load_shipped(shipped_dir("rules") / "escalation" / "policies")


def get_by_name(session: Session, *, name: str) -> Found | None:
    name = str(name).strip().lower()
    custom = session.scalar(select(CustomPolicy).where(CustomPolicy.name == name))
    if custom is not None:
        return Found(Policy.model_validate(custom.document), "custom")
    policy = shipped().get(name)
    return Found(policy, "shipped") if policy else None


def get_by_name_or_raise(session: Session, *, name: str) -> Found:
    found = get_by_name(session, name=name)
    if found is None:
        names = sorted({*shipped(), *(c for c in _custom_names(session))})
        raise NotFound(f"There is no escalation policy named {name!r}; there are: "
                       f"{', '.join(names)}.")
    return found


def get_all(session: Session) -> list[Found]:
    names = sorted({*shipped(), *_custom_names(session)})
    return [found for name in names if (found := get_by_name(session, name=name))]


def any_custom(session: Session) -> bool:
    return session.scalar(select(CustomPolicy.id).limit(1)) is not None


def put(uow: UnitOfWork, *, policy: Policy) -> Found:
    """Create or replace a custom policy (its targets must exist)."""
    name = checked_name(policy.name, "policy")
    policy = policy.model_copy(update={"name": name})
    for target in policy.targets():
        check_exists(uow.session, target)
    row = uow.session.scalar(select(CustomPolicy).where(CustomPolicy.name == name))
    before = row.document if row else None
    if row is None:
        row = CustomPolicy(name=name, document={}, updated_at=uow.now(),
                           updated_by=uow.actor.label)
        uow.session.add(row)
    row.document = policy.model_dump(mode="json", exclude_none=True)
    row.updated_at = uow.now()
    row.updated_by = uow.actor.label
    uow.session.flush()
    audit.record(uow, action="oncall.policy.put", target=f"policy:{name}", before=before,
                 after=row.document)
    return Found(policy, "custom")


def delete(uow: UnitOfWork, *, name: str) -> None:
    """Remove a custom policy (a shipped one of the same name shows again)."""
    row = uow.session.scalar(select(CustomPolicy).where(CustomPolicy.name == name.lower()))
    if row is None:
        raise NotFound(f"There is no custom policy named {name!r} (shipped policies are "
                       "files and cannot be deleted, only replaced).")
    uow.session.delete(row)
    audit.record(uow, action="oncall.policy.delete", target=f"policy:{row.name}",
                 before=row.document)


def _custom_names(session: Session) -> list[str]:
    return list(session.scalars(select(CustomPolicy.name)))


@lru_cache(maxsize=4)
def _load_shipped(folder: Path) -> dict[str, Policy]:
    found: dict[str, Policy] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            policy = Policy.model_validate(yaml.safe_load(path.read_text()))
        except ValidationError as bad:
            raise Invalid(f"{path.name} is not a valid escalation policy: {bad}") from None
        if policy.name != path.stem:
            raise ValueError(f"{path}: the policy's name must match its file name")
        found[policy.name] = policy
    return found
