"""The console's screens over a real app and database (SQLite and PostgreSQL):
sign-in redirects, forms that post and redirect, errors by the field,
permission checks, CSRF, and pages that name no other host."""

from __future__ import annotations

import re

import pytest

from tests.console.conftest import PASSWORD
from tests.console.support import csrf_of, sign_in
from tests.core.test_route_permissions import concrete_path, declared_access, is_console
from warroom.auth.deps import PublicMarker
from warroom.auth.permissions import ROLE_ORDER, allows
from warroom.console.screens import INCIDENT_TABS, NAV
from warroom.console.session import SESSION_COOKIE
from warroom.http import api_routes

EXTERNAL = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""", re.I)


def declare(client, token: str, **fields) -> str:
    data = {"csrf_token": token, "type": "service_outage", "severity": "sev2",
            "title": "Chat down", "services": "chat, api", **fields}
    answer = client.post("/incidents", data=data, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


@pytest.fixture
def commander(client, people, database, clock):
    sign_in(client, database, clock, "commander")
    return csrf_of(client.get("/incidents").text)


def test_root_and_pages_send_a_stranger_to_sign_in_and_back(client, people, accounts):
    assert client.get("/", follow_redirects=False).headers["location"] == "/incidents"
    answer = client.get("/incidents/INC-1?order=oldest", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=%2Fincidents%2FINC-1%3Forder%3Doldest"
    form = client.get(answer.headers["location"])
    token = csrf_of(form.text)
    wrong = client.post("/sign-in", data={"csrf_token": token, "username": "responder",
                                          "password": "not the password",
                                          "next": "/incidents/INC-1"})
    assert wrong.status_code == 401 and 'id="password-error"' in wrong.text
    right = client.post("/sign-in", follow_redirects=False, data={
        "csrf_token": token, "username": "responder", "password": PASSWORD,
        "next": "/incidents?q=x"})
    assert right.status_code == 303 and right.headers["location"] == "/incidents?q=x"
    assert "httponly" in right.headers["set-cookie"].lower()
    # An off-site ``next`` is refused in tests/console/test_signin.py.


def test_declare_ack_move_assign_and_note_from_the_pages(client, commander):
    page = declare(client, commander)
    assert page == "/incidents/INC-1"
    html = client.get(page).text
    assert "Acknowledge" in html and 'value="triage"' in html
    assert 'value="containment"' not in html  # only legal moves are offered
    assert client.post(page + "/acknowledge", data={"csrf_token": commander},
                       follow_redirects=False).status_code == 303
    assert "triage" in client.get(page).text  # acknowledging starts triage
    assert client.post(page + "/transition", data={"csrf_token": commander,
                                                    "phase": "containment"},
                       follow_redirects=False).status_code == 303
    assert client.post(page + "/roles", follow_redirects=False, data={
        "csrf_token": commander, "role": "incident_commander", "primary": "commander",
        "backup": "admin"}).status_code == 303
    assert client.post(page + "/notes", data={"csrf_token": commander, "text": "Paged DBA."},
                       follow_redirects=False).status_code == 303
    html = client.get(page + "?order=oldest").text
    assert html.index("declared") < html.index("Paged DBA.")
    assert "acknowledged by commander" in html
    notes = client.get(page + "?kind=note").text
    assert "Paged DBA." in notes and "kind-phase" not in notes
    listing = client.get("/incidents?severity=sev2&service=chat").text
    assert "INC-1" in listing and "yes, commander" in listing
    assert "INC-1" not in client.get("/incidents?severity=sev1").text
    assert "INC-1" in client.get("/incidents?sort=severity&status=open").text


def test_bad_input_rerenders_the_form_with_the_error_and_saves_nothing(client, commander):
    answer = client.post("/incidents", data={"csrf_token": commander, "type": "",
                                             "severity": "sev9", "title": "Kept title"})
    assert answer.status_code == 400
    assert 'id="type-error"' in answer.text and "Kept title" in answer.text
    answer = client.post("/incidents", data={"csrf_token": commander, "type": "outage-ish",
                                             "severity": "sev2", "title": "Kept"})
    assert answer.status_code == 400 and "field-error" in answer.text
    assert "0 incidents" in client.get("/incidents").text
    page = declare(client, commander)
    illegal = client.post(page + "/transition", data={"csrf_token": commander,
                                                       "phase": "recovery"})
    assert illegal.status_code == 409 and 'id="transition-error"' in illegal.text
    empty = client.post(page + "/notes", data={"csrf_token": commander, "text": "  "})
    assert empty.status_code == 400 and 'id="note-error"' in empty.text
    nobody = client.post(page + "/roles", data={"csrf_token": commander,
                                                 "role": "incident_commander",
                                                 "primary": "ghost"})
    assert 400 <= nobody.status_code < 500 and 'id="roles-error"' in nobody.text
    assert client.get("/incidents/INC-77").status_code == 404


def test_forms_without_this_sessions_token_are_refused(client, commander, database, clock):
    page = declare(client, commander)
    for data in ({}, {"csrf_token": "forged"}):
        answer = client.post(page + "/acknowledge", data=data)
        assert answer.status_code == 403 and "Form expired" in answer.text
    # a token from another session does not carry over
    sign_in(client, database, clock, "admin")
    assert client.cookies.get(SESSION_COOKIE)
    assert client.post(page + "/acknowledge", data={"csrf_token": commander}).status_code == 403
    assert "acknowledged by" not in client.get(page).text


def test_a_viewer_sees_no_buttons_and_is_refused_if_it_posts(client, commander, database,
                                                             clock):
    page = declare(client, commander)
    sign_in(client, database, clock, "viewer")
    html = client.get(page).text
    token = csrf_of(html)
    assert "<button" not in html.split("</header>")[1].split('id="timeline-h"')[0] \
        .replace('<button type="submit">Show</button>', "")
    assert "Declare an incident" not in client.get("/incidents").text
    for path, data in [(page + "/acknowledge", {}), (page + "/notes", {"text": "hi"}),
                       (page + "/transition", {"phase": "triage"}),
                       (page + "/roles", {"role": "incident_commander"}),
                       ("/incidents", {"type": "service_outage", "severity": "sev1"})]:
        answer = client.post(path, data={"csrf_token": token, **data})
        assert answer.status_code == 403, (path, answer.text)
        assert "permission" in answer.text
    sign_in(client, database, clock, "responder")
    token = csrf_of(client.get(page).text)
    assert client.post(page + "/roles", data={"csrf_token": token,
                                               "role": "scribe"}).status_code == 403
    html = client.post(page + "/transition", data={"csrf_token": token, "phase": "closed"})
    assert html.status_code in (403, 409)


def test_the_phone_acknowledge_page(client, commander):
    page = declare(client, commander)
    html = client.get(page + "/ack").text
    assert 'name="viewport"' in html and 'class="primary huge"' in html
    client.post(page + "/acknowledge", data={"csrf_token": commander})
    assert "Acknowledged by commander" in client.get(page + "/ack").text


def test_no_page_loads_anything_from_another_host(client, commander):
    page = declare(client, commander)
    for path in ["/incidents", page, page + "/ack", "/docs", "/redoc", "/sign-in"]:
        html = client.get(path).text
        assert not EXTERNAL.search(html), (path, EXTERNAL.search(html))
    for asset in ["/console/vendor/swagger-ui-bundle.js", "/console/vendor/swagger-ui.css",
                  "/console/vendor/redoc.standalone.js", "/console/static/console.css",
                  "/console/static/console.js"]:
        assert client.get(asset).status_code == 200, asset


def test_every_console_route_against_every_role(client, people, database, clock):
    """The route x role walk of the API, with a session instead of a token."""
    routes = [r for r in api_routes(client.app) if is_console(r)]
    assert len(routes) >= 9
    for route in routes:
        (marker,) = declared_access(route)
        path = concrete_path(route, {"ref": "INC-999999"})
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            client.cookies.clear()
            if isinstance(marker, PublicMarker):
                continue
            stranger = client.request(method, path, follow_redirects=False)
            assert stranger.status_code in (303, 403), (method, path)
            if method == "GET" and "events" not in path:
                assert stranger.headers["location"].startswith("/sign-in?next=")
            for role in ROLE_ORDER:
                sign_in(client, database, clock, role.value)
                token = csrf_of(client.get("/incidents").text)
                if "events" in path:
                    continue  # streams: the same dependency, checked in the browser test
                answer = client.request(method, path, data={"csrf_token": token}
                                        if method == "POST" else None)
                assert answer.status_code < 500, (role, method, path, answer.text)
                if allows(role, marker.permission):
                    assert answer.status_code != 403, (role, method, path, answer.text)
                else:
                    assert answer.status_code == 403, (role, method, path)


def test_playbook_steps_and_checklist_items_are_ticked_one_by_one(client, commander):
    page = declare(client, commander)
    html = client.get(page).text
    assert 'id="incident-steps"' in html
    found = re.search(r'action="(/incidents/INC-1/steps/([^/"]+)/items/1)"', html)
    if found is None:  # the seed's playbooks carry checklists; tick a plain step then
        found = re.search(r'action="(/incidents/INC-1/steps/([^/"]+)/tick)"', html)
    assert found, "no tickable step on the page"
    action, step = found.group(1), found.group(2)
    assert client.post(action, data={"csrf_token": commander},
                       follow_redirects=False).status_code == 303
    again = client.post(action, data={"csrf_token": commander})
    assert again.status_code == 409 and f'id="step-{step}-error"' in again.text
    assert "commander" in client.get(page + "?kind=step").text


def test_every_menu_entry_and_incident_tab_opens_a_screen(client, people, database, clock):
    """The menu and the tabs name only screens that exist: no link in the console is a 404."""
    sign_in(client, database, clock, "admin")
    token = csrf_of(client.get("/incidents").text)
    page = declare(client, token)
    html = client.get(page).text
    for href, label, _ in NAV:
        assert f'href="{href}"' in html, label
        assert client.get(href).status_code == 200, href
    for suffix, label, _ in INCIDENT_TABS:
        assert f'href="{page}{suffix}"' in html, label
        assert client.get(page + suffix).status_code == 200, suffix
