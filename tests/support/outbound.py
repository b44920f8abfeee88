"""Switch the outbound destination policy's allow-list inside a test."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom import config

if TYPE_CHECKING:
    import pytest


def set_allow_list(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    """``None`` removes the allow-list the test settings give (loopback)."""
    if value is None:
        monkeypatch.delenv("WARROOM_OUTBOUND_ALLOW", raising=False)
    else:
        monkeypatch.setenv("WARROOM_OUTBOUND_ALLOW", value)
    config.reset()
