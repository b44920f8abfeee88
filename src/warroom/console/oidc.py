"""OpenID Connect sign-in: the authorization code flow with PKCE (S256),
``state`` and ``nonce``, for a confidential client.

Every call to the provider (discovery, token, keys) goes through warroom's
outbound destination policy (:mod:`warroom.outbound`): an issuer on a private
network must be named in ``WARROOM_OUTBOUND_ALLOW``. PKCE and the state code
come from Authlib; the ID token is checked with joserfc (Authlib's JOSE
library): signature against the provider's published keys, issuer, audience,
expiry (by warroom's clock) and the nonce this browser was given.

The state, nonce and code verifier travel in a short-lived cookie signed
with a key derived from ``WARROOM_SECRET_KEY``, so any API process can finish
a flow another one started.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from warroom import outbound

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.console.oidc_settings import OidcSettings

FLOW_COOKIE = "warroom_oidc_flow"
FLOW_SECONDS = 600
DISCOVERY_SECONDS = 3600.0
TIMEOUT = 10.0


class OidcFailed(Exception):
    """Single sign-on did not work; ``sentence`` says why to the person."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass(frozen=True)
class Flow:
    """What the browser carries between the redirect and the callback."""

    state: str
    nonce: str
    verifier: str
    next_url: str
    expires: float


_discovered: dict[str, tuple[float, Provider]] = {}


def discover(issuer: str) -> Provider:
    """The provider's endpoints, from its discovery document (cached an hour)."""
    issuer = issuer.rstrip("/")
    hit = _discovered.get(issuer)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    url = f"{issuer}/.well-known/openid-configuration"
    outbound.check_url(url, field="WARROOM_OIDC_ISSUER")
    document = _get_json(url, "its discovery document")
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise OidcFailed("The identity provider's discovery document names another issuer "
                         "than WARROOM_OIDC_ISSUER; single sign-on is refused.")
    try:
        provider = Provider(issuer=issuer,
                            authorization_endpoint=str(document["authorization_endpoint"]),
                            token_endpoint=str(document["token_endpoint"]),
                            jwks_uri=str(document["jwks_uri"]))
    except KeyError as missing:
        raise OidcFailed(f"The identity provider's discovery document has no {missing}.") \
            from None
    _discovered[issuer] = (time.monotonic() + DISCOVERY_SECONDS, provider)
    return provider


def begin(knobs: OidcSettings, *, redirect_uri: str, next_url: str, key: bytes,
          now: datetime) -> tuple[str, str]:
    """The provider's authorization URL to send the browser to, and the signed
    flow cookie to set."""
    provider = discover(knobs.oidc_issuer or "")
    flow = Flow(state=generate_token(32), nonce=generate_token(32), verifier=generate_token(64),
                next_url=next_url, expires=now.timestamp() + FLOW_SECONDS)
    query = urlencode({
        "response_type": "code", "client_id": knobs.oidc_client_id, "redirect_uri": redirect_uri,
        "scope": knobs.oidc_scopes, "state": flow.state, "nonce": flow.nonce,
        "code_challenge": create_s256_code_challenge(flow.verifier),
        "code_challenge_method": "S256"})
    joiner = "&" if "?" in provider.authorization_endpoint else "?"
    return f"{provider.authorization_endpoint}{joiner}{query}", seal_flow(flow, key)


def finish(knobs: OidcSettings, *, params: dict[str, str], cookie: str | None,
           redirect_uri: str, key: bytes, now: datetime) -> tuple[dict[str, Any], Flow]:
    """Check the callback, redeem the code, verify the ID token; answer its claims."""
    flow = open_flow(cookie, key, now)
    if not hmac.compare_digest(params.get("state", ""), flow.state):
        raise OidcFailed("This sign-in did not start in this browser (its state does not "
                         "match). Start again from the sign-in page.")
    if "error" in params:
        raise OidcFailed(f"The identity provider refused the sign-in "
                         f"({params['error'][:80]}).")
    code = params.get("code", "")
    if not code:
        raise OidcFailed("The identity provider sent no authorization code.")
    provider = discover(knobs.oidc_issuer or "")
    secret = knobs.oidc_client_secret.get_secret_value() if knobs.oidc_client_secret else ""
    tokens = _post_json(provider.token_endpoint, {
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
        "code_verifier": flow.verifier}, auth=(knobs.oidc_client_id or "", secret))
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise OidcFailed("The identity provider answered without an ID token.")
    claims = verify_id_token(provider, id_token, client_id=knobs.oidc_client_id or "",
                             nonce=flow.nonce, now=now)
    return claims, flow


def verify_id_token(provider: Provider, id_token: str, *, client_id: str, nonce: str,
                    now: datetime) -> dict[str, Any]:
    keys = KeySet.import_key_set(_get_json(provider.jwks_uri, "its signing keys"))  # type: ignore[arg-type]
    try:
        token = jwt.decode(id_token, keys, algorithms=["RS256", "RS384", "RS512", "ES256",
                                                       "ES384", "PS256", "EdDSA"])
        registry = jwt.JWTClaimsRegistry(
            now=int(now.timestamp()), leeway=60,
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": client_id},
            sub={"essential": True}, exp={"essential": True},
            nonce={"essential": True, "value": nonce})
        registry.validate(token.claims)
    except (JoseError, ValueError) as failed:
        raise OidcFailed("The identity provider's ID token did not check out "
                         f"({type(failed).__name__}); single sign-on is refused.") from None
    return dict(token.claims)


def seal_flow(flow: Flow, key: bytes) -> str:
    body = base64.urlsafe_b64encode(json.dumps(flow.__dict__).encode()).decode()
    return f"{body}.{_mac(key, body)}"


def open_flow(cookie: str | None, key: bytes, now: datetime) -> Flow:
    body, _, mac = (cookie or "").partition(".")
    if not body or not hmac.compare_digest(mac, _mac(key, body)):
        raise OidcFailed("This sign-in did not start in this browser, or it took too long. "
                         "Start again from the sign-in page.")
    try:
        flow = Flow(**json.loads(base64.urlsafe_b64decode(body)))
    except (ValueError, TypeError):
        raise OidcFailed("This sign-in's cookie is unreadable; start again.") from None
    if flow.expires <= now.timestamp():
        raise OidcFailed("This sign-in took more than ten minutes; start again.")
    return flow


def _mac(key: bytes, body: str) -> str:
    derived = hmac.new(key, b"console/oidc-flow", hashlib.sha256).digest()
    return hmac.new(derived, body.encode(), hashlib.sha256).hexdigest()


def _get_json(url: str, what: str) -> dict[str, Any]:
    try:
        answer = outbound.client().get(url, timeout=TIMEOUT, headers={"Accept":
                                                                       "application/json"})
    except (httpx.HTTPError, outbound.DestinationRefused) as failed:
        raise OidcFailed(f"The identity provider could not be reached for {what}: "
                         f"{_reason(failed)}.") from None
    return _json(answer, what)


def _post_json(url: str, form: dict[str, str], *, auth: tuple[str, str]) -> dict[str, Any]:
    try:
        answer = outbound.client().post(url, data=form, auth=auth, timeout=TIMEOUT,
                                        headers={"Accept": "application/json"})
    except (httpx.HTTPError, outbound.DestinationRefused) as failed:
        raise OidcFailed("The identity provider could not be reached to redeem the "
                         f"sign-in: {_reason(failed)}.") from None
    return _json(answer, "the token")


def _json(answer: httpx.Response, what: str) -> dict[str, Any]:
    if answer.status_code != 200:
        raise OidcFailed(f"The identity provider answered {answer.status_code} for {what}.")
    try:
        data = answer.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise OidcFailed(f"The identity provider's answer for {what} is not a JSON object.")
    return data


def _reason(failed: Exception) -> str:
    if isinstance(failed, outbound.DestinationRefused):
        return failed.detail
    if isinstance(failed, httpx.HTTPError):
        return outbound.failure_reason(failed)
    return type(failed).__name__
