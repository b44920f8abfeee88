"""Stream a multipart upload to the store without holding it in memory.

The request is ``multipart/form-data`` with a ``metadata`` part (JSON, an
:class:`~warroom.evidence.schemas.ItemIn`) first and a ``file`` part after
it. The body is parsed as it arrives (python-multipart's push parser): the
file part's bytes go straight into a hashing :class:`~warroom.evidence.store.Sink`,
so a memory image of many gigabytes costs a few chunks of RAM and is written
to disk once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from pydantic import ValidationError
from python_multipart.multipart import MultipartParser, parse_options_header

from warroom.errors import Invalid, PayloadTooLarge, Problem
from warroom.evidence.schemas import ItemIn

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from python_multipart.multipart import MultipartCallbacks

    from warroom.evidence.store import Sink

METADATA_LIMIT = 256 * 1024


def boundary_of(content_type: str) -> bytes:
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data" or b"boundary" not in options:
        raise Invalid("Upload evidence as multipart/form-data with a 'metadata' part and a "
                      "'file' part, or send JSON for an item kept elsewhere.")
    return options[b"boundary"]


class Received:
    """What the parser found: the metadata, the sink holding the file, and
    the file part's name and declared type."""

    def __init__(self, open_sink: Callable[[ItemIn], Sink]) -> None:
        self.open_sink = open_sink
        self.meta: ItemIn | None = None
        self.sink: Sink | None = None
        self.filename: str | None = None
        self.content_type: str | None = None
        self._part: str | None = None
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""
        self._metadata = bytearray()

    def callbacks(self) -> MultipartCallbacks:
        return {"on_header_field": self.on_header_field,
                "on_header_value": self.on_header_value,
                "on_header_end": self.on_header_end,
                "on_headers_finished": self.on_headers_finished,
                "on_part_data": self.on_part_data, "on_part_end": self.on_part_end}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field, self._value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._part = options.get(b"name", b"").decode("utf-8", "replace")
        if self._part == "file":
            if self.meta is None:
                raise Invalid("Send the 'metadata' part before the 'file' part.")
            if self.sink is not None:
                raise Invalid("Send one 'file' part per item.")
            filename = options.get(b"filename")
            self.filename = filename.decode("utf-8", "replace") if filename else None
            declared = self._headers.get(b"content-type")
            self.content_type = declared.decode("latin-1") if declared else None
            self.sink = self.open_sink(self.meta)
        self._headers = {}

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part == "file" and self.sink is not None:
            self.sink.write(data[start:end])
        elif self._part == "metadata":
            self._metadata += data[start:end]
            if len(self._metadata) > METADATA_LIMIT:
                raise PayloadTooLarge("The metadata part is larger than 256 KiB.")

    def on_part_end(self) -> None:
        if self._part == "metadata":
            self.meta = _metadata(bytes(self._metadata))
        self._part = None

    def discard(self) -> None:
        if self.sink is not None:
            self.sink.discard()


async def receive(stream: AsyncIterator[bytes], content_type: str,
                  open_sink: Callable[[ItemIn], Sink]) -> Received:
    """Parse the body as it streams; ``open_sink`` is called once the metadata
    has been read, to get where the file's bytes go."""
    got = Received(open_sink)
    await feed(stream, content_type, got)
    if got.meta is None:
        got.discard()
        raise Invalid("The upload has no 'metadata' part.")
    return got


async def feed(stream: AsyncIterator[bytes], content_type: str, got: Received) -> None:
    """Write the body into ``got``'s parser as it arrives; on any failure the
    partly written file is discarded, so a cut upload leaves nothing behind."""
    parser = MultipartParser(boundary_of(content_type), got.callbacks())
    try:
        async for chunk in stream:
            parser.write(chunk)
        parser.finalize()
    except Problem:
        got.discard()
        raise
    except Exception as error:
        got.discard()
        raise Invalid(f"The upload is not valid multipart/form-data: {error}") from None
    except BaseException:
        got.discard()
        raise


def attachment_headers(name: str, size: int | None, sha256: str | None) -> dict[str, str]:
    """How evidence content is always served: a download, never rendered."""
    ascii_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[:200]
    headers = {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
                                      f"filename*=UTF-8''{quote(name, safe='')}",
               "X-Content-Type-Options": "nosniff",
               "Content-Security-Policy": "default-src 'none'; sandbox",
               "Cache-Control": "no-store"}
    if size is not None:
        headers["Content-Length"] = str(size)
    if sha256 is not None:
        headers["Digest"] = f"sha-256={sha256}"
    return headers


def _metadata(raw: bytes) -> ItemIn:
    try:
        return ItemIn.model_validate_json(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "metadata"
        raise Invalid(f"The metadata part is not valid: {where}: {first['msg']}.") from None
