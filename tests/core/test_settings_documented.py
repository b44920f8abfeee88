"""Every WARROOM_* setting, in every domain, is documented in the README."""

from __future__ import annotations

from pathlib import Path

from warroom import domains
from warroom.config import SETTINGS_CLASSES, Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_in_the_readme():
    for module in ("settings", "config"):
        domains.modules(module)
    text = README.read_text()
    missing = [f"WARROOM_{name.upper()}" for cls in [Settings, *SETTINGS_CLASSES]
               for name in cls.model_fields if f"`WARROOM_{name.upper()}`" not in text]
    assert not missing, f"document these settings in README.md: {missing}"
