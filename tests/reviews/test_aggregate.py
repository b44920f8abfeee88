"""Metrics across incidents, aggregated in SQL, equal a reference computed
here in plain Python from the times the test chose."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta

import pytest

from warroom.errors import Invalid
from warroom.incidents import catalog
from warroom.incidents import service as incidents
from warroom.reviews import aggregate

SEVERITIES = ("sev1", "sev2", "sev3", "sev4")
TYPES = ("service_outage", "performance_degradation", "third_party")
SERVICES = ("chat", "auth", "billing")


def percentile(values, p):
    """Continuous percentile (linear between closest ranks), as percentile_cont."""
    ordered = sorted(values)
    position = p * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def generate(work, clock, count=16, seed=7):
    """Incidents declared over several weeks with random delays; returns what
    the test knows about each: its groups and its durations in seconds."""
    chosen = random.Random(seed)
    known = []
    for index in range(count):
        clock.advance(hours=chosen.randint(1, 30))
        severity = SEVERITIES[index % 4] if index % 5 else "sev2"
        kind = chosen.choice(TYPES)
        services = chosen.sample(SERVICES, chosen.randint(1, 2))
        detect = chosen.randint(0, 40)
        drill = index % 7 == 3
        team = chosen.choice(("sre", "payments"))
        with work() as uow:
            declared = uow.now()
            ref = incidents.declare(uow, declaration=incidents.Declaration(
                type=kind, severity=severity, title=f"Incident {index}", services=services,
                labels={"team": team}, is_drill=drill,
                detected_at=declared, started_at=declared - timedelta(minutes=detect))).ref
        ack = chosen.randint(1, 90)
        record = {"ref": ref, "severity": severity, "type": kind, "services": services,
                  "team": team,
                  "drill": drill, "month": (declared - timedelta(minutes=detect))
                  .strftime("%Y-%m"), "time_to_detect": detect * 60.0}
        clock.advance(minutes=ack)
        with work() as uow:
            incidents.acknowledge(uow, incident=incidents.get_for_update(uow, ref=ref))
        record["time_to_acknowledge"] = ack * 60.0
        due = catalog.severity(severity).response_target.due(declared)
        record["met"] = declared + timedelta(minutes=ack) <= due
        if index % 3:  # some stay open
            fix = chosen.randint(5, 300)
            clock.advance(minutes=fix)
            with work() as uow:
                incidents.transition(uow, incident=incidents.get_for_update(uow, ref=ref),
                                     target="recovery", override_reason="test")
            clock.advance(minutes=10)
            with work() as uow:
                incidents.transition(uow, incident=incidents.get_for_update(uow, ref=ref),
                                     target="lessons_learned", override_reason="test")
            record["time_to_resolve"] = (detect + ack + fix + 10) * 60.0
        known.append(record)
    return known


def reference(known, by, metric, *, drills=False):
    groups = defaultdict(list)
    for record in known:
        if (record["drill"] and not drills) or metric not in record:
            continue
        keys = record["services"] if by == "service" else [record[by]]
        for key in keys:
            groups[key].append(record[metric])
    return {key: {"n": len(values), "p50": round(percentile(values, 0.5), 3),
                  "p90": round(percentile(values, 0.9), 3), "max": max(values),
                  "mean": round(sum(values) / len(values), 3)}
            for key, values in groups.items()}


@pytest.fixture
def known(work, clock, people):
    clock.set(clock.now() - timedelta(days=60))
    return generate(work, clock)


def test_percentiles_by_group_equal_the_python_reference(known, database, clock):
    for by in ("severity", "type", "service", "team", "month"):
        with database.read() as session:
            result = aggregate.response(session, aggregate.Query(by=by), now=clock.now())
        for metric in ("time_to_detect", "time_to_acknowledge", "time_to_resolve"):
            got = {g["key"]: g["metrics"][metric] for g in result["groups"]
                   if metric in g["metrics"]}
            assert got == reference(known, by, metric), (by, metric)


def test_target_met_rate_and_drills_kept_out_unless_asked(known, database, clock):
    with database.read() as session:
        plain = aggregate.response(session, aggregate.Query(by="severity"), now=clock.now())
        with_drills = aggregate.response(session, aggregate.Query(by="none", drills=True),
                                         now=clock.now())
    for group in plain["groups"]:
        judged = [r["met"] for r in known
                  if r["severity"] == group["key"] and not r["drill"] and r["met"] is not None]
        expected = sum(judged) / len(judged) if judged else None
        assert group["target_met_rate"] == expected
        assert group["incidents"] == sum(1 for r in known if r["severity"] == group["key"]
                                         and not r["drill"])
    assert with_drills["groups"][0]["incidents"] == len(known)


def test_top_services_by_count_and_hours(known, database, clock):
    with database.read() as session:
        top = aggregate.response(session, aggregate.Query(by="none"),
                                 now=clock.now())["top_services"]
    counts = defaultdict(int)
    hours = defaultdict(float)
    for record in known:
        if record["drill"]:
            continue
        for service in record["services"]:
            counts[service] += 1
            hours[service] += record.get("time_to_resolve", 0) / 3600
    assert {r["service"]: r["incidents"] for r in top["by_count"]} == dict(counts)
    assert {r["service"]: r["hours"] for r in top["by_hours"]} == {
        s: round(h, 3) for s, h in hours.items() if h}
    assert [r["incidents"] for r in top["by_count"]] == sorted(counts.values(), reverse=True)


def test_since_limits_the_incidents(known, database, clock):
    with database.read() as session:
        recent = aggregate.response(session, aggregate.Query(
            by="none", since=aggregate.since("7d", clock.now())), now=clock.now())
    cutoff = clock.now() - timedelta(days=7)
    assert cutoff.tzinfo is not None
    total = recent["groups"][0]["incidents"] if recent["groups"] else 0
    assert 0 < total < len([r for r in known if not r["drill"]])


def test_bad_grouping_or_span_is_a_sentence(database, clock):
    with database.read() as session, pytest.raises(Invalid, match="by"):
        aggregate.response(session, aggregate.Query(by="colour"), now=clock.now())
    with pytest.raises(Invalid, match="90d"):
        aggregate.since("last tuesday", clock.now())


def test_the_api_and_the_cli_agree(known, client, people):
    got = client.get("/api/v1/metrics/response?by=severity&metric=time_to_acknowledge",
                     headers=people.headers("viewer"))
    assert got.status_code == 200
    body = got.json()
    assert {g["key"]: g["metrics"]["time_to_acknowledge"] for g in body["groups"]} == \
        reference(known, "severity", "time_to_acknowledge")
    svg = client.get("/api/v1/metrics/response/chart.svg?by=severity",
                     headers=people.headers("viewer"))
    assert svg.status_code == 200 and svg.text.startswith("<svg")
    refused = client.get("/api/v1/metrics/response?by=colour",
                         headers=people.headers("viewer"))
    assert refused.status_code == 422 and "colour" in refused.json()["detail"]
