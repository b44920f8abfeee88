"""How escalations move: repeats, gaps, reassignment, severity changes,
routing rules, drills, and a fresh install that pages nobody."""

from __future__ import annotations

import json

from warroom.incidents import service as incidents
from warroom.oncall.escalation import service as escalations
from warroom.oncall.policies import service as policies
from warroom.oncall.policies.document import Policy


def put_policy(org, document: dict) -> None:
    with org.unit() as uow:
        policies.put(uow, policy=Policy.model_validate(document))


def test_unacknowledged_incident_keeps_escalating_through_repeats(org, clock):
    org.staff_positions()
    start = clock.now()
    org.declare("sev4")  # oce at 0, lead at 30, no repeat
    put_policy(org, {"name": "twice", "repeat": 1, "steps": [
        {"targets": [{"user": "oce"}], "delay": "10m"},
        {"targets": [{"user": "lead"}], "delay": "10m"}]})
    ref = org.declare("sev4", context={"escalation_policy": "twice"})
    got = []
    for minute in range(0, 50, 5):
        org.at(start, minutes=minute)
        got += [(minute, who) for who in org.paged()]
    assert [g for g in got if g[1] in ("oce", "lead")] == [
        (0, "oce"), (0, "oce"), (10, "lead"), (20, "oce"), (30, "lead"), (30, "lead")]
    summaries = [e.summary for e in org.timeline(ref, "escalation")]
    assert "Nobody acknowledged after policy twice ran 2 time(s); escalation exhausted" \
        in summaries


def test_exhausted_escalation_alerts_admins(org, clock, mailbox):
    org.staff_positions()
    put_policy(org, {"name": "short", "steps": [{"targets": [{"user": "oce"}], "delay": "5m"}]})
    ref = org.declare("sev3", context={"escalation_policy": "short"})
    org.tick()
    clock.advance(minutes=5)
    org.tick()
    alerts = [m for m in mailbox.wait_for(1) if "nobody acknowledged" in m["Subject"]]
    assert alerts and alerts[0]["To"] == "admin@example.com"
    assert ref in alerts[0]["Subject"]


def test_a_step_that_reaches_nobody_moves_on_at_once(org, clock, mailbox):
    org.person("oce")
    org.person("em")
    org.bind("on_call_engineer", "user:oce")
    org.bind("engineering_manager", "user:em")  # team_lead is bound to nobody: a gap
    start = clock.now()
    ref = org.declare("sev1")
    assert org.paged() == ["oce"]
    org.at(start, minutes=15)
    assert org.paged() == ["em"]  # not at minute 30: the empty step did not wait its delay
    (gap,) = [e for e in org.timeline(ref, "escalation") if "Team Lead" in e.summary]
    assert "step 2/5 (Team Lead) reaches nobody; moving on at once" in gap.summary
    (alert,) = [m for m in mailbox.wait_for(1) if "Team Lead reaches nobody" in m["Subject"]]
    assert alert["To"] == "admin@example.com" and "Team Lead" in alert["Subject"]


def test_an_empty_schedule_slot_is_a_gap(org, clock, client, people):
    org.person("oce")
    org.person("lead")
    client.post("/api/v1/oncall/schedules", json={"name": "primary", "time_zone": "UTC"},
                headers=people.admin)
    client.post("/api/v1/oncall/schedules/primary/layers", headers=people.admin, json={
        "rotation": "daily", "participants": ["oce"], "starts_at": "2026-01-05T09:00:00Z",
        "active_from": "09:00", "active_until": "17:00"})
    org.bind("on_call_engineer", "schedule:primary")
    org.bind("team_lead", "user:lead")
    clock.set(clock.now().replace(hour=20))  # outside the layer's hours: nobody on call
    ref = org.declare("sev2")
    assert org.paged() == ["lead"]
    assert any("reaches nobody" in e.summary for e in org.timeline(ref, "escalation"))


def test_reassigning_restarts_at_the_new_target(org, clock, client, people):
    org.staff_positions()
    org.person("bob")
    start = clock.now()
    ref = org.declare("sev1")
    assert org.paged() == ["oce"]
    client.post(f"/api/v1/incidents/{ref}/acknowledge", headers=people.headers("responder"))
    org.at(start, minutes=20)
    answer = client.post(f"/api/v1/incidents/{ref}/escalation/reassign",
                         json={"to": {"user": "bob"}}, headers=people.headers("responder"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "active"
    assert org.paged() == ["bob"]
    org.at(start, minutes=35)
    assert org.paged() == ["lead"]  # bob did not answer within 15 min: the chain follows
    link = org.ack_url("/lead")
    assert client.post(link).json()["acknowledged"] is True
    org.at(start, hours=3)
    assert org.paged() == []


def test_raising_the_severity_moves_to_the_new_policy_from_the_start(org, clock):
    org.staff_positions()
    start = clock.now()
    ref = org.declare("sev4")
    assert org.paged() == ["oce"]
    org.at(start, minutes=40)
    assert org.paged() == ["lead"]  # sev4: lead at 30
    with org.unit() as uow:
        incidents.change_severity(uow, incident=incidents.get_for_update(uow, ref=ref),
                                  severity="sev1", reason="customers affected")
    arrived = org.tick()
    pages = [r.path.strip("/") for r in arrived if r.json()["event"] == "page"]
    notices = {r.path.strip("/") for r in arrived if r.json()["event"] == "notice"}
    assert pages == ["em"]  # sev1 has the manager at 30: overdue, paged now; oce/lead not again
    assert {"vp", "cto"} <= notices  # sev1's executive notification
    org.at(start, minutes=59)
    assert org.paged() == []
    org.at(start, minutes=60)
    assert org.paged() == ["vp"]  # sev1's 1-hour step, at its time from the start
    with org.database.read() as session:
        incident = incidents.get_by_ref(session, ref=ref)
        assert escalations.for_incident(session, incident_id=incident.id).policy_name == "sev1"


def test_a_severity_change_says_the_policy_changed_before_what_it_caught_up(org, clock):
    """The policy change, the catch-up page and the new policy's notices are
    written by three writers in one unit: they come out in that order."""
    org.staff_positions()
    start = clock.now()
    ref = org.declare("sev4")
    org.at(start, minutes=40)
    with org.unit() as uow:
        incidents.change_severity(uow, incident=incidents.get_for_update(uow, ref=ref),
                                  severity="sev1", reason="customers affected")
    summaries = [e.summary for e in org.timeline(ref)]
    raised = summaries.index("Severity raised from sev4 to sev1: customers affected")
    follows, caught_up = summaries[raised + 1], summaries[raised + 2]
    assert follows == "Escalation follows the severity: policy sev4 -> sev1"
    assert caught_up.startswith("Policy sev1 catches up: paged ")
    assert any(s.startswith("Notified ") for s in summaries[raised + 3:])


def test_a_policy_chosen_by_a_routing_rule_keeps_through_severity_changes(org, clock):
    org.staff_positions()
    put_policy(org, {"name": "db-team", "steps": [
        {"targets": [{"user": "lead"}], "delay": "1h"}]})
    ref = org.declare("sev3", context={"escalation_policy": "db-team"})
    assert org.paged() == ["lead"]
    with org.unit() as uow:
        incidents.change_severity(uow, incident=incidents.get_for_update(uow, ref=ref),
                                  severity="sev1")
    with org.database.read() as session:
        incident = incidents.get_by_ref(session, ref=ref)
        escalation = escalations.for_incident(session, incident_id=incident.id)
        assert (escalation.policy_name, escalation.chosen_by) == ("db-team", "routing")


def test_an_unknown_routing_policy_falls_back_to_the_severity(org):
    org.staff_positions()
    ref = org.declare("sev2", context={"escalation_policy": "no-such-policy"})
    assert org.paged() == ["oce"]
    (started, *_) = org.timeline(ref, "escalation")
    assert "policy sev2" in started.summary and "'no-such-policy' does not exist" \
        in started.summary


def test_a_policy_can_be_chosen_by_hand(org, client, people):
    org.staff_positions()
    ref = org.declare("sev4")
    org.paged()
    answer = client.post(f"/api/v1/incidents/{ref}/escalation", json={"policy": "sev1"},
                         headers=people.headers("responder"))
    assert answer.status_code == 200, answer.text
    assert (answer.json()["policy"], answer.json()["chosen_by"]) == ("sev1", "manual")
    assert sorted(r.path.strip("/") for r in org.tick()) == ["cto", "oce", "vp"]


def test_a_drill_pages_only_its_participants(org, clock):
    org.staff_positions()
    start = clock.now()
    ref = org.declare("sev1", is_drill=True, labels={"drill_participants": "lead, em"})
    assert org.tick() == []  # the on-call engineer and the executives are not in the drill
    org.at(start, minutes=15)  # the drill keeps the matrix's times
    (page,) = [r for r in org.tick() if r.json()["event"] == "page"]
    assert page.path == "/lead" and page.json()["incident"]["is_drill"] is True
    assert page.json()["incident"]["title"] == "Chat is down"
    org.at(start, minutes=30)
    assert org.paged() == ["em"]
    org.at(start, hours=2)
    assert org.paged() == []  # VP and CTO are not taking part
    skipped = [e.summary for e in org.timeline(ref, "page") if "not in the drill" in e.summary]
    assert skipped[0] == "Escalation step 1/5 (On-call Engineer): oce not in the drill, not paged"
    assert not org.outbox(kind="admin_alert")
    assert not org.outbox(kind="notice")


def test_a_drill_can_name_a_team_as_participants(org, client, people):
    org.staff_positions()
    client.post("/api/v1/oncall/teams", json={"name": "blue", "members": ["oce"]},
                headers=people.admin)
    org.declare("sev3", is_drill=True, labels={"drill_participants": "team:blue"})
    assert org.paged() == ["oce"]


def test_nothing_pages_before_paging_is_set_up(org, client, people):
    org.person("oce")  # a person, but no position bound and no custom policy
    ref = org.declare("sev1")
    assert org.tick() == []
    assert not [e for e in org.timeline(ref) if e.kind in ("escalation", "page", "sla")]
    answer = client.get(f"/api/v1/incidents/{ref}", headers=people.admin)
    assert "escalation" not in answer.json()["extra"]


def test_cli_shows_reassigns_and_acknowledges_again_after_reassignment(org, clock):
    from typer.testing import CliRunner

    from warroom.cli import app as cli_app

    runner = CliRunner()
    org.staff_positions()
    org.person("bob")
    start = clock.now()
    ref = org.declare("sev1")
    org.paged()
    assert runner.invoke(cli_app, ["incident", "ack", ref, "--as", "oce"]).exit_code == 0
    moved = runner.invoke(cli_app, ["oncall", "escalation", "reassign", ref, "--to", "user:bob"])
    assert moved.exit_code == 0, moved.output
    assert org.paged() == ["bob"]
    again = runner.invoke(cli_app, ["oncall", "escalation", "ack", ref, "--as", "bob"])
    assert again.exit_code == 0 and f"{ref} acknowledged" in again.stdout
    org.at(start, hours=1)
    assert org.paged() == []
    shown = json.loads(runner.invoke(cli_app, ["oncall", "escalation", "show", ref,
                                               "--json"]).stdout)
    assert (shown["state"], shown["acknowledged_by"]) == ("acknowledged", "bob")
    assert [p["user"] for p in shown["pages"]] == ["oce", "bob"]


def test_a_drill_label_naming_nobody_pages_nobody(org):
    org.staff_positions()
    ref = org.declare("sev2", is_drill=True,
                      labels={"drill_participants": "x" * 300 + ", team:, ghost"})
    assert org.tick() == []
    assert org.timeline(ref, "page")  # the steps were played out, without pages
