"""Integers the database cannot store are refused as bad input.

Ids and sequence numbers are INTEGER columns (32-bit on PostgreSQL, 64-bit
on SQLite); a larger number in a path, a query or a request body used to
reach the database and come back as a 500 (SQLite cannot bind one beyond 64
bits, PostgreSQL reports it out of range). Every operation in the OpenAPI
document with an integer parameter is walked with one past each end of the
32-bit range and one past each end of the 64-bit range.
"""

from __future__ import annotations

import re
from typing import Any

from warroom.http import DB_INT_MAX, DB_INT_MIN

OUT_OF_RANGE = (DB_INT_MAX + 1, DB_INT_MIN - 1, 2**63, -(2**63) - 1)
ID_FIELD = re.compile(r"(^|_)ids?$")


def integer_parameters(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, parameter) for every integer path or query parameter."""
    found = []
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("path", "query") and _is_integer(parameter["schema"]):
                    found.append((method.upper(), path, parameter))
    return found


def _is_integer(schema: dict[str, Any]) -> bool:
    if schema.get("type") == "integer":
        return True
    return any(option.get("type") == "integer" for option in schema.get("anyOf", []))


def request_url(path: str, parameter: dict[str, Any], value: int) -> tuple[str, dict[str, str]]:
    """The path with ``value`` in the parameter under test and a harmless
    word in every other path parameter."""
    def fill(match: re.Match[str]) -> str:
        return str(value) if match.group(1) == parameter["name"] else "no-such-thing"

    concrete = re.sub(r"\{([^}]+)\}", fill, path)
    query = {parameter["name"]: str(value)} if parameter["in"] == "query" else {}
    return concrete, query


def test_every_integer_parameter_refuses_numbers_beyond_the_database(client, people):
    walked = integer_parameters(client.app.openapi())
    assert len(walked) > 20
    failures = []
    for method, path, parameter in walked:
        for value in OUT_OF_RANGE:
            url, query = request_url(path, parameter, value)
            answer = client.request(method, url, params=query, headers=people.admin)
            named = f"{parameter['in']}.{parameter['name']}"
            fields = [error["field"] for error in answer.json().get("errors", [])] \
                if answer.status_code == 422 else []
            if answer.status_code != 422 or named not in fields:
                failures.append(f"{method} {path} {named}={value}: {answer.status_code} "
                                f"{answer.text[:120]}")
    assert not failures, "\n".join(failures)


def test_the_refusal_is_a_problem_naming_the_limit(client, people):
    answer = client.get(f"/api/v1/audit?after_seq={DB_INT_MAX + 1}",
                        headers=people.admin)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert str(DB_INT_MAX) in answer.json()["detail"]


def test_the_largest_stored_number_is_still_accepted(client, people):
    answer = client.get(f"/api/v1/audit?after_seq={DB_INT_MAX}", headers=people.admin)
    assert answer.status_code == 200
    assert answer.json() == []


def request_body_id_fields(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(schema, property, definition) for every integer id in a request body."""
    schemas = openapi["components"]["schemas"]
    found = []
    for name in _request_schemas(openapi):
        for prop, definition in schemas[name].get("properties", {}).items():
            if ID_FIELD.search(prop) and _is_integer(definition.get("items", definition)):
                found.append((name, prop, definition))
    return found


def _request_schemas(openapi: dict[str, Any]) -> set[str]:
    names = set()
    for operations in openapi["paths"].values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                ref = media.get("schema", {}).get("$ref", "")
                if ref:
                    names.add(ref.rsplit("/", 1)[-1])
    return names


def _bounds(definition: dict[str, Any]) -> tuple[int | None, int | None]:
    options = [definition.get("items", definition), *definition.get("anyOf", [])]
    integer = next(option for option in options if option.get("type") == "integer")
    return integer.get("minimum"), integer.get("maximum")


def test_every_id_in_a_request_body_is_bounded_by_the_database(client):
    fields = request_body_id_fields(client.app.openapi())
    assert fields
    unbounded = [f"{schema}.{prop}" for schema, prop, definition in fields
                 if _bounds(definition)[1] is None or _bounds(definition)[1] > DB_INT_MAX
                 or (_bounds(definition)[0] or 0) < DB_INT_MIN]
    assert not unbounded, unbounded


def test_a_notification_rule_naming_a_huge_contact_method_is_refused(client, people):
    answer = client.post("/api/v1/oncall/people/admin/notification-rules", headers=people.admin,
                         json={"contact_method_id": DB_INT_MAX + 1, "delay_minutes": 0})
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "contact_method_id"


def test_the_largest_stored_id_is_looked_up_not_refused(client, people):
    answer = client.get(f"/api/v1/alerts/{DB_INT_MAX}", headers=people.admin)
    assert answer.status_code == 404, answer.text
