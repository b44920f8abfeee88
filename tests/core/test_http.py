"""Health, metrics, error shapes and request limits."""

from __future__ import annotations

from sqlalchemy import create_engine

from warroom.app import create_app
from warroom.db import Database


def test_health_reports_database_reachable(client, people):
    answer = client.get("/health")  # people: an admin with an email, so no set-up gap
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok"}


def test_health_is_503_when_database_is_unreachable(settings, clock, tmp_path):
    broken = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")
    from fastapi.testclient import TestClient

    with TestClient(create_app(settings=settings, database=broken, clock=clock)) as client:
        answer = client.get("/health")
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert "database" in answer.json()["detail"]


def test_metrics_expose_open_incidents_requests_and_audit_chain(client, people):
    client.post("/api/v1/incidents", json={"type": "service_outage", "severity": "high"},
                headers=people.admin)
    text = client.get("/metrics").text
    assert 'warroom_open_incidents{phase="detection",severity="sev2"} 1.0' in text
    assert "warroom_audit_chain_length" in text
    assert 'warroom_http_requests_total{method="POST",route="/api/v1/incidents",status="201"}' \
        in text


def test_unknown_route_is_problem_json(client):
    answer = client.get("/api/v1/nothing-here")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert "/api/v1/nothing-here" in answer.json()["detail"]


def test_malformed_json_is_400_with_a_sentence(client, people):
    answer = client.post("/api/v1/incidents", content=b'{"type": ', headers={
        **people.admin, "content-type": "application/json"})
    assert answer.status_code == 400
    body = answer.json()
    assert body["title"] == "Malformed JSON"
    assert body["detail"].startswith("The request body is not valid JSON")


def test_body_over_limit_is_413(client, people, settings):
    big = b'{"type": "service_outage", "severity": "low", "description": "' + \
        b"x" * (settings.max_body_bytes + 10) + b'"}'
    answer = client.post("/api/v1/incidents", content=big, headers={
        **people.admin, "content-type": "application/json"})
    assert answer.status_code == 413
    assert str(settings.max_body_bytes) in answer.json()["detail"]


def test_streamed_body_over_limit_without_length_is_413(client, people, settings):
    def chunks():
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b"x" * 65536

    answer = client.post("/api/v1/incidents", content=chunks(), headers={
        **people.admin, "content-type": "application/json"})
    assert answer.status_code == 413


def test_openapi_document_lists_the_incident_routes(client):
    spec = client.get("/openapi.json").json()
    assert "/api/v1/incidents" in spec["paths"]
    assert "/api/v1/admin/incidents" in spec["paths"]


def test_database_outage_answers_503_and_stores_nothing(client, people, database):
    engine = database.engine
    database.engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    try:
        answer = client.post("/api/v1/incidents", headers=people.admin,
                             json={"type": "service_outage", "severity": "low"})
    finally:
        database.engine = engine
    assert answer.status_code == 503
    assert answer.headers["retry-after"]
    assert "nothing was stored" in answer.json()["detail"]
    assert client.get("/api/v1/incidents", headers=people.admin).json()["total"] == 0


def read_only_database(database_url: str) -> Database:
    """The same database opened so that reads work and every write is refused."""
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        return Database(f"sqlite:///file:{path}?mode=ro&uri=true")
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        name = conn.exec_driver_sql("SELECT current_database()").scalar()
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    admin.dispose()
    return Database(database_url)


def test_health_is_503_when_the_database_refuses_writes(settings, database_url, clock):
    from fastapi.testclient import TestClient

    readonly = read_only_database(database_url)
    try:
        with TestClient(create_app(settings=settings, database=readonly, clock=clock)) as client:
            answer = client.get("/health")
    finally:
        readonly.dispose()
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "5"
    assert "refuses writes" in answer.json()["detail"]
