"""Every WARROOM_* setting, in every domain, is documented in docs/configuration.md.

Documented means a row of one of the page's settings tables: the setting's name,
its default and what it means. A row for a setting that no longer exists fails
too, so the page cannot drift from the code in either direction.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import warroom
from warroom.config import SETTINGS_CLASSES, Settings

CONFIGURATION = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
ROW = re.compile(r"^\| `(WARROOM_[A-Z0-9_]+)` \|(.*)\|\s*$", re.MULTILINE)


def _import_every_module() -> None:
    """Settings classes register themselves when imported, wherever they live
    (a domain's settings module, a channel, the outbound policy)."""
    for module in pkgutil.walk_packages(warroom.__path__, "warroom."):
        if not module.name.startswith("warroom.migrations"):
            importlib.import_module(module.name)


def _settings() -> set[str]:
    _import_every_module()
    return {f"WARROOM_{name.upper()}" for cls in [Settings, *SETTINGS_CLASSES]
            for name in cls.model_fields}


def _documented_rows() -> dict[str, list[str]]:
    """Setting name -> the row's other cells (default, meaning)."""
    rows = {}
    for match in ROW.finditer(CONFIGURATION.read_text()):
        rows[match.group(1)] = [cell.strip() for cell in match.group(2).split(" | ")]
    return rows


def test_every_setting_has_a_row_in_the_configuration_page():
    rows = _documented_rows()
    missing = sorted(_settings() - rows.keys())
    assert not missing, f"add a row (name, default, meaning) to docs/configuration.md: {missing}"


def test_every_row_gives_a_default_and_a_meaning():
    incomplete = sorted(name for name, cells in _documented_rows().items()
                        if len(cells) != 2 or not all(cells))
    assert not incomplete, f"give these rows a default and a meaning: {incomplete}"


def test_every_documented_setting_exists():
    stale = sorted(_documented_rows().keys() - _settings())
    assert not stale, f"docs/configuration.md documents settings that do not exist: {stale}"
