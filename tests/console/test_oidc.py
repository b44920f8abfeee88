"""OpenID Connect sign-in against a real local provider (oidc-provider-mock,
a Flask + Authlib provider run on a thread): the authorization code flow
with PKCE, state and nonce, the claim -> role mapping, the user matching
rule, and the outbound policy on the issuer."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import httpx
import oidc_provider_mock
import pytest
import werkzeug.serving
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi.testclient import TestClient
from sqlalchemy import select

from warroom import config
from warroom.audit.models import AuditEntry
from warroom.auth import service as users
from warroom.console import oidc
from warroom.console.session import SESSION_COOKIE

if TYPE_CHECKING:
    from collections.abc import Iterator

PEOPLE = [
    oidc_provider_mock.User(sub="sub-alice", claims={
        "preferred_username": "Alice", "groups": ["sre", "everyone"],
        "email": "alice@example.com", "name": "Alice Example"}),
    oidc_provider_mock.User(sub="sub-bob", claims={
        "preferred_username": "bob", "groups": ["incident-commanders", "sre"]}),
    oidc_provider_mock.User(sub="sub-eve", claims={
        "preferred_username": "eve", "groups": ["marketing"]}),
    oidc_provider_mock.User(sub="sub-mallory", claims={
        "preferred_username": "alice", "groups": ["sre"]}),
]


class Recorder:
    """WSGI middleware keeping every token request's form, to check PKCE."""

    def __init__(self, app) -> None:
        self.app = app
        self.token_requests: list[dict[str, list[str]]] = []

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").endswith("/token"):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            self.token_requests.append(parse_qs(body.decode()))
            environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)


class Provider:
    def __init__(self, url: str, recorder: Recorder) -> None:
        self.url = url
        self.recorder = recorder

    def approve(self, authorize_url: str, sub: str) -> str:
        """Pick ``sub`` on the provider's consent form; answer the redirect back."""
        answer = httpx.post(authorize_url, data={"sub": sub}, follow_redirects=False)
        assert answer.status_code == 302, answer.text
        return answer.headers["location"]


@pytest.fixture
def provider() -> Iterator[Provider]:
    recorder = Recorder(oidc_provider_mock.app(require_client_registration=True,
                                               require_nonce=True, user_claims=PEOPLE))
    server = werkzeug.serving.make_server("localhost", 0, recorder, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Provider(f"http://localhost:{server.server_port}", recorder)
    finally:
        server.shutdown()
        thread.join(5)
        oidc._discovered.clear()


@pytest.fixture
def sso(provider, settings, monkeypatch, clock) -> Provider:
    """warroom configured for the provider, with a registered client."""
    callback = f"{settings.base_url}/sign-in/oidc/callback"
    client = httpx.post(f"{provider.url}/oauth2/clients",
                        json={"redirect_uris": [callback]}).json()
    monkeypatch.setenv("WARROOM_OIDC_ISSUER", provider.url)
    monkeypatch.setenv("WARROOM_OIDC_CLIENT_ID", client["client_id"])
    monkeypatch.setenv("WARROOM_OIDC_CLIENT_SECRET", client["client_secret"])
    monkeypatch.setenv("WARROOM_OIDC_ROLE_CLAIM", "groups")
    monkeypatch.setenv("WARROOM_OIDC_ROLE_MAP", "sre=responder,incident-commanders=commander")
    config.reset()
    clock.set(datetime.now(UTC))  # the provider signs with the real time
    return provider


def start(browser, next_url: str = "/probe") -> tuple[str, dict[str, str]]:
    answer = browser.get("/sign-in/oidc", params={"next": next_url})
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    return location, {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def come_back(browser, redirect: str):
    parts = urlsplit(redirect)
    return browser.get(f"{parts.path}?{parts.query}")


def test_the_full_code_flow_with_pkce_signs_in_with_the_mapped_role(sso, browser, database):
    authorize, params = start(browser)
    assert authorize.startswith(sso.url)
    assert params["code_challenge_method"] == "S256"
    assert params["state"] and params["nonce"] and params["response_type"] == "code"
    assert browser.get("/sign-in").status_code == 200  # no session yet
    answer = come_back(browser, sso.approve(authorize, "sub-alice"))
    assert answer.status_code == 303 and answer.headers["location"] == "/probe"
    assert SESSION_COOKIE in browser.cookies
    me = browser.get("/probe").json()
    assert (me["name"], me["role"]) == ("alice", "responder")
    (token_request,) = sso.recorder.token_requests
    verifier = token_request["code_verifier"][0]
    assert create_s256_code_challenge(verifier) == params["code_challenge"]
    with database.read() as session:
        alice = users.get_by_username(session, username="alice")
        assert alice.oidc_subject == f"{sso.url} sub-alice"
        assert alice.email == "alice@example.com" and alice.password_hash is None
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "console.sign_in")).one()
    assert entry.after["method"] == "oidc"


def test_the_highest_mapped_role_wins_and_follows_the_provider(sso, browser, database, work):
    authorize, _ = start(browser)
    come_back(browser, sso.approve(authorize, "sub-bob"))
    assert browser.get("/probe").json()["role"] == "commander"
    with work() as uow:  # someone lowers bob in warroom; the provider says otherwise
        users.update(uow, user=users.get_by_username_or_raise(uow.session, username="bob"),
                     role="viewer")
    browser.cookies.clear()
    authorize, _ = start(browser)
    come_back(browser, sso.approve(authorize, "sub-bob"))
    assert browser.get("/probe").json()["role"] == "commander"


def test_nobody_without_a_mapped_group_gets_in_unless_a_default_role_is_set(
        sso, browser, monkeypatch, database):
    authorize, _ = start(browser)
    refused = come_back(browser, sso.approve(authorize, "sub-eve"))
    assert refused.status_code == 400 and "no group or role" in refused.text
    assert SESSION_COOKIE not in browser.cookies
    with database.read() as session:
        assert users.get_by_username(session, username="eve") is None
    monkeypatch.setenv("WARROOM_OIDC_DEFAULT_ROLE", "viewer")
    config.reset()
    authorize, _ = start(browser)
    come_back(browser, sso.approve(authorize, "sub-eve"))
    assert browser.get("/probe").json()["role"] == "viewer"


def test_an_existing_user_is_bound_once_and_not_taken_over(sso, browser, work, app):
    with work() as uow:
        users.create(uow, username="alice", role="viewer")
    authorize, _ = start(browser)
    come_back(browser, sso.approve(authorize, "sub-alice"))
    assert browser.get("/probe").json()["name"] == "alice"
    with TestClient(app, follow_redirects=False) as other:
        authorize, _ = start(other)
        refused = come_back(other, sso.approve(authorize, "sub-mallory"))
        assert refused.status_code == 400 and "bound to another identity" in refused.text


def test_a_callback_for_another_browsers_flow_is_refused(sso, browser, app):
    with TestClient(app, follow_redirects=False) as victim:
        authorize, _ = start(victim)
        redirect = sso.approve(authorize, "sub-alice")
    start(browser)  # the attacker's own flow cookie, with a different state
    refused = come_back(browser, redirect)
    assert refused.status_code == 400 and "state does not match" in refused.text
    assert SESSION_COOKIE not in browser.cookies


def test_a_code_issued_for_another_nonce_is_refused(sso, browser, app):
    """Right state (the attacker's), wrong code (the victim's): the ID token
    carries the victim's nonce."""
    with TestClient(app, follow_redirects=False) as victim:
        authorize, _ = start(victim)
        stolen = parse_qs(urlsplit(sso.approve(authorize, "sub-alice")).query)["code"][0]
    _, mine = start(browser)
    refused = browser.get("/sign-in/oidc/callback",
                          params={"code": stolen, "state": mine["state"]})
    assert refused.status_code == 400 and "ID token did not check out" in refused.text
    assert SESSION_COOKIE not in browser.cookies


def test_no_flow_cookie_and_a_late_callback_are_refused(sso, browser, clock):
    authorize, _ = start(browser)
    redirect = sso.approve(authorize, "sub-alice")
    clock.advance(minutes=11)
    late = come_back(browser, redirect)
    assert late.status_code == 400 and "ten minutes" in late.text
    browser.cookies.clear()
    assert come_back(browser, redirect).status_code == 400


def test_a_provider_refusal_is_a_sentence(sso, browser, database):
    _, params = start(browser)
    answer = browser.get("/sign-in/oidc/callback",
                         params={"error": "access_denied", "state": params["state"]})
    assert answer.status_code == 400 and "refused the sign-in (access_denied)" in answer.text
    with database.read() as session:
        assert session.scalars(select(AuditEntry).where(
            AuditEntry.action == "console.sign_in_failed")).one().after["reason"] == "oidc"


def test_the_issuer_goes_through_the_outbound_policy(sso, browser, monkeypatch):
    monkeypatch.setenv("WARROOM_OUTBOUND_ALLOW", "")
    config.reset()
    oidc._discovered.clear()
    answer = browser.get("/sign-in/oidc")
    assert answer.status_code == 502 and "WARROOM_OUTBOUND_ALLOW" in answer.text
    assert not sso.recorder.token_requests


def test_the_form_offers_single_sign_on_only_when_it_is_set_up(browser, sso, monkeypatch):
    assert "Sign in with single sign-on" in browser.get("/sign-in").text
    monkeypatch.delenv("WARROOM_OIDC_ISSUER")
    config.reset()
    assert "Sign in with" not in browser.get("/sign-in").text
    assert browser.get("/sign-in/oidc").status_code == 404
