"""How an audit entry is hashed, in both formats the chain has known.

Version 1 (installs before the chain was keyed): ``sha256(prev_hash ||
canonical JSON)``. Anyone with write access to the database could edit an
entry and recompute every hash after it. Version 2: ``HMAC-SHA256(key,
prev_hash || canonical JSON)``, where the key is derived from the instance
secret (``WARROOM_SECRET_KEY`` or ``<data_dir>/secret.key``) with a label of
its own, so it is never in the database and a re-hashed chain does not verify.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

import orjson

from warroom.config import get_settings

GENESIS = "0" * 64
LEGACY = 1
KEYED = 2
_CHAIN_LABEL = b"warroom/audit-chain/v2"


def derive_key(label: bytes) -> bytes:
    """A key for one purpose, from the instance secret (domain separation:
    the link-signing and sealing keys come from the same secret)."""
    return hmac.new(get_settings().secret_bytes(), label, hashlib.sha256).digest()


class Hasher:
    """Hashes entries of either version; holds the key for one walk or seal."""

    def __init__(self) -> None:
        self._keyed = hmac.new(derive_key(_CHAIN_LABEL), digestmod=hashlib.sha256)

    def hash(self, version: int, prev_hash: str, body: dict[str, Any]) -> str:
        message = prev_hash.encode() + canonical_json(body)
        if version == LEGACY:
            return hashlib.sha256(message).hexdigest()
        mac = self._keyed.copy()
        mac.update(message)
        return mac.hexdigest()


def body(version: int, seq: int, fields: dict[str, Any], covers: Any) -> dict[str, Any]:
    """What is hashed: the entry's fields, its number, its time as UTC text,
    and (version 2) the version and what the entry covers."""
    hashed = {"seq": seq, **fields, "at": timestamp(fields["at"])}
    if version != LEGACY:
        hashed["v"] = version
        hashed["covers"] = covers
    return hashed


def canonical_json(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def digest(value: Any) -> str:
    """A short content hash (128 bits) of a row another table holds; it is
    protected by the keyed entry that carries it."""
    return hashlib.sha256(canonical_json(value)).hexdigest()[:32]


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
