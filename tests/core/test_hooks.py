"""The hook kernel: listeners fire in an explicit order, connecting twice
changes nothing, and the published hook table is what the code fires."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from warroom.hooks import HOOKS, Hook

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "hooks.md"


def _hook() -> Hook[[list[str], str], str]:
    def signature(seen: list[str], word: str) -> str:
        return word

    hook = Hook("test.words", signature, "A hook for this test only.")
    HOOKS.remove(hook)
    return hook


def _first(seen: list[str], word: str) -> str:
    seen.append(f"first {word}")
    return "1"


def _second(seen: list[str], word: str) -> str:
    seen.append(f"second {word}")
    return "2"


def _third(seen: list[str], word: str) -> str:
    seen.append(f"third {word}")
    return "3"


def test_listeners_fire_in_connection_order_and_connecting_twice_changes_nothing():
    hook = _hook()
    hook.connect(_first)
    hook.connect(_second)
    hook.connect(_first)
    seen: list[str] = []
    hook.fire(seen, "go")
    assert seen == ["first go", "second go"]
    assert hook.collect(seen, "again") == ["1", "2"]


def test_a_listener_can_say_which_one_it_runs_after():
    hook = _hook()
    hook.connect(_first)
    hook.connect(_third)
    hook.connect(_second, after=_first)
    assert hook.listeners == (_first, _second, _third)
    with pytest.raises(LookupError, match="is not connected"):
        _hook().connect(_second, after=_first)


def _doctor(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    warroom = Path(sys.executable).parent / "warroom"
    done = subprocess.run([str(warroom), "doctor", "hooks", *args],
                          capture_output=True, text=True, env=env, check=True, timeout=120)
    return done.stdout


def test_doctor_hooks_prints_each_hooks_listeners_in_firing_order():
    lines = _doctor().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("incident.declared ("))
    assert "context: dict[str, Any]" in lines[start]
    assert lines[start + 1:start + 4] == ["  1. warroom.oncall.wiring.declared",
                                          "  2. warroom.playbooks.selection.on_declared",
                                          "  3. warroom.comms.cadence.start"]
    assert "security.rotate_keys" in "\n".join(lines)


def test_the_published_hook_table_is_what_the_code_fires():
    assert DOCS.read_text() == _doctor("--markdown"), (
        "docs/hooks.md is out of date: run `warroom doctor hooks --markdown > docs/hooks.md`")
