"""What the routing rules would do with an alert, without storing anything.

The API's ``POST /api/v1/routing/test`` (labels) and the console's "test a
payload" form (a whole alert as a tool sends it) both come here, so a trial
answers exactly what placement would do: the same rule set, the same first
match, the same templates. Nothing is written, so a trial never opens an
incident, pages anyone or touches an alert group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from warroom.errors import Invalid
from warroom.intake import switches
from warroom.intake.rules import rulebook
from warroom.intake.schemas import RoutingTestIn
from warroom.intake.sources import alertmanager, generic
from warroom.intake.sources.alert import IncomingAlert, fingerprint

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def explain(session: Session, labels: dict[str, str], *, severity: str | None = None,
            summary: str = "", annotations: dict[str, Any] | None = None) -> dict[str, Any]:
    """Which rule ``labels`` match first and what incident it would open."""
    ruleset = rulebook.current(session, generation=switches.read(session).rules_generation)
    rule = ruleset.route(labels)
    chosen = rule.severity_for(severity)
    variables = {"labels": labels, "annotations": annotations or {},
                 "alertname": labels.get("alertname", ""), "summary": summary,
                 "severity": chosen, "rule": rule.name, "group": rule.group_labels(labels),
                 "count": 1}
    return {"rule": rule.name, "origin": rule.origin, "type": rule.rule.type,
            "severity": chosen, "services": rule.services(variables),
            "playbook": rule.playbook(variables),
            "escalation_policy": rule.escalation_policy(variables),
            "group_labels": rule.group_labels(labels), "title": rule.title(variables)}


def explain_payload(session: Session, payload: Any) -> list[dict[str, Any]]:
    """:func:`explain` for each alert in a payload as a tool sends it: an
    Alertmanager webhook (``alerts``), warroom's generic alert (``name``), or
    ``{"labels": {...}}`` as the API's test takes it. Each answer also names
    the alert and its labels."""
    found = []
    for alert in alerts_of(payload):
        answer = explain(session, alert.labels, severity=alert.severity,
                         summary=alert.summary, annotations=alert.annotations)
        found.append({"alert": alert.name, "labels": alert.labels, **answer})
    return found


def alerts_of(payload: Any) -> list[IncomingAlert]:
    """The alerts in a payload, read by the receivers' own schemas (a
    payload they would refuse is refused here with their sentence)."""
    if not isinstance(payload, dict):
        raise Invalid("The payload must be a JSON object: an Alertmanager webhook "
                      "({\"alerts\": [...]}), a generic alert ({\"name\": ...}) or "
                      "{\"labels\": {...}}.")
    try:
        if "alerts" in payload:
            alerts = alertmanager.incoming(
                alertmanager.AlertmanagerWebhook.model_validate(payload))
            if not alerts:
                raise Invalid("The webhook's \"alerts\" list is empty: there is nothing "
                              "to route.")
            return alerts
        if "name" in payload:
            return [generic.incoming(generic.GenericAlert.model_validate(payload))]
        labels = RoutingTestIn.model_validate(payload).labels
    except ValidationError as error:
        raise Invalid("The payload does not fit: " + "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'payload'}: {e['msg']}"
            for e in error.errors()[:5])) from None
    return [IncomingAlert(dedup_key=fingerprint(labels), name=labels.get("alertname", ""),
                          status="firing", labels=labels)]
