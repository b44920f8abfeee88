"""What text a request may carry: the string types request schemas use, and a
guard that refuses a NUL character anywhere in a request.

A NUL cannot be stored by PostgreSQL (``text`` and ``jsonb`` refuse it), so
one in any string would fail the request deep in the database, a 500 that a
sender such as Alertmanager retries for ever; it is refused at the door
instead, with a 422 naming the field. Other control characters and the
bidirectional overrides do their harm later, on a responder's terminal or
screen (an alert title that clears the screen, a name that reads backwards),
so request schemas type their strings:

* :data:`Line` for single-line fields (titles, names, label keys and values,
  dedup keys): no C0 or C1 control character, no DEL, no bidirectional
  override, embedding, isolate or mark.
* :data:`Text` for multi-line fields (descriptions, notes, bodies, comments,
  reasons): tabs and line feeds, and carriage returns only as part of CRLF;
  no other control character.

Both are a ``pattern`` constraint, which pydantic checks in Rust without a
Python call per string, so the receivers' hot path stays cheap; :func:`message`
turns the pattern's failure into a sentence, and :func:`invalid_input` is the
one place pydantic's errors become a request's problem. The NUL guard scans a raw body
for the escape once and walks the parsed body only when it is there.
"""

from __future__ import annotations

import json
import re
from itertools import islice
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import parse_qsl

from pydantic import StringConstraints

from warroom.errors import BadRequest, Invalid, Problem
from warroom.http import problem_response
from warroom.streamed import is_streamed

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from starlette.types import ASGIApp, Message, Receive, Scope, Send

_BIDI = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
LINE_PATTERN = rf"^[^\x00-\x1f\x7f-\x9f{_BIDI}]*$"
TEXT_PATTERN = r"^(?:[^\x00-\x08\x0b-\x1f\x7f-\x9f]|\r\n)*$"

Line = Annotated[str, StringConstraints(pattern=LINE_PATTERN)]
"""One line of text: no control or bidirectional formatting characters."""
Text = Annotated[str, StringConstraints(pattern=TEXT_PATTERN)]
"""Free text over several lines: tab, LF and CRLF, no other control character."""

_LINE_BAD = re.compile(rf"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_TEXT_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
_UNPRINTABLE = re.compile(rf"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_TERMINAL_BAD = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]|\r(?!\n)")
_EXPLAINED = {LINE_PATTERN: (_LINE_BAD, "must be a single line without control characters "
                             "or bidirectional formatting characters"),
              TEXT_PATTERN: (_TEXT_BAD, "must not contain control characters other than "
                             "tab and line breaks")}


def message(error: Any) -> str:
    """The sentence for one pydantic error, saying which character a text
    type refused and where, instead of quoting the pattern."""
    explained = _EXPLAINED.get((error.get("ctx") or {}).get("pattern", ""))
    if error.get("type") == "string_pattern_mismatch" and explained is not None:
        bad, sentence = explained
        found = bad.search(str(error.get("input", "")))
        if found is None:
            return sentence
        return f"{sentence} (found U+{ord(found.group()[0]):04X} at position {found.start()})"
    return str(error.get("msg", "is invalid")).removeprefix("Value error, ")


def location(parts: Any) -> str:
    """A dotted field name, with any unprintable character in it (a map key
    may be the bad string itself) shown as an escape."""
    return ".".join(printable(str(part)) for part in parts)


def invalid_input(errors: Iterable[Mapping[str, Any]]) -> Problem:
    """The one conversion of pydantic's errors into a problem, for the app's
    routes and for the receivers that parse their own bodies: a body that is
    not JSON is 400 (with where parsing stopped, when known), well-formed JSON
    with bad fields is 422 naming each field."""
    errors = list(errors)
    malformed = next((e for e in errors if e.get("type") == "json_invalid"), None)
    if malformed is not None:
        reason = (malformed.get("ctx") or {}).get("error", "it could not be parsed")
        at = _in_request(malformed)
        where = f" (at character {at[-1]})" if at else ""
        return BadRequest(f"The request body is not valid JSON: {reason}{where}.",
                          title="Malformed JSON")
    fields = field_errors(errors)
    return Invalid("; ".join(f"{f['field']}: {f['message']}" for f in fields), errors=fields)


def field_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The first ten errors as ``{"field", "message"}``: the dotted field in
    the body (or ``query.name``, ``path.name``) and a sentence."""
    return [{"field": location(_in_request(error)) or "body", "message": message(error)}
            for error in islice(errors, 10)]


def _in_request(error: Mapping[str, Any]) -> tuple[Any, ...]:
    """The error's location without the ``body`` FastAPI puts first."""
    where = tuple(error.get("loc", ()))
    return where[1:] if where[:1] == ("body",) else where


def printable(value: str) -> str:
    """``value`` with control and bidirectional characters written as escapes."""
    return _UNPRINTABLE.sub(_escape, value)


def for_terminal(value: str) -> str:
    """``value`` as it may be written to a terminal: line breaks and tabs kept,
    every other control character (ESC above all: it moves the cursor, clears
    the screen, sets the window title or the clipboard) and every
    bidirectional formatting character written as a visible escape."""
    return _TERMINAL_BAD.sub(_escape, value)


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# --- the NUL guard -------------------------------------------------------------

def refuse_nul(scope: Scope, body: bytes) -> None:
    """Raise :class:`Invalid` naming where a NUL is in this request's path,
    query string or (JSON or form) body. One scan of the raw bytes decides;
    only a request that may hold one is parsed to name the field."""
    if "\x00" in scope.get("path", ""):
        raise Invalid("The path must not contain a NUL character.",
                      errors=[{"field": "path", "message": "must not contain a NUL character"}])
    query: bytes = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        _refuse_in_form(query, "query")
    if not body:
        return
    if _content_type(scope).startswith("application/x-www-form-urlencoded"):
        if b"%00" in body or b"\x00" in body:
            _refuse_in_form(body, "body")
    elif b"\\u0000" in body or b"\x00" in body:
        _refuse_in_json(body)


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return value.decode("latin-1").lower()
    return ""


def _refuse_in_form(raw: bytes, where: str) -> None:
    for name, value in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            _nul_in(f"{where}.{printable(name)}")


def _refuse_in_json(body: bytes) -> None:
    try:
        document = json.loads(body)
        found = _first_nul(document, ())
    except (ValueError, UnicodeDecodeError):
        return  # not JSON: the route's own parsing answers it
    except RecursionError:
        found = "body"  # nested too deeply to say where: the NUL is refused all the same
    if found is not None:
        _nul_in(found)


def _first_nul(node: Any, path: tuple[str, ...]) -> str | None:
    """Where the first NUL is in a parsed JSON document (a key or a value)."""
    if isinstance(node, str):
        return (location(path) or "body") if "\x00" in node else None
    items = node.items() if isinstance(node, dict) else \
        enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        if isinstance(key, str) and "\x00" in key:
            return f"{location(path) or 'body'} (a key)"
        found = _first_nul(value, (*path, str(key)))
        if found is not None:
            return found
    return None


def _nul_in(field: str) -> None:
    raise Invalid(f"{field}: must not contain a NUL character (\\u0000).",
                  errors=[{"field": field, "message": "must not contain a NUL character"}])


class NulGuard:
    """The app's door for :func:`refuse_nul`: it reads a body once, checks it
    and hands the same bytes on (GET requests carry no body to read)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_streamed(scope["path"]):
            # a streamed upload (binary evidence) is the route's to read, once
            await self.app(scope, receive, send)
            return
        body, replay = b"", receive
        if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            body, disconnected = await _read(receive)
            replay = _replayed(body, disconnected, receive)
        try:
            refuse_nul(scope, body)
        except Invalid as problem:
            await problem_response(problem, instance=scope["path"])(scope, replay, send)
            return
        await self.app(scope, replay, send)


async def _read(receive: Receive) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    while True:
        message_ = await receive()
        if message_["type"] == "http.disconnect":
            return b"".join(chunks), True
        chunks.append(message_.get("body", b""))
        if not message_.get("more_body", False):
            return b"".join(chunks), False


def _replayed(body: bytes, disconnected: bool, original: Receive) -> Receive:
    """The body once, then whatever the client does next (its disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if disconnected:
            return {"type": "http.disconnect"}
        if sent:
            return await original()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
