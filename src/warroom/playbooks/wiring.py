"""Join the playbook runner to the incident lifecycle."""

from __future__ import annotations

from warroom.comms import context
from warroom.incidents import hooks
from warroom.playbooks import gates, selection, service, views


def connect() -> None:
    hooks.declared.connect(selection.on_declared)
    hooks.before_transition.connect(gates.check)
    hooks.transitioned.connect(service.on_phase_entered)
    hooks.view_extras.connect(views.by_role)
    context.next_step_sources.connect(views.due_titles)
