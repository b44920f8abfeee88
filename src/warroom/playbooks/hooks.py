"""Points where other domains join the playbook catalogue.

``open_items`` lets the reviews domain (above playbooks) say which open
action items point at a playbook file (seed 002 "Procedure Updates": a
review's lesson is a change to a procedure), so the catalogue, API and CLI
show the procedures waiting for an update without playbooks reading the
reviews' tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.hooks import Hook

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session


def _open_items(session: Session, *, files: list[str], now: datetime
                ) -> dict[str, list[dict[str, Any]]]:
    """Per playbook file name (``security-breach.yaml``), its open action
    items: ``ref``, ``title``, ``owner``, ``status``, ``due_at``, ``overdue``,
    ``incident`` and ``is_drill``."""
    return {}


open_items = Hook("playbook.open_items", _open_items,
                  "The catalogue is listed: answer the open action items per playbook file.")
