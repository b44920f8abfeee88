"""Request and response shapes for users and tokens."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from warroom.strict import Moment, Switch
from warroom.text import Line, Text

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class UserCreate(BaseModel):
    model_config = _STRICT
    username: Line = Field(min_length=1, max_length=64)
    role: Line = Field(max_length=20, examples=["responder"])
    display_name: Line = Field("", max_length=200)
    email: Line | None = Field(None, max_length=320)


class UserUpdate(BaseModel):
    model_config = _STRICT
    role: Line | None = Field(None, max_length=20)
    display_name: Line | None = Field(None, max_length=200)
    email: Line | None = Field(None, max_length=320)
    is_active: Switch | None = None


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    email: str | None
    role: str
    is_active: bool
    is_service_account: bool
    created_at: datetime


class TokenCreate(BaseModel):
    model_config = _STRICT
    name: Line = Field(min_length=1, max_length=100)
    username: Line | None = Field(None, max_length=64)
    """Whose token; defaults to the caller."""
    role: Line | None = Field(None, max_length=20)
    expires_at: Moment | None = None


class TokenOut(BaseModel):
    id: int
    name: str
    user: str
    prefix: str
    role: str | None
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class IssuedTokenOut(TokenOut):
    token: str
    """Shown once; only a hash is stored."""


class RotateKeys(BaseModel):
    """Optional body of ``POST /api/v1/admin/security/rotate-keys`` (the
    seed's call sends none)."""

    model_config = _STRICT
    integration_keys: Switch = False
    """Also reissue every live integration key (monitoring must be given them)."""
    reason: Text = Field("", max_length=500)


class RotatedKeys(BaseModel):
    rotated_at: datetime
    revoked_tokens: list[dict[str, object]]
    token: str | None
    """The caller's replacement token, shown once; the one this request used
    no longer works."""
    link_key_generation: int
    reissued: dict[str, list[dict[str, object]]]
    ended_sessions: int = 0
    """Console sessions ended (everyone signs in again)."""
