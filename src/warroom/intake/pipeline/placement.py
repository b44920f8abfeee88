"""Put firing alerts where they belong: into their group's open incident, into
a new incident, or on hold (silenced, monitoring paused, flapping).

The caller has locked the groups (:mod:`warroom.intake.pipeline.groups`), so for one
group only one batch at a time decides, and a group never opens two incidents.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from warroom.incidents import service as incidents
from warroom.incidents import timeline
from warroom.intake import hooks

if TYPE_CHECKING:
    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident
    from warroom.intake.pipeline.groups import Group
    from warroom.intake.rules.routing import CompiledRule
    from warroom.intake.silences import SilenceSet
    from warroom.intake.sources.alert import IncomingAlert



@dataclass(slots=True, eq=False)
class Pending:
    """An alert on its way in: what arrived, how it routes, what was stored
    before, and (once placed) where it went."""

    alert: IncomingAlert
    rule: CompiledRule
    group_key: str
    severity: str
    delivery: Any = None
    stored: Any = None
    """The stored row (id, status, incident_id, held, ...) or None if new."""
    kind: str = "new"
    """new | repeat | resolved | refire | ack | held (re-evaluated) | ignored"""
    incident_id: int | None = None
    held: str | None = None
    silence_id: int | None = None
    group_id: int | None = None
    placed: bool = False
    opened: bool = False

    @property
    def refire(self) -> bool:
        return self.kind == "refire"


@dataclass
class Context:
    now: datetime
    monitoring_enabled: bool
    silences: SilenceSet
    flap_window: timedelta
    flap_threshold: int
    groups: dict[str, Group] = field(default_factory=dict)


def place(uow: UnitOfWork, pending: list[Pending], context: Context) -> None:
    """Decide, for each firing alert that needs it, its incident or its hold."""
    by_group: dict[str, list[Pending]] = defaultdict(list)
    for p in pending:
        p.placed = True
        if not context.monitoring_enabled:
            _hold(p, "paused")
            continue
        silence = context.silences.matching(p.alert.labels, context.now)
        if silence is not None:
            _hold(p, "silenced", silence_id=silence.id)
            continue
        by_group[p.group_key].append(p)
    states = _incident_states(uow, [context.groups[key].incident_id for key in by_group])
    for key in sorted(by_group):
        group = context.groups[key]
        _place_group(uow, group, states.get(group.incident_id), by_group[key], context)


def _incident_states(uow: UnitOfWork, ids: list[int | None]
                     ) -> dict[int | None, tuple[str, str]]:
    """Phase and severity of the batch's incidents, in one query. Attaching an
    alert needs no more than that, so no incident object is loaded for it."""
    return {id_: state for id_, state in incidents.states(uow.session, ids=ids).items()}


def note(uow: UnitOfWork, incident_id: int, summary: str, data: dict[str, Any]) -> None:
    """An ``alert`` event on the incident's timeline (the unit writes them all
    together, in order, at commit)."""
    timeline.add(uow, incident_id=incident_id, kind="alert", summary=summary, data=data)


def rank(severity: str) -> int:
    """1 is the most severe (sev1)."""
    return int(severity[3:])


def describe(alerts: list[IncomingAlert], limit: int = 3) -> str:
    """'WebSocketServiceDown (instance=ws-1)' or 'A (..), B (..) and 3 more'."""
    named = [_one(alert) for alert in alerts[:limit]]
    more = len(alerts) - limit
    text = ", ".join(named)
    return f"{text} and {more} more" if more > 0 else text


def alert_data(pending: list[Pending], limit: int = 20) -> list[dict[str, Any]]:
    return [{"dedup_key": p.alert.dedup_key, "name": p.alert.name, "severity": p.severity,
             "status": p.alert.status, "labels": p.alert.labels} for p in pending[:limit]]


def _place_group(uow: UnitOfWork, group: Group, state: tuple[str, str] | None,
                 items: list[Pending], context: Context) -> None:
    previous = group.incident_id if state is not None else None
    is_open = state is not None and state[0] != "closed"
    recurring = any(p.refire for p in items) or (previous is not None and not is_open)
    flapping = _note_refire(uow, group, previous, context) if recurring \
        else group.flapping_since is not None
    if previous is not None and is_open and state is not None:
        _attach(uow, previous, state[1], items, context)
        return
    if previous is not None and flapping:
        for p in items:
            _hold(p, "flapping")
        note(uow, previous, f"{describe([p.alert for p in items])} fired again while the "
                            "group is flapping; no new incident was opened",
             {"alerts": alert_data(items), "flapping": True})
        return
    incident = _open(uow, group, items, context)
    if previous is not None:
        incidents.link(uow, incident=incident, other_ref=f"INC-{previous}", kind="recurrence")
    group.incident_id = incident.id
    group.changed = True


def _attach(uow: UnitOfWork, incident_id: int, severity: str, items: list[Pending],
            context: Context) -> None:
    verb = "fired again" if all(p.refire for p in items) else "joined"
    note(uow, incident_id, f"{describe([p.alert for p in items])} {verb}",
         {"alerts": alert_data(items), "count": len(items)})
    top = _most_severe(items)
    if rank(top.severity) < rank(severity):
        incident = incidents.get(uow.session, incident_id=incident_id)
        if incident is not None:
            incidents.change_severity(uow, incident=incident, severity=top.severity,
                                      reason=f"alert {top.alert.name} ({top.severity}) joined")
    for p in items:
        p.incident_id, p.held, p.silence_id = incident_id, None, None


def _open(uow: UnitOfWork, group: Group, items: list[Pending], context: Context) -> Incident:
    rule = items[0].rule
    first = items[0].alert
    severity = _most_severe(items).severity
    variables = {"labels": first.labels, "annotations": first.annotations,
                 "alertname": first.name, "summary": first.summary, "severity": severity,
                 "rule": rule.name, "group": dict(group.labels), "count": len(items)}
    started = min((p.alert.starts_at or context.now) for p in items)
    drill = next((found for found in hooks.drill_labels.collect(uow.session, first.labels)
                  if found is not None), None)
    incident = incidents.declare(uow, declaration=incidents.Declaration(
        type=rule.rule.type, severity=severity, title=rule.title(variables),
        description=_description(items), services=rule.services(variables),
        labels={**_common_labels(items), **(drill or {})}, is_drill=drill is not None,
        started_at=min(started, context.now), source="alert",
        context={"routing_rule": rule.name, "playbook": rule.playbook(variables),
                 "escalation_policy": rule.escalation_policy(variables),
                 "alertname": first.name, "group_key": group.key,
                 "alerts": [p.alert.dedup_key for p in items[:20]]}))
    timeline.add(uow, incident_id=incident.id, kind="alert",
                 summary=f"Opened by {describe([p.alert for p in items])} "
                         f"(routing rule {rule.name})",
                 data={"alerts": alert_data(items), "count": len(items), "rule": rule.name})
    for p in items:
        p.incident_id, p.held, p.silence_id, p.opened = incident.id, None, None, True
    return incident


def _note_refire(uow: UnitOfWork, group: Group, incident_id: int | None,
                 context: Context) -> bool:
    """Count one re-fire of the group; say so when it starts flapping."""
    since = context.now - context.flap_window
    recent = [moment for moment in group.refires if datetime.fromisoformat(moment) > since]
    recent.append(context.now.isoformat())
    group.refires = recent[-(context.flap_threshold * 4):]
    group.changed = True
    flapping = len(recent) >= context.flap_threshold
    if flapping and group.flapping_since is None:
        group.flapping_since = context.now
        if incident_id is not None:
            minutes = int(context.flap_window.total_seconds() // 60)
            note(uow, incident_id, f"Flapping: this alert group fired again {len(recent)} "
                                   f"times within {minutes} min",
                 {"flapping": True, "refires": len(recent), "group_key": group.key})
    elif not flapping:
        group.flapping_since = None
    return flapping


def _hold(p: Pending, reason: str, *, silence_id: int | None = None) -> None:
    p.held, p.silence_id = reason, silence_id


def _most_severe(items: list[Pending]) -> Pending:
    return min(items, key=lambda p: rank(p.severity))


def _common_labels(items: list[Pending]) -> dict[str, str]:
    common = dict(items[0].alert.labels)
    for p in items[1:]:
        common = {k: v for k, v in common.items() if p.alert.labels.get(k) == v}
    return common


def _description(items: list[Pending]) -> str:
    first = items[0].alert
    lines = [str(first.annotations.get("description") or first.summary or first.name)]
    if first.generator_url:
        lines.append(f"Source: {first.generator_url}")
    lines.append(f"Opened from {len(items)} alert(s) by routing rule {items[0].rule.name}.")
    return "\n\n".join(lines)[:20_000]


def _one(alert: IncomingAlert) -> str:
    shown = [f"{k}={v}" for k, v in sorted(alert.labels.items())
             if k not in ("alertname", "severity")][:3]
    return f"{alert.name} ({', '.join(shown)})" if shown else alert.name
