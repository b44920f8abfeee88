"""The evidence worker cycle: re-hash sealed items when they are due."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.evidence import service

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.db import UnitOfWork


def rehash(uow: UnitOfWork) -> datetime | None:
    return service.rehash_due(uow)


CYCLES = [("evidence.rehash", rehash)]
