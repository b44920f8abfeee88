"""Intake's part in rotating warroom's keys: integration keys, when asked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.auth import rotation
from warroom.incidents import hooks
from warroom.intake import changes, integrations

if TYPE_CHECKING:
    from warroom.db import UnitOfWork


def connect() -> None:
    rotation.reissue.connect(_reissue_integration_keys)
    hooks.view_extras.connect(changes.incident_extra)


def _reissue_integration_keys(uow: UnitOfWork, request: rotation.RotationRequest
                              ) -> dict[str, list[dict[str, Any]]]:
    if not request.integration_keys:
        return {}
    return {"integrations": [
        {"name": issued.integration.name, "kind": issued.integration.kind, "key": issued.key,
         "url": integrations.url(issued.integration, issued.key)}
        for issued in integrations.reissue_all(uow)]}
