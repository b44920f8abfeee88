"""The ``/wr`` verbs, mirroring the CLI, run as the linked warroom user.

Each verb names the permission the API needs for the same change and calls
the incidents service in a unit of work acting as the linked person (never
warroom's own HTTP API), so the permission table, the timeline and the audit
chain are the same as from any other path. A refused or invalid command
rolls its unit back and answers the asker alone (ephemeral); a change is
posted to the channel, through the outbox, for everyone there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from warroom.auth import service as users
from warroom.auth.permissions import Permission, allows, lowest_role_with
from warroom.chatops import identity, posts
from warroom.chatops.provider import Reply
from warroom.errors import Invalid, NotFound, Problem
from warroom.incidents import catalog, timeline
from warroom.incidents import service as incidents
from warroom.incidents.phases import Phase, legal_next, parse
from warroom.reviews import items

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.chatops.identity import Person
    from warroom.chatops.provider import ChatProvider, Invocation
    from warroom.clock import Clock
    from warroom.db import Database, UnitOfWork
    from warroom.incidents.models import Incident


@dataclass(frozen=True)
class Context:
    provider: ChatProvider
    invocation: Invocation
    person: Person
    args: list[str]


Read = Callable[["Session", Context], Reply]
Write = Callable[["UnitOfWork", Context], Reply]


@dataclass(frozen=True)
class Verb:
    usage: str
    permission: Permission
    read: Read | None = None
    write: Write | None = None


def run(database: Database, clock: Clock, provider: ChatProvider, person: Person,
        invocation: Invocation) -> Reply:
    words = invocation.text.split()
    name = words[0].lower() if words else "help"
    verb = VERBS.get(name)
    if verb is None:
        return Reply(f"`{name}` is not a /wr command. {_usage()}")
    context = Context(provider, invocation, person, words[1:])
    try:
        if verb.read is not None:
            with database.read() as session:
                return verb.read(session, context)
        refusal = _refusal(person, verb.permission)
        if refusal:
            return Reply(refusal)
        assert verb.write is not None
        with database.unit_of_work(person.actor(), clock=clock) as uow:
            return verb.write(uow, context)
    except Problem as problem:
        return Reply(problem.detail)


def _refusal(person: Person, permission: Permission) -> str | None:
    if not person.linked:
        return ("You can read (`status`, `roles`, `timeline`, `help`) but not act: your "
                f"{person.provider} account is not linked to a warroom user. Ask an admin "
                f"to give your warroom user the email address of your {person.provider} "
                "profile.")
    if person.role is None or not allows(person.role, permission):
        return (f"Your role ({person.role}) may not do this: it needs the '{permission}' "
                f"permission, which {lowest_role_with(permission)} and above have.")
    return None


def _usage() -> str:
    return "Commands: " + ", ".join(f"`{v.usage}`" for v in VERBS.values()) + "."


def _help(session: Session, context: Context) -> Reply:
    lines = ["*warroom from chat* (`/wr <command>`)",
             *(f"• `/wr {verb.usage}`" for verb in VERBS.values()),
             f"Severities: {', '.join(catalog.severity_ids())}. Types: "
             f"{', '.join(t.value for t in catalog.IncidentType)}."]
    if not context.person.linked:
        lines.append("Your chat account is not linked to a warroom user: you can read, not act.")
    return Reply("\n".join(lines))


def _incident(session: Session, context: Context, position: int = 0) -> Incident:
    if len(context.args) <= position:
        raise Invalid("Name the incident, for example `INC-42`.")
    ref = context.args[position].upper()
    incident = incidents.get_by_ref(session, ref=ref)
    if incident is None:
        raise NotFound(f"There is no incident {ref}.")
    return incident


def _line(incident: Incident) -> str:
    ack = f", acknowledged by {incident.acknowledged_by}" if incident.acknowledged_by else \
        ", not acknowledged"
    return f"*{incident.ref}* `{incident.severity}` {incident.title} ({incident.phase}{ack})"


def _status(session: Session, context: Context) -> Reply:
    if context.args:
        incident = _incident(session, context)
        options = ", ".join(p.value for p in legal_next(Phase(incident.phase))) or "none"
        return Reply(f"{_line(incident)}\nType {incident.type}; next phases: {options}.")
    rows, total = incidents.get_all(session, filters=incidents.Filters(status="open"), limit=10)
    if not rows:
        return Reply("No open incidents.")
    more = f"\n…and {total - len(rows)} more." if total > len(rows) else ""
    return Reply(f"{total} open:\n" + "\n".join(_line(i) for i in rows) + more)


def _roles(session: Session, context: Context) -> Reply:
    incident = _incident(session, context)
    names = {a.role: a for a in incident.roles}
    ids = {i for a in incident.roles for i in (a.primary_user_id, a.backup_user_id) if i}
    from_id = _usernames(session, ids)
    lines = []
    for role in catalog.roles():
        held = names.get(role.id)
        primary = from_id.get(held.primary_user_id or 0, "-") if held else "-"
        backup = from_id.get(held.backup_user_id or 0, "-") if held else "-"
        lines.append(f"• {role.name} (`{role.id}`): {primary}, backup {backup}")
    return Reply(f"Roles on {incident.ref}:\n" + "\n".join(lines))


def _usernames(session: Session, ids: set[int]) -> dict[int, str]:
    return users.usernames(session, ids=ids)


def _timeline(session: Session, context: Context) -> Reply:
    incident = _incident(session, context)
    events = timeline.get_all(session, incident_id=incident.id)[-15:]
    lines = [f"`{e.at:%H:%M}` {e.actor}: {e.summary}" for e in events]
    return Reply(f"Timeline of {incident.ref} (latest {len(lines)}):\n" + "\n".join(lines))


def _declare(uow: UnitOfWork, context: Context) -> Reply:
    if len(context.args) < 3:
        return Reply("Usage: `/wr declare <severity> <type> <title>`, for example "
                     "`/wr declare sev2 service_outage Checkout is down`. "
                     f"Severities: {', '.join(catalog.severity_ids())}; types: "
                     f"{', '.join(t.value for t in catalog.IncidentType)}.")
    severity, kind, title = context.args[0], context.args[1], " ".join(context.args[2:])
    incident = incidents.declare(uow, declaration=incidents.Declaration(
        type=kind, severity=severity, title=title, source=context.provider.name))
    posts.announce(uow, context.provider, incident=incident,
                   channel=context.invocation.channel_id,
                   text=f"{incident.ref} declared by {context.person.label}: {incident.title}")
    return Reply(None)


def _ack(uow: UnitOfWork, context: Context) -> Reply:
    ref = _incident(uow.session, context).ref
    incident = incidents.get_for_update(uow, ref=ref)
    if not incidents.acknowledge(uow, incident=incident):
        return Reply(f"{incident.ref} was already acknowledged by {incident.acknowledged_by}."
                     if incident.acknowledged_by else f"{incident.ref} is closed.")
    posts.say(uow, context.provider, channel=context.invocation.channel_id,
              text=f"{incident.ref} acknowledged by {context.person.label}",
              incident_id=incident.id)
    return Reply(None)


def _phase(uow: UnitOfWork, context: Context) -> Reply:
    ref = _incident(uow.session, context).ref
    incident = incidents.get_for_update(uow, ref=ref)
    options = [p.value for p in legal_next(Phase(incident.phase))]
    offered = " or ".join(f"`{o}`" for o in options) or "nothing: it is closed"
    wanted = parse(context.args[1]) if len(context.args) > 1 else None
    if wanted is None or wanted.value not in options:
        return Reply(f"{incident.ref} is in {incident.phase}; it can move to {offered}.")
    if wanted is Phase.closed and not allows(context.person.role or "viewer",
                                             Permission.incident_command):
        return Reply("Closing an incident needs the commander role.")
    note = " ".join(context.args[2:]) or None
    incidents.transition(uow, incident=incident, target=wanted.value, note=note)
    posts.say(uow, context.provider, channel=context.invocation.channel_id,
              text=f"{incident.ref} moved to {wanted.value} by {context.person.label}",
              incident_id=incident.id)
    return Reply(None)


def _assign(uow: UnitOfWork, context: Context) -> Reply:
    if len(context.args) < 3:
        return Reply("Usage: `/wr assign INC-n <role> @user`; roles: "
                     f"{', '.join(r.id for r in catalog.roles())}.")
    ref = _incident(uow.session, context).ref
    incident = incidents.get_for_update(uow, ref=ref)
    role = catalog.role(context.args[1])
    username = _username(uow.session, context, context.args[2])
    incidents.assign_role(uow, incident=incident, role=role.id, primary=username,
                          backup=_backup(incident, role.id, uow.session))
    posts.say(uow, context.provider, channel=context.invocation.channel_id,
              text=f"{incident.ref}: {role.name} is now {username} "
                   f"(assigned by {context.person.label})", incident_id=incident.id)
    return Reply(None)


def _backup(incident: Incident, role: str, session: Session) -> str | None:
    """Assigning a primary keeps the role's backup, as the console does."""
    held = next((a for a in incident.roles if a.role == role), None)
    if held is None or held.backup_user_id is None:
        return None
    return _usernames(session, {held.backup_user_id}).get(held.backup_user_id)


def _username(session: Session, context: Context, text: str) -> str:
    """``<@U123>`` (a Slack mention) is the linked warroom user; ``@alice``
    or ``alice`` is a warroom username."""
    external = context.provider.mention(text)
    if external is None:
        return text.removeprefix("@")
    user = identity.person_for_user(session, context.provider.name, external)
    if user is None:
        raise Invalid(f"{text} is not linked to a warroom user yet (they can run `/wr help` "
                      "once to be linked by their email address); name their warroom "
                      "username instead.")
    return user.username


def _note(uow: UnitOfWork, context: Context) -> Reply:
    ref = _incident(uow.session, context).ref
    incident = incidents.get_for_update(uow, ref=ref)
    incidents.add_note(uow, incident=incident, text=" ".join(context.args[1:]))
    posts.say(uow, context.provider, channel=context.invocation.channel_id,
              text=f"{incident.ref} note by {context.person.label}: "
                   f"{' '.join(context.args[1:])}", incident_id=incident.id)
    return Reply(None)


def _sev(uow: UnitOfWork, context: Context) -> Reply:
    """Raise or lower the severity with the service the API's PATCH uses, so
    lowering without a reason is refused by the same rule everywhere."""
    if len(context.args) < 2:
        return Reply("Usage: `/wr sev INC-n <severity> [reason]`; severities: "
                     f"{', '.join(catalog.severity_ids())}. Lowering needs a reason.")
    ref = _incident(uow.session, context).ref
    incident = incidents.get_for_update(uow, ref=ref)
    previous = incident.severity
    wanted = context.args[1].lower()
    reason = " ".join(context.args[2:]) or None
    try:
        incidents.change_severity(uow, incident=incident, severity=wanted, reason=reason)
    except Invalid as invalid:
        if invalid.detail.startswith("reason: "):
            raise Invalid(f"Lowering {incident.ref} from {previous} to {wanted} needs a "
                          f"reason: `/wr sev {incident.ref} {wanted} <why>`. It slows the "
                          "escalation, so the timeline keeps why.") from invalid
        raise
    if incident.severity == previous:
        return Reply(f"{incident.ref} is already {previous}.")
    because = f": {reason}" if reason else ""
    posts.say(uow, context.provider, channel=context.invocation.channel_id,
              text=f"{incident.ref} severity {previous} → {incident.severity} by "
                   f"{context.person.label}{because}", incident_id=incident.id)
    return Reply(None)


def _action(uow: UnitOfWork, context: Context) -> Reply:
    """``action add INC-n <owner> <due> <text>``: an action item as the API's
    POST /action-items creates it; ``-`` leaves the owner or the due date open."""
    usage = ("Usage: `/wr action add INC-n <owner|-> <YYYY-MM-DD|-> <text>`, for example "
             "`/wr action add INC-4 @alice 2026-12-20 Add a retry budget to checkout`.")
    if len(context.args) < 5 or context.args[0].lower() != "add":
        return Reply(usage)
    context = Context(context.provider, context.invocation, context.person, context.args[1:])
    ref = _incident(uow.session, context).ref
    incident = incidents.get_for_update(uow, ref=ref)
    owner_text, due_text, title = context.args[1], context.args[2], " ".join(context.args[3:])
    owner = None if owner_text == "-" else _username(uow.session, context, owner_text)
    item = items.create(uow, incident=incident, new=items.NewItem(
        title=title, owner=owner, due_at=_due(due_text), source="incident"))
    who = f" for {owner}" if owner else ""
    due = f", due {item.due_at:%Y-%m-%d}" if item.due_at else ""
    posts.say(uow, context.provider, channel=context.invocation.channel_id,
              text=f"{incident.ref}: action item {items.ref(item)}{who}{due} added by "
                   f"{context.person.label}: {item.title}", incident_id=incident.id)
    return Reply(None)


def _due(text: str) -> datetime | None:
    if text == "-":
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise Invalid(f"`{text}` is not a due date: write it as YYYY-MM-DD, or `-` for "
                      "none.") from None
    return day.replace(hour=23, minute=59, tzinfo=UTC)


VERBS: dict[str, Verb] = {
    "help": Verb("help", Permission.incident_read, read=_help),
    "status": Verb("status [INC-n]", Permission.incident_read, read=_status),
    "roles": Verb("roles INC-n", Permission.incident_read, read=_roles),
    "timeline": Verb("timeline INC-n", Permission.incident_read, read=_timeline),
    "declare": Verb("declare <severity> <type> <title>", Permission.incident_write,
                    write=_declare),
    "ack": Verb("ack INC-n", Permission.page_ack, write=_ack),
    "phase": Verb("phase INC-n <phase> [note]", Permission.incident_write, write=_phase),
    "assign": Verb("assign INC-n <role> @user", Permission.incident_command, write=_assign),
    "note": Verb("note INC-n <text>", Permission.incident_write, write=_note),
    "sev": Verb("sev INC-n <severity> [reason]", Permission.incident_write, write=_sev),
    "action": Verb("action add INC-n <owner> <due> <text>", Permission.review_write,
                   write=_action),
}
