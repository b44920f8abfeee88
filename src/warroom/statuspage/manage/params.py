"""A request's parameters the way Statuspage (a Rails application) reads
them: form fields with bracketed names (``incident[name]``,
``incident[component_ids][]``, ``incident[components][<id>]``), a JSON body
with the same nesting, and query parameters, merged into one dictionary."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import Request  # noqa: TC002 (FastAPI reads the annotation at run time)

from warroom.errors import BadRequest, Invalid

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")
FORM = "application/x-www-form-urlencoded"
IGNORED = {"api_key"}
TRUE = {"true", "1", "yes", "on", "t"}
EXAMPLE_FIELD = {"incident": "name", "component": "status", "subscriber": "email"}
FALSE = {"false", "0", "no", "off", "f", ""}


async def read_params(request: Request) -> dict[str, Any]:
    """Query parameters, then the body (form or JSON) on top."""
    params = nested(parse_qsl(request.url.query, keep_blank_values=True))
    raw = await request.body()
    if not raw.strip():
        return params
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json") or (
            not kind and raw.lstrip()[:1] == b"{"):
        merge(params, _json(raw))
    elif kind in (FORM, ""):
        try:
            text = raw.decode()
        except UnicodeDecodeError as error:
            raise BadRequest("The form body is not UTF-8 text.") from error
        merge(params, nested(parse_qsl(text, keep_blank_values=True)))
    else:
        raise BadRequest(f"Send the fields form-encoded ({FORM}) or as JSON "
                         f"(application/json), not as {kind}.")
    return params


def nested(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in IGNORED:
            continue
        match = _KEY.match(key)
        if match is None:
            raise BadRequest(f"{key[:100]!r} is not a field name like incident[name].")
        _place(found, [match.group(1), *_PART.findall(match.group(2))], FormText(value), key)
    return found


def merge(into: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value


def section(params: dict[str, Any], name: str) -> dict[str, Any]:
    """``params[name]`` (the ``incident`` of ``incident[...]``), a 422 if missing."""
    fields = params.get(name)
    if not isinstance(fields, dict) or not fields:
        field = EXAMPLE_FIELD.get(name, "field")
        raise Invalid(f"Send the {name}'s fields as {name}[{field}]=... (form-encoded) or as "
                      f'{{"{name}": {{...}}}} (JSON).')
    return fields


def text(fields: dict[str, Any], name: str, what: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise Invalid(f"{what}[{name}] must be text.")
    return str(value)


class FormText(str):
    """A value read from a form (or the query string), where every value is
    text: only these may say a switch in words (``true``, ``0``); in JSON a
    switch is ``true`` or ``false``, as everywhere in warroom."""

    __slots__ = ()


def flag(fields: dict[str, Any], name: str, what: str, default: bool) -> bool:
    value = fields.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if not isinstance(value, FormText):
        raise Invalid(f"{what}.{name} must be true or false (a JSON boolean), not "
                      f"{str(value)[:50]!r}.")
    word = value.strip().lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise Invalid(f"{what}[{name}] must be true or false, not {str(value)[:50]!r}.")


def strings(fields: dict[str, Any], name: str, what: str) -> list[str]:
    """A list field (``component_ids[]``); a single value counts as a list of one."""
    value = fields.get(name)
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else [value]
    if any(isinstance(item, (dict, list)) for item in items):
        raise Invalid(f"{what}[{name}] must be a list of ids.")
    return [str(item) for item in items if str(item).strip()]


def mapping(fields: dict[str, Any], name: str, what: str) -> dict[str, str]:
    """``components[<id>]=<status>`` as ``{id: status}``."""
    value = fields.get(name)
    if value is None or value == "":
        return {}
    if not isinstance(value, dict) or any(isinstance(v, (dict, list)) for v in value.values()):
        raise Invalid(f"{what}[{name}] must map component ids to statuses, like "
                      f"{what}[{name}][<component id>]=major_outage.")
    return {str(k): str(v) for k, v in value.items()}


def moment(fields: dict[str, Any], name: str, what: str) -> datetime | None:
    """An ISO 8601 time; one without a zone is UTC (the page's time zone)."""
    value = text(fields, name, what)
    if value is None or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise Invalid(f"{what}[{name}] is not an ISO 8601 time such as "
                      f"2026-05-07T03:00:00Z: {value[:50]!r}.") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _json(raw: bytes) -> dict[str, Any]:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise BadRequest(f"The request body is not valid JSON: {error}.") from error
    if not isinstance(data, dict):
        raise BadRequest('The body must be a JSON object, such as {"incident": {...}}.')
    return data


def _place(found: dict[str, Any], parts: list[str], value: str, key: str) -> None:
    appends = parts[-1] == ""
    path = parts[:-1] if appends else parts
    node = found
    for part in path[:-1]:
        child = node.setdefault(part, {})
        if part == "" or not isinstance(child, dict):
            raise BadRequest(f"{key[:100]!r} does not fit with the other fields.")
        node = child
    last = path[-1]
    if "" in path:
        raise BadRequest(f"{key[:100]!r}: [] may only end a field name.")
    if appends:
        listed = node.setdefault(last, [])
        if not isinstance(listed, list):
            raise BadRequest(f"{key[:100]!r} does not fit with the other fields.")
        listed.append(value)
    elif isinstance(node.get(last), (dict, list)):
        raise BadRequest(f"{key[:100]!r} does not fit with the other fields.")
    else:
        node[last] = value
