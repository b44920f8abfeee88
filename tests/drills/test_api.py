"""Drills over HTTP and the CLI: start, fire an inject by hand, watch the
live scorecard, end, and read the history with its trend."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from warroom.cli import app as cli_app
from warroom.incidents import service as incidents


def start(client, people, scenario="ddos", **extra):
    return client.post("/api/v1/drills", headers=people.admin, json={
        "scenario": scenario, "facilitator": "carol", "participants": ["alice", "bob"],
        "time_scale": 10, **extra})


def test_a_drill_runs_through_the_api(drills, client, people, clock):
    answer = start(client, people)
    assert answer.status_code == 201, answer.text
    drill = answer.json()
    assert drill["id"] == "DR-1" and drill["incident"] == "INC-1"
    assert [i["fired_at"] is not None for i in drill["injects"]] == [True, False, False]
    assert {o["status"] for o in drill["scorecard"]} == {"pending"}
    fired = client.post("/api/v1/drills/DR-1/injects/escalate", headers=people.admin)
    assert fired.status_code == 200, fired.text
    assert "severity critical" in fired.json()["injects"][2]["outcome"]
    again = client.post("/api/v1/drills/DR-1/injects/escalate", headers=people.admin)
    assert again.status_code == 409 and "already fired" in again.json()["detail"]
    unknown = client.post("/api/v1/drills/DR-1/injects/nope", headers=people.admin)
    assert unknown.status_code == 404 and "customers" in unknown.json()["detail"]
    clock.advance(minutes=3)  # 30 scenario minutes: the 15 min ack target (sev2) passed
    live = client.get("/api/v1/drills/DR-1", headers=people.headers("viewer")).json()
    assert next(o for o in live["scorecard"] if o["id"] == "ack")["status"] == "missed"
    ended = client.post("/api/v1/drills/DR-1/end", headers=people.admin)
    assert ended.status_code == 200 and ended.json()["score"] == 0
    audit = client.get("/api/v1/audit?action=drill.score", headers=people.admin).json()
    assert audit[0]["after"]["scorecard"][0]["status"] == "missed"
    assert client.post("/api/v1/drills/DR-1/end", headers=people.admin).status_code == 409


def test_bad_requests_are_refused_with_a_sentence(drills, client, people):
    assert start(client, people, scenario="nope").status_code == 404
    nobody = client.post("/api/v1/drills", headers=people.admin, json={
        "scenario": "ddos", "facilitator": "carol", "participants": ["mallory"]})
    assert nobody.status_code == 422 and "mallory" in nobody.json()["detail"]
    assert start(client, people, time_scale=0).status_code == 422
    assert start(client, people, scenario="insider-threat", live=True).status_code == 422
    assert client.get("/api/v1/drills/DR-7", headers=people.admin).status_code == 404
    assert client.get("/api/v1/drills/report?since=soon",
                      headers=people.admin).status_code == 422
    assert start(client, people).status_code == 201
    assert client.post("/api/v1/drills", headers=people.headers("viewer"), json={
        "scenario": "ddos", "facilitator": "carol", "participants": ["alice"]}).status_code == 403


def test_the_history_shows_the_trend_per_scenario_and_team(drills, client, people):
    for _ in range(2):
        ref = drills.start("ddos", team="blue")
        drills.at(ref, 1)
        if ref == "DR-2":  # the second time the team acknowledges in time
            drills.act(ref, lambda uow, i: incidents.acknowledge(uow, incident=i, by="alice"))
        drills.end(ref)
    report = client.get("/api/v1/drills/report?since=1y", headers=people.admin).json()
    assert [(d["drill"], d["team"], d["trend"]) for d in report["drills"]] == [
        ("DR-1", "blue", None), ("DR-2", "blue", 25)]


def test_the_cli_lists_scenarios_starts_and_scores(drills, database, settings):
    runner = CliRunner()
    listed = runner.invoke(cli_app, ["drill", "scenarios", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.output)) == 10
    valid = runner.invoke(cli_app, ["drill", "scenarios", "validate"])
    assert valid.exit_code == 0 and "10 scenario file(s) valid" in valid.output
    started = runner.invoke(cli_app, ["drill", "start", "zero-day", "--facilitator", "carol",
                                      "--participants", "alice,bob", "--time-scale", "10",
                                      "--json"])
    assert started.exit_code == 0, started.output
    assert json.loads(started.output)["status"] == "running"
    scored = runner.invoke(cli_app, ["drill", "score", "DR-1"])
    assert scored.exit_code == 0 and "Scorecard" in scored.output
    ended = runner.invoke(cli_app, ["drill", "end", "DR-1", "--json"])
    assert json.loads(ended.output)["status"] == "ended"
    report = runner.invoke(cli_app, ["drill", "report", "--since", "1y"])
    assert report.exit_code == 0 and "zero-day" in report.output
