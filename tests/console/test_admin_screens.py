"""The admin screens under /settings in-process (SQLite): users created,
re-roled and disabled (their console session dies with it), tokens issued
with their secret shown once and capped by the service's rules, integrations
with their intake URLs, the routing dry run creating nothing, non-admins
refused everywhere, bad input answered by its field, and no secret or
address in the logs."""

from __future__ import annotations

import json
import logging
import re

import pytest

from tests.console.support import csrf_of, session_cookie, sign_in
from warroom.console.session import SESSION_COOKIE

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
PAGES = ("/settings", "/settings/users/viewer", "/settings/tokens", "/settings/integrations",
         "/settings/routing")
FORMS = ("/settings/users", "/settings/users/viewer/role", "/settings/users/viewer/email",
         "/settings/users/viewer/active", "/settings/users/viewer/password",
         "/settings/tokens", "/settings/tokens/1/revoke", "/settings/integrations",
         "/settings/integrations/1/revoke", "/settings/routing/test")


@pytest.fixture
def admin(client, people, database, clock):
    sign_in(client, database, clock, "admin")
    return csrf_of(client.get("/settings").text)


def _add_user(client, token: str, **fields: str):
    return client.post("/settings/users", follow_redirects=False,
                       data={"csrf_token": token, **fields})


def test_a_user_is_created_re_roled_and_disabled_which_ends_their_session(
        client, admin, database, clock):
    made = _add_user(client, admin, username="dana", role="viewer", email="dana@example.org")
    assert made.status_code == 303 and made.headers["location"] == "/settings/users/dana"
    assert "dana@example.org" in client.get("/settings").text
    html = client.get("/settings/users/dana").text
    assert 'id="user-role">viewer<' in html
    moved = client.post("/settings/users/dana/role", follow_redirects=False,
                        data={"csrf_token": admin, "role": "responder"})
    assert moved.status_code == 303
    assert 'id="user-role">responder<' in client.get("/settings/users/dana").text

    admins_cookie = client.cookies.get(SESSION_COOKIE)
    danas_cookie = session_cookie(database, clock, "dana")
    client.cookies.set(SESSION_COOKIE, danas_cookie)
    assert client.get("/incidents").status_code == 200
    client.cookies.set(SESSION_COOKIE, admins_cookie)
    off = client.post("/settings/users/dana/active", follow_redirects=False,
                      data={"csrf_token": admin, "active": "no"})
    assert off.status_code == 303
    assert 'id="user-state">disabled<' in client.get("/settings/users/dana").text
    client.cookies.set(SESSION_COOKIE, danas_cookie)
    signed_out = client.get("/incidents", follow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/sign-in")
    client.cookies.set(SESSION_COOKIE, admins_cookie)
    on = client.post("/settings/users/dana/active", follow_redirects=False,
                     data={"csrf_token": admin, "active": "yes"})
    assert on.status_code == 303
    client.cookies.set(SESSION_COOKIE, danas_cookie)
    assert client.get("/incidents", follow_redirects=False).status_code == 303  # stays ended


def test_an_admin_cannot_disable_themself(client, admin):
    refused = client.post("/settings/users/admin/active", data={"csrf_token": admin,
                                                                "active": "no"})
    assert refused.status_code == 409 and 'id="active-error"' in refused.text
    assert 'id="user-state">active<' in client.get("/settings/users/admin").text


def test_email_and_password_are_set_and_checked(client, admin):
    bad = client.post("/settings/users/viewer/email", data={"csrf_token": admin,
                                                            "email": "not-an-address"})
    assert bad.status_code == 422 and 'id="email-error"' in bad.text
    assert 'id="user-email">viewer@example.com<' in bad.text
    good = client.post("/settings/users/viewer/email", follow_redirects=False,
                       data={"csrf_token": admin, "email": "v@example.org"})
    assert good.status_code == 303
    assert 'id="user-email">v@example.org<' in client.get("/settings/users/viewer").text
    short = client.post("/settings/users/viewer/password", data={"csrf_token": admin,
                                                                 "password": "abc"})
    assert short.status_code == 422 and 'id="password-error"' in short.text


def test_a_token_secret_is_shown_once_and_never_on_the_list(client, admin):
    issued = client.post("/settings/tokens", data={
        "csrf_token": admin, "name": "ci-deploy", "username": "responder", "role": "viewer"})
    assert issued.status_code == 201 and issued.headers["cache-control"] == "no-store"
    secret = re.search(r'id="issued-secret" readonly value="(wr_[^"]+)"', issued.text).group(1)
    listed = client.get("/settings/tokens").text
    assert secret not in listed and secret[:10] in listed and "ci-deploy" in listed
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
                      ).json()["role"] == "viewer"
    token_id = re.search(r'id="token-(\d+)"><td>ci-deploy', listed).group(1)
    revoked = client.post(f"/settings/tokens/{token_id}/revoke", follow_redirects=False,
                          data={"csrf_token": admin})
    assert revoked.status_code == 303
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
                      ).status_code == 401
    assert "revoked" in client.get("/settings/tokens").text


def test_a_token_never_has_more_power_than_its_owner(client, admin):
    before = client.get("/settings/tokens").text.count('id="token-')
    refused = client.post("/settings/tokens", data={
        "csrf_token": admin, "name": "too-big", "username": "viewer", "role": "admin"})
    assert refused.status_code == 403 and 'id="role-error"' in refused.text
    assert "more power than its owner" in refused.text and "issued-secret" not in refused.text
    past = client.post("/settings/tokens", data={
        "csrf_token": admin, "name": "old", "username": "viewer", "expires": "2001-01-01"})
    assert past.status_code == 422 and 'id="expires-error"' in past.text
    assert client.get("/settings/tokens").text.count('id="token-') == before


def test_integrations_show_their_intake_urls_and_the_key_once(client, admin):
    made = client.post("/settings/integrations", data={"csrf_token": admin,
                                                       "name": "prom-eu", "kind": "alertmanager"})
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    key = re.search(r'id="issued-key" readonly value="([0-9a-f]{32})"', made.text).group(1)
    assert f"/api/v1/alerts/alertmanager/{key}" in made.text
    listed = client.get("/settings/integrations").text
    assert key not in listed and f"/api/v1/alerts/alertmanager/{key[:6]}..." in listed
    dup = client.post("/settings/integrations", data={"csrf_token": admin,
                                                      "name": "prom-eu", "kind": "generic"})
    assert dup.status_code == 409 and 'id="name-error"' in dup.text
    bad = client.post("/settings/integrations", data={"csrf_token": admin,
                                                      "name": "no spaces", "kind": "generic"})
    assert bad.status_code == 422 and 'id="name-error"' in bad.text
    integration = re.search(r'id="integration-(\d+)"', listed).group(1)
    assert client.post(f"/settings/integrations/{integration}/revoke", follow_redirects=False,
                       data={"csrf_token": admin}).status_code == 303
    assert "revoked" in client.get("/settings/integrations").text


def test_the_routing_dry_run_names_the_rule_and_creates_nothing(client, admin, people):
    html = client.get("/settings/routing").text
    assert 'id="rule-websocket-service-down"' in html and "fallback" in html
    webhook = {"version": "4", "status": "firing", "alerts": [
        {"status": "firing", "labels": {"alertname": "WebSocketServiceDown",
                                        "job": "websocket-service"}}]}
    tried = client.post("/settings/routing/test", data={"csrf_token": admin,
                                                        "payload": json.dumps(webhook)})
    assert tried.status_code == 200, tried.text
    assert 'class="matched-rule">websocket-service-down<' in tried.text
    assert "WebSocket service down (websocket-service)" in tried.text
    generic = client.post("/settings/routing/test", data={
        "csrf_token": admin, "payload": json.dumps({"name": "SomethingOdd"})})
    assert 'class="matched-rule">' in generic.text and generic.status_code == 200
    assert client.get("/api/v1/alerts", headers=people.admin).json()["total"] == 0
    assert client.get("/api/v1/incidents", headers=people.admin).json()["total"] == 0
    broken = client.post("/settings/routing/test", data={"csrf_token": admin,
                                                         "payload": "{not json"})
    assert broken.status_code == 400 and 'id="payload-error"' in broken.text
    assert "not valid JSON" in broken.text and "{not json" in broken.text
    wrong = client.post("/settings/routing/test", data={"csrf_token": admin,
                                                        "payload": '{"alerts": "x"}'})
    assert wrong.status_code == 422 and 'id="payload-error"' in wrong.text


def test_bad_user_input_is_answered_by_its_field_and_nothing_is_saved(client, admin):
    dup = _add_user(client, admin, username="viewer", role="viewer")
    assert dup.status_code == 409 and 'id="username-error"' in dup.text
    assert "already exists" in dup.text
    bad_email = _add_user(client, admin, username="erin", role="viewer", email="erin@")
    assert bad_email.status_code == 422 and 'id="email-error"' in bad_email.text
    assert 'value="erin"' in bad_email.text
    bad_name = _add_user(client, admin, username="Not Valid!", role="viewer")
    assert bad_name.status_code == 422 and 'id="username-error"' in bad_name.text
    bad_role = _add_user(client, admin, username="frank", role="overlord")
    assert bad_role.status_code == 422 and 'id="role-error"' in bad_role.text
    listed = client.get("/settings").text
    assert "erin" not in listed and "frank" not in listed


@pytest.mark.parametrize("role", ["viewer", "responder", "commander"])
def test_non_admins_see_no_admin_entry_and_are_refused(client, people, database, clock, role):
    sign_in(client, database, clock, role)
    html = client.get("/incidents").text
    assert 'href="/settings"' not in html
    token = csrf_of(html)
    for path in PAGES:
        assert client.get(path).status_code == 403, path
    for path in FORMS:
        assert client.post(path, data={"csrf_token": token, "username": "x",
                                       "role": "admin", "name": "x"}).status_code == 403, path
    assert 'href="/status-admin"' in html  # statuspage:read is every role's


def test_secrets_and_addresses_never_reach_the_logs(client, admin, caplog):
    caplog.set_level(logging.DEBUG)
    _add_user(client, admin, username="gwen", role="viewer", email="gwen@example.org",
              password="a long enough password")
    issued = client.post("/settings/tokens", data={"csrf_token": admin, "name": "x",
                                                   "username": "gwen"})
    secret = re.search(r'value="(wr_[^"]+)"', issued.text).group(1)
    made = client.post("/settings/integrations", data={"csrf_token": admin, "name": "g",
                                                       "kind": "generic"})
    key = re.search(r'id="issued-key" readonly value="([0-9a-f]{32})"', made.text).group(1)
    logged = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    for private in (secret, key, "gwen@example.org", "a long enough password"):
        assert private not in logged
