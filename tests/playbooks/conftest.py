"""Fixtures for the playbook runner: declaring incidents, a worker, settings
changed for one test, and a folder of playbooks a test may edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from warroom import config
from warroom.db import SYSTEM
from warroom.incidents import service as incidents
from warroom.playbooks import service
from warroom.worker import Worker

SHIPPED = Path(__file__).resolve().parents[2] / "playbooks"


@pytest.fixture
def configure(monkeypatch):
    """``configure(PLAYBOOK_COMMAND_ALLOWLIST="echo *")`` sets WARROOM_* settings."""

    def apply(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"WARROOM_{name}", value)
        config.reset()

    yield apply
    config.reset()


@pytest.fixture
def playbooks_dir(tmp_path, configure) -> Path:
    """A copy of the shipped playbooks that the test may edit or add to."""
    folder = tmp_path / "playbooks"
    shutil.copytree(SHIPPED, folder)
    configure(PLAYBOOKS_DIR=str(folder))
    return folder


@pytest.fixture
def worker(database, clock, settings):
    started = Worker(database, config.get_settings(), clock, name="test-worker")
    yield started
    started.close()


@pytest.fixture
def declare(work):
    """Declare an incident through the service; returns its ref."""

    def make(type: str = "service_outage", severity: str = "sev2", **fields) -> str:
        with work() as uow:
            return incidents.declare(uow, declaration=incidents.Declaration(
                type=type, severity=severity, title=fields.pop("title", "Chat is down"),
                **fields)).ref

    return make


@pytest.fixture
def steps_of(database):
    """``steps_of("INC-1")`` -> {playbook:step-id: StepRun}."""

    def read(ref: str) -> dict:
        with database.read() as session:
            incident = incidents.get_by_ref_or_raise(session, ref=ref)
            return {s.ref: s for s in service.get_steps(session, incident_id=incident.id)}

    return read


@pytest.fixture
def assign(work, people):
    """``assign("INC-1", "technical_lead", "responder")``."""

    def give(ref: str, role: str, primary: str, backup: str | None = None) -> None:
        with work(SYSTEM) as uow:
            incident = incidents.get_for_update(uow, ref=ref)
            incidents.assign_role(uow, incident=incident, role=role, primary=primary,
                                  backup=backup)

    return give


def write_playbook(folder: Path, name: str, body: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(body)
    return path
