"""Public responses prepared in advance: body, headers, ETag, Last-Modified
and a gzip variant, all as bytes, so answering a request is a dictionary
lookup plus a look at its conditional headers.

:func:`answer` is the one place that decides between 200 and 304; both the
fast ASGI layer and the ordinary FastAPI routes call it.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import Counter
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

Headers = list[tuple[bytes, bytes]]

HTML = "text/html; charset=utf-8"
JSON = "application/json"
ATOM = "application/atom+xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
SVG = "image/svg+xml"

# Responses by status code, read by the metrics collector.
served: Counter[int] = Counter()

_SECURITY = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
_HTML_POLICY = (b"content-security-policy",
                b"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                b"form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
# Widgets on other sites read the JSON and badges from the browser.
_CORS = (b"access-control-allow-origin", b"*")
_GZIP_FROM = 1024


@dataclass(frozen=True)
class Variant:
    body: bytes
    headers: Headers
    not_modified: Headers


@dataclass(frozen=True)
class Document:
    plain: Variant
    gzipped: Variant | None
    etags: frozenset[bytes]
    last_modified: int
    """Seconds since the epoch, compared with If-Modified-Since."""


def make(body: bytes, content_type: str, *, last_modified: datetime,
         max_age: int) -> Document:
    tag = hashlib.blake2b(body, digest_size=10).hexdigest().encode()
    modified = int(last_modified.timestamp())
    common: Headers = [(b"last-modified", formatdate(modified, usegmt=True).encode()),
                       (b"cache-control", f"public, max-age={max_age}".encode()), *_SECURITY]
    if content_type == HTML:
        common.append(_HTML_POLICY)
    else:
        common.append(_CORS)
    gzipped = None
    if len(body) >= _GZIP_FROM:
        common.append((b"vary", b"Accept-Encoding"))
        gzipped = _variant(gzip.compress(body, compresslevel=9, mtime=0), content_type,
                           b'"' + tag + b'-gz"', common, encoding=b"gzip")
    plain = _variant(body, content_type, b'"' + tag + b'"', common)
    etags = {b'"' + tag + b'"', b'"' + tag + b'-gz"'}
    return Document(plain=plain, gzipped=gzipped, etags=frozenset(etags),
                    last_modified=modified)


def answer(document: Document, method: str,
           request_headers: Iterable[tuple[bytes, bytes]]) -> tuple[int, Headers, bytes]:
    """``(status, headers, body)`` for a GET or HEAD of ``document``."""
    if_none_match = if_modified_since = None
    accepts_gzip = False
    for name, value in request_headers:
        if name == b"if-none-match":
            if_none_match = value
        elif name == b"if-modified-since":
            if_modified_since = value
        elif name == b"accept-encoding":
            accepts_gzip = b"gzip" in value
    variant = document.gzipped if accepts_gzip and document.gzipped else document.plain
    if if_none_match is not None:
        fresh = _matches(if_none_match, document.etags)
    else:
        fresh = if_modified_since is not None and _unchanged_since(if_modified_since,
                                                                   document.last_modified)
    if fresh:
        served[304] += 1
        return 304, variant.not_modified, b""
    served[200] += 1
    return 200, variant.headers, b"" if method == "HEAD" else variant.body


# A browser asks before a widget on another site reads the JSON with custom
# headers; the answer never varies, so it is prepared once.
PREFLIGHT: Headers = [
    _CORS, (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
    (b"access-control-allow-headers", b"Accept, Accept-Encoding, Cache-Control, "
                                      b"If-Modified-Since, If-None-Match, Content-Type"),
    (b"access-control-max-age", b"86400"), (b"content-length", b"0"), *_SECURITY]


def shared_across_origins(document: Document) -> bool:
    """Whether other sites may read it (JSON, badges, feeds; never the HTML)."""
    return _CORS in document.plain.headers


def _variant(body: bytes, content_type: str, etag: bytes, common: Headers, *,
             encoding: bytes | None = None) -> Variant:
    validators: Headers = [(b"etag", etag), *common]
    if encoding:
        validators.append((b"content-encoding", encoding))
    return Variant(body=body, not_modified=validators,
                   headers=[(b"content-type", content_type.encode()),
                            (b"content-length", str(len(body)).encode()), *validators])


def _matches(header: bytes, etags: frozenset[bytes]) -> bool:
    if header.strip() == b"*":
        return True
    return any(candidate.strip().removeprefix(b"W/") in etags
               for candidate in header.split(b","))


def _unchanged_since(header: bytes, last_modified: int) -> bool:
    try:
        since = parsedate_to_datetime(header.decode("latin-1"))
    except (TypeError, ValueError, IndexError):
        return False
    return since.tzinfo is not None and last_modified <= since.timestamp()
