"""The OpenAPI document as warroom really answers: every error is an
``application/problem+json`` body, and each operation lists the error statuses
it can give.

FastAPI's generated document knows nothing of the app's own error handlers
(it documents a 422 ``HTTPValidationError`` that the app never sends) nor of
the receivers, which read their bodies themselves on the hot path. This module
rewrites the generated document once, from facts about each route: whether it
needs a token (401, 403), has path parameters (404), takes a body (400, 413,
422) or writes (409). A route adds statuses of its own with ``problems(...)``
in its decorator, and a route that parses its body itself documents it with
``json_body(...)``.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from warroom.auth.deps import PublicMarker
from warroom.http import PROBLEM_JSON, api_routes

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.routing import APIRoute

REF = "#/components/schemas/{model}"
PROBLEM_REF = {"$ref": REF.format(model="Problem")}
WRITES = frozenset({"post", "put", "patch", "delete"})
_BODY_MODELS: dict[str, type[BaseModel]] = {}  # schema name -> type documented by json_body()

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "An error (RFC 9457): a title, the HTTP status and a sentence saying "
                   "what went wrong and what to do.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "A sentence for a person."},
        "instance": {"type": "string", "description": "The path that was requested."},
        "errors": {"type": "array", "description": "Each invalid field (422).",
                   "items": {"type": "object", "properties": {
                       "field": {"type": "string"}, "message": {"type": "string"}}}},
    },
    "additionalProperties": True,
}

WHY: dict[int, str] = {
    400: "The request is malformed (for example its body is not valid JSON).",
    401: "No API token was sent, or it is unknown, expired or revoked.",
    403: "The token's role lacks the permission this operation needs.",
    404: "Something the request names does not exist.",
    409: "The change conflicts with the current state or with a concurrent change.",
    410: "The link was already used or has expired.",
    413: "The body exceeds WARROOM_MAX_BODY_BYTES (or a per-request item limit).",
    422: "A field or parameter is invalid; 'errors' names each one.",
    503: "The database is unreachable; nothing was stored. Retry (see Retry-After).",
}


def problem(status: int) -> dict[str, Any]:
    """One documented problem+json response."""
    return {"description": WHY.get(status, HTTPStatus(status).phrase),
            "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=problems(404, 409)`` for a decorator: statuses a route gives
    beyond those this module infers from its shape."""
    return {status: problem(status) for status in statuses}


def json_body(*models: Any, description: str = "") -> dict[str, Any]:
    """``openapi_extra=json_body(Model)`` for a route that reads its JSON body
    itself (the receivers): the document still describes the body. Several
    models (or ``list[Model]``) mean any one of them."""
    schemas = [_register(model) for model in models]
    schema = schemas[0] if len(schemas) == 1 else {"anyOf": schemas}
    body: dict[str, Any] = {"required": True,
                            "content": {"application/json": {"schema": schema}}}
    if description:
        body["description"] = description
    return {"requestBody": body}


def install(app: FastAPI) -> None:
    """Serve the rewritten document at /openapi.json (built once, on first use)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    # FastAPI's documented way to customise the schema is to replace this method.
    app.openapi = openapi  # type: ignore[method-assign]


def build(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(title=app.title, version=app.version, openapi_version="3.1.0",
                           description=app.description, routes=app.routes)
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas.update({k: v for k, v in _body_definitions().items() if k not in schemas})
    components["securitySchemes"] = {"bearer": {
        "type": "http", "scheme": "bearer",
        "description": "An API token: 'Authorization: Bearer wr_...'."}}
    for route in api_routes(app):
        if route.include_in_schema:
            for method in route.methods:
                operation = document["paths"].get(route.path_format, {}).get(method.lower())
                if operation is not None:
                    _document_errors(route, method.lower(), operation)
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document


def _document_errors(route: APIRoute, method: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    declared = responses.pop("422", None) is not None or route.body_field is not None
    statuses = {503}
    if not _is_public(route):
        statuses |= {401, 403}
        operation["security"] = [{"bearer": []}]
    if route.dependant.path_params:
        statuses.add(404)
    if route.body_field is not None:
        statuses |= {400, 413}
    if declared:
        statuses.add(422)
    if method in WRITES:
        statuses.add(409)
    for status in sorted(statuses):
        responses.setdefault(str(status), problem(status))


def _is_public(route: APIRoute) -> bool:
    stack = list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        if isinstance(dependency.call, PublicMarker):
            return True
        stack.extend(dependency.dependencies)
    return False


def _register(model: Any) -> dict[str, Any]:
    inner = getattr(model, "__args__", None)
    if inner and getattr(model, "__origin__", None) is list:
        return {"type": "array", "items": _register(inner[0])}
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise TypeError(f"json_body() documents pydantic models, not {model!r}")
    _BODY_MODELS[model.__name__] = model
    return {"$ref": REF.format(model=model.__name__)}


def _body_definitions() -> dict[str, Any]:
    """The JSON schemas of every json_body() model and of the models they use."""
    if not _BODY_MODELS:
        return {}
    mode: JsonSchemaMode = "validation"
    pairs = [(model, mode) for model in _BODY_MODELS.values()]
    _, top = models_json_schema(pairs, ref_template=REF)
    return dict(top.get("$defs", {}))
