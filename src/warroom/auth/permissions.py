"""The one table that maps roles to permissions.

Every route declares the permission it needs (see :func:`warroom.auth.deps.requires`);
a test walks every registered route against every role, so a route without a
declared permission fails the build.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    viewer = "viewer"
    responder = "responder"
    commander = "commander"
    admin = "admin"

    @property
    def rank(self) -> int:
        return ROLE_ORDER.index(self)


ROLE_ORDER = [Role.viewer, Role.responder, Role.commander, Role.admin]


class Permission(StrEnum):
    # incidents
    incident_read = "incident:read"
    incident_write = "incident:write"
    """Declare, edit fields, add notes, move through the working phases."""
    incident_command = "incident:command"
    """Assign roles, close, mark declared-in-error, edit milestones, override gates."""
    # alerts and routing
    alert_read = "alert:read"
    alert_write = "alert:write"
    silence_write = "silence:write"
    silence_broad = "silence:broad"
    """Silences that match every alert, hold sev1 alerts or outlast WARROOM_SILENCE_MAX_HOURS."""
    routing_admin = "routing:admin"
    monitoring_admin = "monitoring:admin"
    security_read = "security:read"
    # on-call and paging
    oncall_read = "oncall:read"
    oncall_write = "oncall:write"
    page_ack = "page:ack"
    # notifications
    outbox_read = "outbox:read"
    outbox_admin = "outbox:admin"
    # playbooks and communications
    playbook_read = "playbook:read"
    playbook_run = "playbook:run"
    playbook_approve = "playbook:approve"
    playbook_admin = "playbook:admin"
    comms_send = "comms:send"
    # status page
    statuspage_read = "statuspage:read"
    statuspage_write = "statuspage:write"
    # administration
    audit_read = "audit:read"
    user_read = "user:read"
    user_admin = "user:admin"
    contact_read = "contact:read"
    """See other people's emails, phone numbers and webhook URLs, and the
    addresses messages are sent to (personal data: not for viewers or responders)."""
    settings_admin = "settings:admin"
    keys_rotate = "keys:rotate"
    # reviews, action items and response metrics
    review_read = "review:read"
    review_write = "review:write"
    review_approve = "review:approve"
    """Approve or waive a post-incident review."""
    metrics_read = "metrics:read"
    # evidence locker
    evidence_read = "evidence:read"
    """See evidence items and their custody log, and download content."""
    evidence_write = "evidence:write"
    evidence_export = "evidence:export"
    evidence_destroy = "evidence:destroy"
    # compliance
    breach_read = "breach:read"
    breach_write = "breach:write"
    breach_submit = "breach:submit"
    """Record a notification sent to a regulator or to data subjects."""
    # drills
    drill_read = "drill:read"
    drill_run = "drill:run"


_VIEWER = {
    Permission.incident_read,
    Permission.alert_read,
    Permission.oncall_read,
    Permission.outbox_read,
    Permission.playbook_read,
    Permission.statuspage_read,
    Permission.user_read,
    Permission.review_read,
    Permission.metrics_read,
    Permission.drill_read,
}
_RESPONDER = _VIEWER | {
    Permission.incident_write,
    Permission.alert_write,
    Permission.silence_write,
    Permission.security_read,
    Permission.page_ack,
    Permission.playbook_run,
    Permission.comms_send,
    Permission.review_write,
    Permission.evidence_read,
    Permission.evidence_write,
}
_COMMANDER = _RESPONDER | {
    Permission.incident_command,
    Permission.silence_broad,
    Permission.playbook_approve,
    Permission.statuspage_write,
    Permission.oncall_write,
    Permission.audit_read,
    Permission.contact_read,
    Permission.review_approve,
    Permission.evidence_export,
    Permission.breach_read,
    Permission.breach_write,
    Permission.breach_submit,
    Permission.drill_run,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.viewer: frozenset(_VIEWER),
    Role.responder: frozenset(_RESPONDER),
    Role.commander: frozenset(_COMMANDER),
    Role.admin: frozenset(Permission),
}


INCIDENT_ROLE_GRANTS: dict[str, frozenset[Permission]] = {
    "incident_commander": frozenset({Permission.comms_send, Permission.statuspage_write,
                                     Permission.review_approve}),
    "communications_lead": frozenset({Permission.comms_send, Permission.statuspage_write}),
}
"""What holding an incident role (primary or backup) adds on that incident
alone, while it is open, on routes that name the incident (see
:func:`warroom.auth.deps.requires_on_incident`). Roles not listed add nothing."""


def allows(role: Role | str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[Role(role)]


def lowest_role_with(permission: Permission) -> Role:
    return next(role for role in ROLE_ORDER if permission in ROLE_PERMISSIONS[role])


def roles_granting(permission: Permission) -> list[str]:
    """The incident roles whose holders get ``permission`` on their incident."""
    return [role for role, granted in INCIDENT_ROLE_GRANTS.items() if permission in granted]
