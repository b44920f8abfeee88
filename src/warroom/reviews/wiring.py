"""Join reviews to the incident lifecycle: figures follow every change that
can move them, a review opens at lessons_learned, and closing waits for it; the playbook
catalogue lists the open action items that point at each playbook."""

from __future__ import annotations

from warroom.incidents import hooks
from warroom.playbooks import hooks as playbook_hooks
from warroom.reviews import figures, items, service, views


def connect() -> None:
    hooks.declared.connect(figures.on_declared)
    hooks.transitioned.connect(figures.on_transitioned)
    hooks.acknowledged.connect(figures.on_acknowledged)
    hooks.severity_changed.connect(figures.on_severity_changed)
    hooks.updated.connect(figures.on_updated)
    hooks.milestone_changed.connect(figures.on_milestone_changed)
    hooks.transitioned.connect(service.on_transitioned)
    hooks.before_transition.connect(service.gate)
    hooks.view_extras.connect(views.summary)
    playbook_hooks.open_items.connect(items.open_by_playbook)
