"""The hook kernel: listeners fire in an explicit order and connecting twice
changes nothing."""

from __future__ import annotations

import pytest

from warroom.hooks import HOOKS, Hook


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
