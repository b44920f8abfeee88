"""Knobs of drills (``WARROOM_DRILLS_*``)."""

from __future__ import annotations

from pathlib import Path

from warroom.config import WarroomSettings


class DrillsSettings(WarroomSettings):
    """Where scenarios live, the demo service a live drill breaks, and reminders."""

    drills_scenarios_dir: Path | None = None
    """Folder of scenario files; default: the shipped ``rules/drills/``."""
    drills_demo_url: str = "http://127.0.0.1:9105"
    """The demo service's control API, which a live drill switches faults on."""
    drills_preparedness_days: int = 90
    """Days without a finished drill before the preparedness owner is reminded."""
    drills_schedule_remind_days: int = 7
    """Days before a scheduled drill its owner is reminded."""


def get() -> DrillsSettings:
    return DrillsSettings.current()
