"""Fixtures for the status page: the app as ``warroom serve`` runs it (with
the fast lane in front) and a worker on the test clock."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from warroom import config
from warroom.app import served
from warroom.worker import Worker

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def public(app) -> Iterator[TestClient]:
    """A client of the app as served: public paths answered by the fast lane."""
    with TestClient(served(app), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def worker(database, clock) -> Iterator[Worker]:
    started = Worker(database, config.get_settings(), clock, name="test-worker")
    yield started
    started.close()

