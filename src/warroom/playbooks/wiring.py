"""Join the playbook runner to the incident lifecycle."""

from __future__ import annotations

from warroom.comms import context
from warroom.incidents import hooks
from warroom.playbooks import gates, selection, service, views


def connect() -> None:
    hooks.declared.connect(selection.on_declared)
    hooks.before_transition.connect(gates.check)
    hooks.transitioned.connect(service.on_phase_entered)
    if views.by_role not in hooks.view_extras:
        hooks.view_extras.append(views.by_role)
    if views.due_titles not in context.next_step_sources:
        context.next_step_sources.append(views.due_titles)
