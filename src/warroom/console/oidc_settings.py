"""Knobs of OpenID Connect sign-in (``WARROOM_OIDC_*``); off unless an issuer is set."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import SecretStr, field_validator
from pydantic_settings import NoDecode

from warroom.config import WarroomSettings


class OidcSettings(WarroomSettings):
    """Single sign-on through an OpenID provider (Keycloak, Entra ID, Okta, Dex ...)."""

    oidc_issuer: str | None = None
    """The provider's issuer URL; its ``/.well-known/openid-configuration`` is read."""
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_scopes: str = "openid profile email"
    oidc_display_name: str = "single sign-on"
    """Shown on the sign-in button ("Sign in with ...")."""
    oidc_username_claim: str = "preferred_username"
    """The claim whose value (lowercased) is the warroom username."""
    oidc_role_claim: str | None = None
    """The claim holding the person's groups or roles (e.g. ``groups``); unset:
    every person signs in as ``oidc_default_role``."""
    oidc_role_map: Annotated[dict[str, str], NoDecode] = {}
    """Claim value -> warroom role: JSON (``{"sre": "responder"}``) or
    ``sre=responder,ic=commander``; the highest role any value maps to wins."""
    oidc_default_role: str | None = None
    """The role of a person none of whose claim values is mapped; unset: such a
    person is refused."""
    oidc_create_users: bool = True
    """Create a warroom user at first sign-in when none matches."""
    oidc_match_existing: bool = True
    """Bind the provider's identity to an existing warroom user of the same
    username at their first single sign-on (off: only users created by single
    sign-on, or already bound, can use it)."""

    @field_validator("oidc_role_map", mode="before")
    @classmethod
    def _pairs(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("{"):
                return json.loads(text)
            pairs = [part.split("=", 1) for part in re.split(r"[,\n]", text) if part.strip()]
            return {key.strip(): role.strip() for key, role in pairs}
        return value

    @property
    def enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)


def get() -> OidcSettings:
    return OidcSettings.current()
