"""A NUL character in any string a request carries is refused with a 4xx,
on both databases: PostgreSQL cannot store one, and a 500 makes a sender
(Alertmanager above all) retry the same delivery for ever.

The walk is generated from the OpenAPI document, so a route added later is
walked too: each JSON body is built from its schema with valid values, then
sent once per string in it (property, list item, map key and map value) with
that one string carrying a NUL. The raw receivers, which parse their bodies
outside FastAPI, are walked from sample payloads.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

import pytest

from tests.core.test_route_permissions import ROTATES_TOKENS

if TYPE_CHECKING:
    from collections.abc import Iterator

NUL = "bad\u0000value"
Path = tuple[str | int, ...]

# Valid values for strings the walk cannot guess from the schema alone.
VALUES = {
    "type": "service_outage", "severity": "high", "kind": "email", "phase": "triage",
    "role": "incident_commander", "milestone": "started_at", "rotation": "daily",
    "template": "status_update", "status": "investigating", "playbook": "security-incident",
    "time_zone": "UTC", "name": "walked", "username": "walker", "policy": "sev1",
    "incident": "INC-1", "email": "walker@example.com", "address": "walker@example.com",
    "user": "admin", "to": "role:incident_commander", "reason": "walked by the test",
}
TIME = "2026-01-05T10:00:00Z"
# Fields a valid body needs beyond the required ones, by schema name.
EXTRA: dict[str, dict[str, Any]] = {
    "StoredRuleIn": {"match": {"job": "api"}}, "UserCreate": {"role": "responder"},
    "LinkIn": {"incident": "INC-2"}, "SilenceIn": {"duration_minutes": 60},
    "OverrideIn": {"ends_at": "2026-01-05T11:00:00Z"}, "TargetSpec": {"schedule": "primary"},
    "SendIn": {"to": ["email:exec@example.com"]},
    "MaintenanceIn": {"scheduled_for": "2030-01-01T00:00:00Z",
                      "scheduled_until": "2030-01-01T01:00:00Z"},
    "MaintenanceUpdateIn": {"status": "in_progress"},
    "SubscriberIn": {"email": "walker@example.com"},
    "DrillStartIn": {"facilitator": "admin", "participants": ["responder"]},
    "DrillScheduleIn": {"owner": "admin"},
    "MeetingIn": {"participants": ["admin"]},
    "IncidentFields": {"body": "Still looking"}, "ComponentFields": {"status": "operational"},
}


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"]
            return _resolve(doc, options[0])
    return schema


def _value(doc: dict[str, Any], schema: dict[str, Any], name: str) -> Any:
    """A valid value for one field, from its schema (and the table above)."""
    schema = _resolve(doc, schema)
    if "enum" in schema or "const" in schema:
        return schema.get("enum", [schema.get("const")])[0]
    kind = schema.get("type")
    if kind == "object":
        return _object(doc, schema)
    if kind == "array":
        count = max(1, schema.get("minItems", 0))
        return [_value(doc, schema.get("items", {}), name) for _ in range(count)]
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if schema.get("format") == "date-time":
        return TIME
    if name in VALUES:
        return VALUES[name]
    if "examples" in schema:
        return schema["examples"][0]
    return "x" * max(3, schema.get("minLength", 0))


def _object(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    properties = schema.get("properties", {})
    body = {name: _value(doc, properties[name], name) for name in schema.get("required", [])}
    return {**body, **EXTRA.get(schema.get("title", ""), {})}


def _is_string(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" and "enum" not in schema and "const" not in schema


def _strings(doc: dict[str, Any], schema: dict[str, Any], path: Path,
             seen: frozenset[str] = frozenset(), wanted: Any = _is_string,
             keys: bool = True) -> Iterator[tuple[Path, str]]:
    """Every place a string (or what ``wanted`` picks) may go: (path, "value" | "key")."""
    ref = schema.get("$ref", "")
    if ref in seen:
        return
    seen = seen | {ref}
    schema = _resolve(doc, schema)
    kind = schema.get("type")
    if wanted(schema):
        yield path, "value"
    elif kind == "array":
        yield from _strings(doc, schema.get("items", {}), (*path, 0), seen, wanted, keys)
    elif kind == "object":
        for name, inner in schema.get("properties", {}).items():
            yield from _strings(doc, inner, (*path, name), seen, wanted, keys)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            if keys:
                yield (*path, "*"), "key"
            yield from _strings(doc, extra, (*path, "*"), seen, wanted, keys)


def _poisoned(doc: dict[str, Any], schema: dict[str, Any], path: Path, where: str,
              bad: Any = NUL) -> Any:
    """The valid body with ``bad`` (a NUL string) at ``path``, as a key or a value."""
    body = _value(doc, schema, "")
    return _poison(doc, _resolve(doc, schema), body, path, where, bad)


def _poison(doc: dict[str, Any], schema: dict[str, Any], node: Any, path: Path,
            where: str, bad: Any) -> Any:
    if not path:
        return bad
    head, rest = path[0], path[1:]
    schema = _resolve(doc, schema)
    if head == "*":
        inner = _resolve(doc, schema["additionalProperties"])
        if where == "key" and not rest:
            return {bad: _value(doc, inner, "")}
        return {"k": _poison(doc, inner, _value(doc, inner, ""), rest, where, bad)}
    if isinstance(head, int):
        item = _resolve(doc, schema.get("items", {}))
        return [_poison(doc, item, _value(doc, item, ""), rest, where, bad)]
    node = dict(node) if isinstance(node, dict) else {}
    inner = _resolve(doc, schema.get("properties", {}).get(head, {}))
    current = node.get(head, _value(doc, inner, str(head)))
    node[head] = _poison(doc, inner, current, rest, where, bad)
    return node


def _named(path: Path, where: str) -> str:
    """How the answer names the poisoned string: its dotted path, or for a key
    the object holding it."""
    if where == "key":
        return ".".join(str(part) for part in path[:-1]) or "body"
    return ".".join(str(part) for part in path)


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content and path != ROTATES_TOKENS:
                yield method.upper(), path, content["application/json"]["schema"]


@pytest.fixture
def world(client, people) -> dict[str, str]:
    """Objects for the paths to name, so that each request reaches its service."""
    admin = people.admin

    def made(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = client.post(path, json=body, headers=admin)
        assert answer.status_code in (200, 201), (path, answer.text)
        return answer.json()

    for _ in range(2):
        made("/api/v1/incidents", {"type": "service_outage", "severity": "high", "title": "t"})
    made("/api/v1/oncall/schedules", {"name": "primary"})
    component = made("/api/v1/statuspage/components", {"name": "api"})
    public = made("/api/v1/statuspage/incidents", {"name": "Down", "body": "Looking"})
    maintenance = made("/api/v1/statuspage/maintenances", {
        "name": "Upgrade", "scheduled_for": "2030-01-01T00:00:00Z",
        "scheduled_until": "2030-01-01T01:00:00Z"})
    made("/api/v1/routing/rules", {"name": "walked", "type": "service_outage",
                                   "severity": "high", "match": {"job": "api"}})
    page_id = client.get("/status/api/v2/summary.json").json()["page"]["id"]
    return {"ref": "INC-1", "username": "admin", "name": "primary", "code": public["id"],
            "page_id": page_id, "incident_id": public["id"], "component_id": component["id"],
            "component": component["id"], "position": "on_call_engineer",
            "step": "1", "item": "x", "maintenance": maintenance["id"]}


def _concrete(path: str, world: dict[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if path.startswith("/api/v1/statuspage/maintenances") and name == "code":
            return world["maintenance"]
        if path.startswith(("/api/v1/routing/rules", "/api/v1/oncall/policies")) \
                and name == "name":
            return "walked"
        return world.get(name, "999999")

    return re.sub(r"\{([^}]+)\}", fill, path)


def test_a_nul_in_any_json_string_is_refused(client, people, world):
    doc = client.app.openapi()
    failures, sent = [], 0
    for method, path, schema in _operations(doc):
        url = _concrete(path, world)
        base = client.request(method, url, json=_value(doc, schema, ""), headers=people.admin)
        if base.status_code == 422:
            failures.append(f"{method} {path}: the walk's valid body is refused: {base.text}")
        for where_path, where in _strings(doc, schema, (), wanted=_is_string):
            body = _poisoned(doc, schema, where_path, where)
            answer = client.request(method, url, json=body, headers=people.admin)
            sent += 1
            named = _named(tuple("k" if part == "*" else part for part in where_path), where)
            if answer.status_code != 422 or named not in answer.json()["detail"]:
                failures.append(f"{method} {path} {where} {where_path}: "
                                f"{answer.status_code} {answer.text[:120]}")
    assert sent > 120
    assert not failures, "\n".join(failures)


RECEIVER_BODIES: dict[str, dict[str, Any]] = {
    "/api/v1/alerts/alertmanager": {
        "version": "4", "receiver": "warroom", "status": "firing", "groupKey": "{}",
        "alerts": [{"status": "firing", "labels": {"alertname": "Down", "job": "api"},
                    "annotations": {"summary": "api is down"},
                    "startsAt": TIME, "generatorURL": "http://prometheus/graph",
                    "fingerprint": "abc123"}],
        "groupLabels": {"alertname": "Down"}, "commonLabels": {"job": "api"},
        "commonAnnotations": {"summary": "api is down"}, "externalURL": "http://am"},
    "/api/v1/alerts/generic": {
        "name": "Down", "summary": "api is down", "description": "it is down",
        "severity": "high", "labels": {"job": "api"}, "annotations": {"runbook": "r"},
        "dedup_key": "down-1", "url": "http://example.com/"},
    "/v2/enqueue": {
        "event_action": "trigger", "dedup_key": "k1", "client": "mon",
        "client_url": "http://mon", "links": [{"href": "http://x", "text": "x"}],
        "payload": {"summary": "down", "source": "web-1", "severity": "error",
                    "component": "api", "group": "shop", "class": "latency",
                    "custom_details": {"log": "line", "nested": ["a", {"b": "c"}]}}},
    "/v2/change/enqueue": {
        "links": [{"href": "http://ci", "text": "build"}],
        "payload": {"summary": "deploy", "source": "web-1", "timestamp": TIME,
                    "custom_details": {"version": "1.2"}}},
}


def _string_paths(node: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    if isinstance(node, str):
        yield path, "value"
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _string_paths(item, (*path, index))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key), "key"
            yield from _string_paths(value, (*path, key))


def _replace(node: Any, path: Path, where: str) -> Any:
    node = copy.deepcopy(node)
    *parents, last = path
    holder = node
    for part in parents:
        holder = holder[part]
    if where == "key":
        holder[NUL] = holder.pop(last)
    else:
        holder[last] = NUL
    return node


@pytest.mark.parametrize("receiver", sorted(RECEIVER_BODIES))
def test_a_nul_anywhere_in_a_receivers_payload_is_refused(client, people, receiver):
    key = client.post("/api/v1/integrations", json={"name": "pd", "kind": "pagerduty"},
                      headers=people.admin).json()["key"]
    sample = {**RECEIVER_BODIES[receiver]}
    if receiver.startswith("/v2/"):
        sample["routing_key"] = key
    assert client.post(receiver, json=sample, headers=people.admin).status_code < 300
    failures = []
    for path, where in _string_paths(sample):
        if path == ("routing_key",) and where == "value":
            continue
        answer = client.post(receiver, json=_replace(sample, path, where),
                             headers=people.admin)
        if answer.status_code != 422 or _named(path, where) not in answer.json()["detail"]:
            failures.append(f"{where} {path}: {answer.status_code} {answer.text[:120]}")
    assert not failures, "\n".join(failures)


def test_a_nul_in_any_query_parameter_or_path_is_refused(client, people, world):
    doc = client.app.openapi()
    failures, sent = [], 0
    for path, operations in doc["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            schema = _resolve(doc, parameter.get("schema", {}))
            if parameter["in"] != "query" or schema.get("type") not in ("string", None):
                continue
            answer = client.get(_concrete(path, world), params={parameter["name"]: NUL},
                                headers=people.admin)
            sent += 1
            if answer.status_code != 422 or f"query.{parameter['name']}" not in answer.text:
                failures.append(f"GET {path} ?{parameter['name']}: {answer.status_code}")
    assert sent > 10
    assert not failures, "\n".join(failures)
    for method, path in [("GET", "/api/v1/incidents/INC-1%00"),
                         ("PATCH", "/api/v1/users/admin%00"),
                         ("POST", "/api/v1/alerts/generic/key%00")]:
        answer = client.request(method, path, json={"name": "x"}, headers=people.admin)
        assert answer.status_code == 422 and "path" in answer.json()["detail"], (path, answer.text)


def test_a_nul_in_a_form_or_a_json_body_in_another_encoding_is_refused(client, people):
    form = client.post("/status/subscribe", data={"email": NUL})
    assert form.status_code == 422 and "body.email" in form.json()["detail"]
    utf16 = '{"type": "service_outage", "severity": "high", "title": "a\\u0000"}'
    answer = client.post("/api/v1/incidents", content=utf16.encode("utf-16"),
                         headers={**people.admin, "content-type": "application/json"})
    assert answer.status_code == 422 and "title" in answer.json()["detail"], answer.text


def test_the_receivers_fast_lane_refuses_a_nul_too(app, people):
    from fastapi.testclient import TestClient

    from warroom.app import served

    with TestClient(served(app), raise_server_exceptions=False) as lane:
        body = {"name": "Down", "labels": {"job": NUL}}
        answer = lane.post("/api/v1/alerts/generic", json=body, headers=people.admin)
        assert answer.status_code == 422 and "labels.job" in answer.json()["detail"]
        keyed = lane.post("/api/v1/alerts/alertmanager/key%00", json={}, headers=people.admin)
        assert keyed.status_code == 422
        assert lane.get("/api/v1/alerts", params={"name": NUL},
                        headers=people.admin).status_code == 422


def test_a_nul_in_a_body_nested_too_deeply_to_walk_is_still_refused(client, people):
    deep = b"[" * 50_000 + b'"\\u0000"' + b"]" * 50_000
    answer = client.post("/api/v1/incidents", content=deep,
                         headers={**people.admin, "content-type": "application/json"})
    assert answer.status_code == 422, answer.text
