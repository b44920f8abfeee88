"""The start-up heap is frozen, so full collections skip it."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

import pytest

from warroom.runtime import freeze_startup_heap

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_objects_alive_at_start_up_are_out_of_the_collectors_sight(thawed: None) -> None:
    kept = [[n] for n in range(1000)]
    before = len(gc.get_objects())
    freeze_startup_heap()
    assert gc.get_freeze_count() >= len(kept)
    # what a full collection walks no longer includes them
    assert len(gc.get_objects()) < before - len(kept)
    later = [[n] for n in range(10)]
    assert any(item is later[0] for item in gc.get_objects())
