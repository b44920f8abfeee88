"""Standard Webhooks signatures (https://www.standardwebhooks.com).

``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``.
A secret may be given as ``whsec_<base64>`` (the standard form, whose decoded
bytes are the key) or as any other string (used as UTF-8 bytes).
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def signature(secret: str, *, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str | None, *, message_id: str, timestamp: int,
            body: bytes) -> dict[str, str]:
    out = {"webhook-id": message_id, "webhook-timestamp": str(timestamp)}
    if secret:
        out["webhook-signature"] = signature(secret, message_id=message_id,
                                             timestamp=timestamp, body=body)
    return out


def verify(secret: str, *, message_id: str, timestamp: int, body: bytes, header: str) -> bool:
    expected = signature(secret, message_id=message_id, timestamp=timestamp, body=body)
    return any(hmac.compare_digest(expected, candidate.strip())
               for candidate in header.split(" ") if candidate)


def _key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        return base64.b64decode(secret.removeprefix("whsec_"))
    return secret.encode()


def secret_problem(secret: str | None) -> str | None:
    """Why ``secret`` cannot sign anything, or None. A ``whsec_`` secret must
    be base64 (its decoded bytes are the key); checked when a secret is saved
    and again before signing, so a bad one fails at once, not after retries."""
    if not secret or not secret.startswith("whsec_"):
        return None
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except ValueError:
        return "the signing secret starts with whsec_ but the rest is not valid base64"
    if not key:
        return "the signing secret starts with whsec_ but holds no key after it"
    return None
