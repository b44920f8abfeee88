"""The content-addressed store: one read-only file per SHA-256.

Content is written to a temporary file while its SHA-256, SHA-1 and MD5 are
computed, fsynced, then linked into place under its SHA-256 and made
read-only. An address that already exists is never overwritten (the same
bytes are already there), so two items with the same content share one file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING

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


class Sink:
    """Takes content chunk by chunk (bounded memory), hashing as it writes."""

    def __init__(self, root: Path, *, limit: int, limit_reason: str) -> None:
        self.root = root
        (root / "tmp").mkdir(parents=True, exist_ok=True)
        self.path = root / "tmp" / f"upload-{secrets.token_hex(8)}"
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
        target = path_of(self.root, found["sha256"])
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(self.path, target)
        except FileExistsError:
            pass  # the same bytes are already stored: never overwrite
        else:
            os.chmod(target, stat.S_IRUSR | stat.S_IRGRP)
            _fsync_dir(target.parent)
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


def store(root: Path, chunks: Iterable[bytes], *, limit: int, limit_reason: str,
          declared: dict[str, str] | None = None) -> Stored:
    sink = Sink(root, limit=limit, limit_reason=limit_reason)
    try:
        for chunk in chunks:
            sink.write(chunk)
    except BaseException:
        sink.discard()
        raise
    return sink.finish(declared)


def path_of(root: Path, sha256: str) -> Path:
    return root / "sha256" / sha256[:2] / sha256


def read(root: Path, sha256: str) -> Iterator[bytes]:
    with path_of(root, sha256).open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def rehash(root: Path, sha256: str) -> str | None:
    """The SHA-256 of what is stored at the address now (None: the file is gone)."""
    digest = hashlib.sha256()
    try:
        for chunk in read(root, sha256):
            digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def remove(root: Path, sha256: str) -> None:
    path = path_of(root, sha256)
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        path.unlink()


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
