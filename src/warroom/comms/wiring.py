"""Join communications to the incident lifecycle: the update cadence clock
starts at declaration, follows severity changes and stops at resolution."""

from __future__ import annotations

from warroom.comms import cadence, views
from warroom.incidents import hooks


def connect() -> None:
    hooks.declared.connect(cadence.start)
    hooks.severity_changed.connect(cadence.on_severity_changed)
    hooks.transitioned.connect(cadence.on_transitioned)
    hooks.view_extras.connect(views.summary)
