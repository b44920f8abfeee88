"""/metrics publishes each duration figure as a histogram per severity and
type, computed from the database at scrape time (so every API process shows
the same counts), drills left out."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from warroom.incidents import service as incidents


def known_incident(work, clock, *, severity: str, ack_minutes: float, kind: str =
                   "service_outage", drill: bool = False) -> str:
    with work() as uow:
        ref = incidents.declare(uow, declaration=incidents.Declaration(
            type=kind, severity=severity, title="Known", is_drill=drill,
            detected_at=uow.now(), started_at=uow.now())).ref
    clock.advance(timedelta(minutes=ack_minutes))
    with work() as uow:
        incidents.acknowledge(uow, incident=incidents.get_for_update(uow, ref=ref))
    return ref


def histogram(text: str, name: str) -> dict[tuple[str, ...], dict[str, float]]:
    """{(severity, type): {le or "count"/"sum": value}} of one histogram."""
    found: dict[tuple[str, ...], dict[str, float]] = {}
    for family in text_string_to_metric_families(text):
        if family.name != name:
            continue
        assert family.type == "histogram"
        for sample in family.samples:
            key = (sample.labels["severity"], sample.labels["type"])
            if sample.name.endswith("_bucket"):
                found.setdefault(key, {})[sample.labels["le"]] = sample.value
            else:
                found.setdefault(key, {})[sample.name.rsplit("_", 1)[1]] = sample.value
    return found


def test_time_to_acknowledge_buckets_count_the_known_incidents(work, clock, client, people):
    known_incident(work, clock, severity="sev2", ack_minutes=0.5)    # 30 s
    known_incident(work, clock, severity="sev2", ack_minutes=10)     # 600 s
    known_incident(work, clock, severity="sev2", ack_minutes=120)    # 7200 s
    known_incident(work, clock, severity="sev3", ack_minutes=2, kind="third_party")
    known_incident(work, clock, severity="sev2", ack_minutes=1, drill=True)  # left out
    found = histogram(client.get("/metrics").text, "warroom_incident_time_to_acknowledge_seconds")
    assert set(found) == {("sev2", "service_outage"), ("sev3", "third_party")}
    sev2 = found[("sev2", "service_outage")]
    assert {le: sev2[le] for le in ("60.0", "300.0", "900.0", "1800.0", "3600.0", "14400.0",
                                    "86400.0", "604800.0", "+Inf")} == {
        "60.0": 1, "300.0": 1, "900.0": 2, "1800.0": 2, "3600.0": 2, "14400.0": 3,
        "86400.0": 3, "604800.0": 3, "+Inf": 3}
    assert sev2["count"] == 3 and sev2["sum"] == 30 + 600 + 7200
    assert found[("sev3", "third_party")]["300.0"] == 1
    assert found[("sev3", "third_party")]["60.0"] == 0


def test_no_incidents_no_histogram_samples_and_no_error(client, people):
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert histogram(answer.text, "warroom_incident_time_to_acknowledge_seconds") == {}
