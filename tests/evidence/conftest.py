"""Evidence tests declare incidents, assign roles and run the worker the way
the playbook tests do, and upload through the API."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from tests.playbooks.conftest import assign, configure, declare, worker
from warroom.evidence import settings as evidence_settings

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["assign", "configure", "declare", "worker"]


@pytest.fixture
def store_dir(settings) -> Path:
    return evidence_settings.get().store_dir()


@pytest.fixture
def incident(declare):
    return declare(type="security_breach", severity="critical", title="Token theft")


@pytest.fixture
def upload(client, people):
    """``upload(ref, b"bytes", title=..., declared_hashes=...)`` -> response."""

    def send(ref: str, content: bytes, role: str = "responder", filename: str = "access.log",
             **meta):
        meta.setdefault("title", "Access log")
        return client.post(f"/api/v1/incidents/{ref}/evidence", headers=people.headers(role),
                           files=[("metadata", (None, json.dumps(meta), "application/json")),
                                  ("file", (filename, content, "text/plain"))])

    return send


def stored_files(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / "sha256").rglob("*") if p.is_file()) \
        if (folder / "sha256").exists() else []
