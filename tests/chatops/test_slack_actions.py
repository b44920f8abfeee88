"""The acting /wr verbs added after the first set (sev, action add): they
change what the API changes, with the API's permission, and the permission
of every verb is checked against the route that does the same thing."""

from __future__ import annotations

import json

import pytest

from tests.chatops.test_slack_commands import chat_messages, incident
from tests.core.test_route_permissions import declared_access
from warroom.auth.deps import Requirement
from warroom.chatops.commands import VERBS
from warroom.http import api_routes
from warroom.incidents import timeline
from warroom.reviews import items

SAME_AS_ROUTE = {
    "declare": ("POST", "/api/v1/incidents"),
    "ack": ("POST", "/api/v1/incidents/{ref}/acknowledge"),
    "phase": ("POST", "/api/v1/incidents/{ref}/transition"),
    "assign": ("POST", "/api/v1/incidents/{ref}/roles"),
    "note": ("POST", "/api/v1/incidents/{ref}/notes"),
    "sev": ("PATCH", "/api/v1/incidents/{ref}"),
    "action": ("POST", "/api/v1/action-items"),
}
READS = {"help", "status", "roles", "timeline"}


def route_permission(app, method: str, path: str):
    (route,) = [r for r in api_routes(app) if r.path == path and method in r.methods]
    (requirement,) = [m for m in declared_access(route) if isinstance(m, Requirement)]
    return requirement.permission


@pytest.mark.parametrize("verb", sorted(SAME_AS_ROUTE))
def test_each_acting_verb_needs_the_permission_of_its_api_route(app, verb):
    assert VERBS[verb].permission == route_permission(app, *SAME_AS_ROUTE[verb])


def test_every_verb_is_either_a_read_or_mapped_to_a_route():
    assert set(VERBS) == READS | set(SAME_AS_ROUTE)


def test_sev_raises_at_once_and_lowers_only_with_a_reason(chat, database):
    chat.command("U_RESPONDER", "declare sev3 service_outage Checkout slow")
    assert chat.command("U_RESPONDER", "sev INC-1 sev1").content == b""
    assert incident(database).severity == "sev1"

    refused = chat.command("U_RESPONDER", "sev INC-1 sev3").json()
    assert refused["response_type"] == "ephemeral"
    assert "needs a reason" in refused["text"] and "`/wr sev INC-1 sev3 <why>`" in refused["text"]
    assert incident(database).severity == "sev1"

    assert chat.command("U_RESPONDER", "sev INC-1 sev3 mitigated by failover").content == b""
    lowered = incident(database)
    assert lowered.severity == "sev3"
    with database.read() as session:
        events = timeline.get_all(session, incident_id=lowered.id, kind="severity")
    assert [e.summary for e in events] == [
        "Severity raised from sev3 to sev1",
        "Severity lowered from sev1 to sev3: mitigated by failover"]
    assert events[-1].actor == "responder (slack U_RESPONDER)"
    texts = [json.dumps(m.payload, ensure_ascii=False) for m in chat_messages(database)]
    assert any("sev1 → sev3" in t and "mitigated by failover" in t for t in texts)

    bad = chat.command("U_RESPONDER", "sev INC-1 sev9").json()
    assert "'sev9' is not a valid severity" in bad["text"]
    assert chat.command("U_RESPONDER", "sev INC-1").json()["text"].startswith("Usage:")


def test_action_add_creates_the_item_with_owner_and_due_date(chat, database):
    chat.command("U_RESPONDER", "declare sev2 service_outage Checkout down")
    answer = chat.command("U_COMMANDER", "action add INC-1 <@U_RESPONDER> 2026-12-20 "
                                         "Add a retry budget")
    assert answer.status_code == 200 and answer.content == b"", answer.text
    with database.read() as session:
        item = items.get_or_raise(session, item_ref="AI-1")
    assert (item.title, item.owner, item.source) == ("Add a retry budget", "responder",
                                                     "incident")
    assert item.due_at.strftime("%Y-%m-%d") == "2026-12-20"
    assert item.created_by == "commander (slack U_COMMANDER)"

    bad_date = chat.command("U_COMMANDER", "action add INC-1 - tomorrow Fix it").json()
    assert "is not a due date" in bad_date["text"]
    nobody = chat.command("U_COMMANDER", "action add INC-1 nobody - Fix it").json()
    assert nobody["response_type"] == "ephemeral" and "nobody" in nobody["text"]
    assert chat.command("U_COMMANDER", "action INC-1").json()["text"].startswith("Usage:")


@pytest.mark.parametrize("text", ["sev INC-1 sev1", "action add INC-1 - - Fix it"])
def test_unlinked_and_read_only_users_are_refused(chat, database, text):
    chat.command("U_RESPONDER", "declare sev3 service_outage Slow emails")
    stranger = chat.command("U_STRANGER", text).json()
    assert "not linked to a warroom user" in stranger["text"]
    viewer = chat.command("U_VIEWER", text).json()
    assert "Your role (viewer) may not do this" in viewer["text"]
    assert incident(database).severity == "sev3"
