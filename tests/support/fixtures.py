"""Fixtures for real local peers, imported by the root conftest."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.support.receivers import Receiver, start_receiver
from tests.support.smtp import Mailbox, start_mailbox

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = start_receiver()
    yield started
    started.close()


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A real SMTP server; warroom's settings point at it."""
    from warroom import config

    started = start_mailbox()
    monkeypatch.setenv("WARROOM_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("WARROOM_SMTP_PORT", str(started.port))
    current = config.get_settings()
    current.smtp_host, current.smtp_port = "127.0.0.1", started.port
    yield started
    started.close()
