"""Every WARROOM_* setting, in every domain, is documented in the README."""

from __future__ import annotations

from pathlib import Path

from warroom import registry
from warroom.config import SETTINGS_CLASSES, Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_in_the_readme():
    domain_settings = [domain.settings for domain in registry.DOMAINS if domain.settings]
    classes = dict.fromkeys([Settings, *domain_settings, *SETTINGS_CLASSES])
    text = README.read_text()
    missing = [f"WARROOM_{name.upper()}" for cls in classes
               for name in cls.model_fields if f"`WARROOM_{name.upper()}`" not in text]
    assert not missing, f"document these settings in README.md: {missing}"
