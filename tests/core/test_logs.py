"""Logging keeps working when the stream it was configured with goes away."""

from __future__ import annotations

import io
import sys

import structlog

from warroom import logs


def test_a_closed_stream_from_configuration_time_does_not_break_later_logging(monkeypatch):
    borrowed = io.StringIO()
    monkeypatch.setattr(sys, "stderr", borrowed)  # as a CLI runner swaps it in
    logs.configure("info", "json")
    structlog.get_logger("warroom.test").info("while borrowed")
    assert "while borrowed" in borrowed.getvalue()
    monkeypatch.undo()
    borrowed.close()
    later = io.StringIO()
    monkeypatch.setattr(sys, "stderr", later)
    structlog.get_logger("warroom.test").info("after it was closed")
    assert "after it was closed" in later.getvalue()
