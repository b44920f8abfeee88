"""Signed one-click links (acknowledge a page, confirm a subscription).

A link carries its purpose, a subject, an expiry and a random nonce, signed
with HMAC-SHA256 under the current link key: the instance's secret key mixed
with the newest rotation's salt (``current_key``), so rotating warroom's keys
voids every link sent before. Expiry is checked against
warroom's clock, not the wall clock, so tests can move past it. Single use is
enforced by the caller, which records the nonce when the link is used.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import orjson
from sqlalchemy import select

from warroom.auth.models import LinkKey
from warroom.config import get_settings
from warroom.errors import Forbidden, Gone

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class SignedLink:
    purpose: str
    subject: str
    expires_at: datetime
    nonce: str


def current_key(session: Session) -> bytes:
    """The key links are signed and checked with now. Read from the database
    each time (one indexed row), so a rotation in one process holds in all."""
    secret = get_settings().secret_bytes()
    salt = session.scalar(select(LinkKey.salt).order_by(LinkKey.id.desc()).limit(1))
    if salt is None:
        return secret
    return hmac.new(secret, b"links/" + salt.encode(), hashlib.sha256).digest()


def sign(key: bytes, *, purpose: str, subject: str, expires_at: datetime) -> str:
    payload = orjson.dumps({"p": purpose, "s": subject, "e": int(expires_at.timestamp()),
                            "n": secrets.token_urlsafe(9)})
    body = _b64(payload)
    return f"{body}.{_b64(_mac(key, body))}"


def verify(key: bytes, token: str, *, purpose: str, now: datetime) -> SignedLink:
    """The link's contents, or Forbidden when tampered with, Gone when expired."""
    try:
        body, mac = token.split(".", 1)
        valid = hmac.compare_digest(_unb64(mac), _mac(key, body))
        data = orjson.loads(_unb64(body)) if valid else None
    except (ValueError, orjson.JSONDecodeError):
        data = None
    if not data or data.get("p") != purpose:
        raise Forbidden("This link is not valid: it was altered or is meant for something else.")
    expires_at = datetime.fromtimestamp(data["e"], UTC)
    if expires_at <= now:
        raise Gone("This link has expired.")
    return SignedLink(purpose=purpose, subject=str(data["s"]), expires_at=expires_at,
                      nonce=str(data["n"]))


def _mac(key: bytes, body: str) -> bytes:
    return hmac.new(key, body.encode(), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
