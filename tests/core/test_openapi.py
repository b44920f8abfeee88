"""The OpenAPI document is valid, describes every request body (the
receivers', which read their own bodies, included) and documents the
problem+json errors each operation can answer."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

PROBLEM = {"$ref": "#/components/schemas/Problem"}
BODY_METHODS = ("post", "put", "patch")
# operations that take no body: the path and the token say it all
BODILESS = {
    ("post", "/api/v1/incidents/{ref}/acknowledge"),
    ("post", "/api/v1/incidents/{ref}/escalation/acknowledge"),
    ("post", "/api/v1/ack/{token}"),
    ("post", "/api/v1/breaches/ack/{token}"),
    ("post", "/api/v1/outbox/{message_id}/retry"),
    ("post", "/api/v1/routing/reload"),
    ("post", "/api/v1/incidents/{ref}/steps/{step}/run"),
    ("put", "/api/v1/oncall/teams/{name}/members/{username}"),
    ("post", "/api/v1/drills/{ref}/injects/{inject}"),
    ("post", "/api/v1/drills/{ref}/end"),
    ("post", "/api/v1/incidents/{ref}/review"),
    ("post", "/api/v1/incidents/{ref}/review/submit"),
    ("post", "/api/v1/incidents/{ref}/review/reopen"),
    ("post", "/api/v1/incidents/{ref}/review/approve"),
}
RECEIVERS = {
    "/api/v1/alerts/alertmanager": {"$ref": "#/components/schemas/AlertmanagerWebhook"},
    "/api/v1/alerts/alertmanager/{integration_key}":
        {"$ref": "#/components/schemas/AlertmanagerWebhook"},
    "/api/v1/alerts/generic": {"anyOf": [
        {"$ref": "#/components/schemas/GenericAlert"},
        {"type": "array", "items": {"$ref": "#/components/schemas/GenericAlert"}}]},
    "/v2/enqueue": {"$ref": "#/components/schemas/PagerDutyEvent"},
    "/v2/change/enqueue": {"$ref": "#/components/schemas/ChangeEvent"},
}
PAGERDUTY_SHAPED = {"/v2/enqueue", "/v2/change/enqueue"}  # PagerDuty's own error body


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Built once: the document depends on the routes, not on the database."""
    from fastapi.testclient import TestClient

    from warroom.app import create_app
    from warroom.config import Settings
    from warroom.db import Database

    url = f"sqlite:///{tmp_path_factory.mktemp('openapi') / 'unused.db'}"
    app = create_app(settings=Settings(database_url=url, secret_key="not-a-real-secret"),
                     database=Database(url))
    return TestClient(app).get("/openapi.json").json()


def operations(document: dict):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def test_the_document_is_valid_openapi(document):
    validate(document)


def test_every_operation_that_takes_a_body_documents_its_schema(document):
    undocumented = [f"{method.upper()} {path}" for method, path, operation in
                    operations(document) if method in BODY_METHODS
                    and (method, path) not in BODILESS
                    and not operation.get("requestBody", {}).get("content")]
    assert not undocumented, undocumented


def test_the_receivers_document_their_bodies(document):
    for path, schema in RECEIVERS.items():
        body = document["paths"][path]["post"]["requestBody"]
        assert body["content"]["application/json"]["schema"] == schema, path
    schemas = document["components"]["schemas"]
    assert "alerts" in schemas["AlertmanagerWebhook"]["properties"]
    assert "routing_key" in schemas["PagerDutyEvent"]["required"]
    assert schemas["PagerDutyEvent"]["properties"]["payload"]["anyOf"][0] == \
        {"$ref": "#/components/schemas/PagerDutyPayload"}


def test_errors_are_documented_as_problem_json(document):
    wrong = []
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400 or (path in PAGERDUTY_SHAPED and status == "400"):
                continue
            if response.get("content") != {"application/problem+json": {"schema": PROBLEM}}:
                wrong.append(f"{method.upper()} {path} {status}: {response.get('content')}")
    assert not wrong, "\n".join(wrong[:20])
    assert document["components"]["schemas"]["Problem"]["required"] == \
        ["type", "title", "status", "detail"]


def test_each_operation_lists_the_errors_its_shape_allows(document):
    missing = []
    for method, path, operation in operations(document):
        expected = {"503"}
        if operation.get("security"):
            expected |= {"401", "403"}
        if "{" in path:
            expected.add("404")
        if operation.get("requestBody"):
            expected |= {"413"} if path in PAGERDUTY_SHAPED else {"400", "413", "422"}
        if method != "get":
            expected.add("409")
        lacking = expected - set(operation["responses"])
        if lacking:
            missing.append(f"{method.upper()} {path}: {sorted(lacking)}")
    assert not missing, "\n".join(missing[:20])


def test_a_route_adds_its_own_statuses(document):
    for method in ("get", "post"):
        gone = document["paths"]["/api/v1/ack/{token}"][method]["responses"]["410"]
        assert gone["content"] == {"application/problem+json": {"schema": PROBLEM}}


def test_token_routes_declare_bearer_security_and_public_ones_none(document):
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    paths = document["paths"]
    assert paths["/api/v1/incidents"]["get"]["security"] == [{"bearer": []}]
    assert "security" not in paths["/status/subscribe"]["post"]
    assert "security" not in paths["/v2/enqueue"]["post"]


def test_a_real_validation_error_matches_the_documented_problem(client, people, document):
    from jsonschema import validate as validate_json

    answer = client.post("/api/v1/incidents", json={"type": "nope"}, headers=people.admin)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    validate_json(answer.json(), document["components"]["schemas"]["Problem"])
