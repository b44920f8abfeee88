"""Encrypt secrets that warroom must read back (webhook signing secrets).

Tokens are hashed because warroom only compares them; a webhook secret is
needed to sign each delivery, so it is encrypted with a key derived from the
instance secret (WARROOM_SECRET_KEY) instead.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from warroom.config import get_settings


def seal(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise ValueError("cannot decrypt: WARROOM_SECRET_KEY changed since this was stored")\
            from None


def _fernet() -> Fernet:
    digest = hashlib.sha256(get_settings().secret_bytes() + b"/sealing").digest()
    return Fernet(base64.urlsafe_b64encode(digest))
