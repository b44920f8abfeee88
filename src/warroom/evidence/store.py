"""The content-addressed store: one read-only object per SHA-256.

Content is written to a local temporary file while its SHA-256, SHA-1 and
MD5 are computed and fsynced; only then, with its address known and any
declared hash checked, is it placed in the store under its SHA-256. An
address that already exists is never overwritten (the same bytes are
already there), so two items with the same content share one object.

Where the bytes end up is a :class:`ContentStore`: :class:`LocalStore` (a
directory, hard-linked into place and made read-only) or the S3-compatible
object store in :mod:`warroom.evidence.s3store`. Both are given the same
hashed temporary file and answer the same four questions (place, exists,
read, remove), so the hashing, the limits and the re-hash cycle do not know
which one they use.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import filetype

from warroom.errors import Invalid, PayloadTooLarge

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

CHUNK = 1 << 20
HASHES = ("sha256", "sha1", "md5")
_SNIFF = 8192


@dataclass(frozen=True)
class Stored:
    sha256: str
    sha1: str
    md5: str
    size: int
    media_type: str | None


class Missing(FileNotFoundError):
    """Nothing is stored at the address (raised while reading)."""


class ContentStore(Protocol):
    """Where content lives once it is hashed. ``scratch`` is a local folder
    for files being hashed (and bundles being built) before they are placed."""

    scratch: Path
    where: str
    """How messages name the store (a path or ``s3://bucket/prefix``; never a
    credential)."""

    def place(self, temp: Path, sha256: str) -> None:
        """Put the hashed file at its address, unless something is already
        there (never overwrite). ``temp`` is removed by the caller."""
        ...

    def exists(self, sha256: str) -> bool:
        ...

    def read(self, sha256: str) -> Iterator[bytes]:
        """The content in chunks; :class:`Missing` when nothing is there."""
        ...

    def remove(self, sha256: str) -> None:
        ...


class LocalStore:
    """A directory: ``sha256/<2 hex>/<sha256>``, read-only files linked into
    place from ``tmp/`` (same file system, so the link is atomic)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.scratch = root / "tmp"
        self.where = str(root)

    def place(self, temp: Path, sha256: str) -> None:
        target = path_of(self.root, sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(temp, target)
        except FileExistsError:
            return  # the same bytes are already stored: never overwrite
        os.chmod(target, stat.S_IRUSR | stat.S_IRGRP)
        _fsync_dir(target.parent)

    def exists(self, sha256: str) -> bool:
        return path_of(self.root, sha256).exists()

    def read(self, sha256: str) -> Iterator[bytes]:
        try:
            handle = path_of(self.root, sha256).open("rb")
        except FileNotFoundError:
            raise Missing(sha256) from None
        with handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    def remove(self, sha256: str) -> None:
        path = path_of(self.root, sha256)
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
            path.unlink()


class Sink:
    """Takes content chunk by chunk (bounded memory), hashing as it writes."""

    def __init__(self, content: ContentStore, *, limit: int, limit_reason: str) -> None:
        self.content = content
        content.scratch.mkdir(parents=True, exist_ok=True)
        self.path = content.scratch / f"upload-{secrets.token_hex(8)}"
        self._file = self.path.open("xb")
        self._hashes = {name: hashlib.new(name) for name in HASHES}
        self._head = b""
        self.size = 0
        self.limit = limit
        self.limit_reason = limit_reason

    def write(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.size += len(chunk)
        if self.size > self.limit:
            self.discard()
            raise PayloadTooLarge(self.limit_reason)
        if len(self._head) < _SNIFF:
            self._head += chunk[:_SNIFF - len(self._head)]
        for digest in self._hashes.values():
            digest.update(chunk)
        self._file.write(chunk)

    def finish(self, declared: dict[str, str] | None = None) -> Stored:
        """Check the declared hashes, then move the file to its address."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        found = {name: digest.hexdigest() for name, digest in self._hashes.items()}
        for name, value in (declared or {}).items():
            if name not in found:
                self.discard()
                raise Invalid(f"{name!r} is not a hash warroom checks; declare one of "
                              f"{', '.join(HASHES)}.")
            if value.strip().lower() != found[name]:
                self.discard()
                raise Invalid(f"The declared {name} {value.strip()} does not match the "
                              f"content received ({found[name]}); nothing was stored.")
        try:
            self.content.place(self.path, found["sha256"])
        finally:
            self.path.unlink()
        kind = filetype.guess(self._head) if self._head else None
        media = kind.mime if kind is not None else (
            "text/plain" if _looks_like_text(self._head) else "application/octet-stream")
        return Stored(found["sha256"], found["sha1"], found["md5"], self.size,
                      media if self.size else None)

    def discard(self) -> None:
        if not self._file.closed:
            self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def store(content: ContentStore, chunks: Iterable[bytes], *, limit: int, limit_reason: str,
          declared: dict[str, str] | None = None) -> Stored:
    sink = Sink(content, limit=limit, limit_reason=limit_reason)
    try:
        for chunk in chunks:
            sink.write(chunk)
    except BaseException:
        sink.discard()
        raise
    return sink.finish(declared)


def path_of(root: Path, sha256: str) -> Path:
    return root / "sha256" / sha256[:2] / sha256


def rehash(content: ContentStore, sha256: str) -> str | None:
    """The SHA-256 of what is stored at the address now (None: it is gone)."""
    digest = hashlib.sha256()
    try:
        for chunk in content.read(sha256):
            digest.update(chunk)
    except Missing:
        return None
    return digest.hexdigest()


def _looks_like_text(head: bytes) -> bool:
    if b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start > len(head) - 4  # a character cut at the sniff boundary
    return True


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
