"""Join the outbox to its default listeners."""

from __future__ import annotations

from warroom.notify import delivery, hooks


def connect() -> None:
    hooks.dead_lettered.connect(delivery.alert_admins_of_dead_letter)
