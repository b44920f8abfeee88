"""The breach register screens in-process (SQLite): the register with its
filter and export, a record moved through its states with the domain's rules,
drafts naming what is missing, submissions, the incident tab, and a viewer
refused on every form."""

from __future__ import annotations

import pytest

from tests.console.support import csrf_of, sign_in
from tests.console.test_screens import declare

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def commander(client, people, database, clock):
    sign_in(client, database, clock, "commander")
    return csrf_of(client.get("/breaches").text)


def open_alone(client, token: str, title: str = "Lost laptop") -> str:
    answer = client.post("/breaches", data={"csrf_token": token, "title": title},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def test_the_register_lists_filters_and_exports(client, commander, clock):
    page = open_alone(client, commander)
    year = clock.now().year
    html = client.get("/breaches").text
    assert f"BR-{year}-1" in html and "suspected" in html and "stands alone" in html
    assert f"/breaches/export?year={year}&amp;format=csv" in html
    assert f"BR-{year}-1" not in client.get(f"/breaches?year={year - 1}").text
    csv = client.get(f"/breaches/export?year={year}&format=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert f"BR-{year}-1" in csv.text and "X-Audit-Head" in csv.headers
    assert client.get(f"/breaches/export?year={year}&format=json").json()["breaches"]
    assert page == f"/breaches/BR-{year}-1"


def test_a_record_moves_with_the_domains_rules_and_shows_clocks_and_drafts(client, commander):
    page = open_alone(client, commander)
    html = client.get(page).text
    assert "Missing:" in html and 'id="draft-sa"' in html
    refused = client.post(page + "/transition", data={"csrf_token": commander,
                                                      "to": "confirmed"})
    assert refused.status_code == 422 and "basis of awareness" in refused.text
    assert 'aria-invalid="true"' in refused.text and ">suspected<" in client.get(page).text
    moved = client.post(page + "/transition", data={
        "csrf_token": commander, "to": "confirmed", "awareness_basis": "logs show export"},
        follow_redirects=False)
    assert moved.status_code == 303
    html = client.get(page).text
    assert ">confirmed<" in html and "left)" in html  # a running clock
    illegal = client.post(page + "/transition", data={"csrf_token": commander,
                                                      "to": "closed"})
    assert illegal.status_code == 409 and "can move to assessed" in illegal.text
    client.post(page + "/transition", data={"csrf_token": commander, "to": "assessed",
                                            "risk": "risk", "risk_rationale": "names only"})
    assert ">assessed<" in client.get(page).text


def test_a_submission_is_recorded_and_missing_fields_are_named(client, commander, clock):
    page = open_alone(client, commander)
    client.post(page + "/transition", data={"csrf_token": commander, "to": "confirmed",
                                            "awareness_basis": "b"})
    client.post(page + "/transition", data={"csrf_token": commander, "to": "assessed",
                                            "risk": "risk"})
    empty = client.post(page + "/submissions", data={"csrf_token": commander,
                                                     "regime": "gdpr"})
    assert empty.status_code == 400 and "Fill in obligation, recipient" in empty.text
    assert 'value="gdpr"' in empty.text  # what was typed is kept
    sent = client.post(page + "/submissions", follow_redirects=False, data={
        "csrf_token": commander, "regime": "gdpr", "obligation": "initial",
        "recipient": "Authority", "channel": "portal", "content": "Our notification"})
    assert sent.status_code == 303, sent.text
    html = client.get(page).text
    assert ">notified<" in html and "Authority (portal)" in html


def test_the_incident_tab_lists_and_opens_linked_records(client, commander):
    incident = declare(client, commander)
    tab = client.get(incident + "/breaches").text
    assert 'aria-current="page">Breaches' in tab and "No breach record" in tab
    opened = client.post(incident + "/breaches", data={"csrf_token": commander},
                         follow_redirects=False)
    assert opened.status_code == 303
    record = client.get(opened.headers["location"]).text
    assert "Chat down" in record and incident.split("/")[-1] in record
    assert opened.headers["location"].split("/")[-1] in client.get(incident + "/breaches").text


def test_bad_input_rerenders_the_form_and_saves_nothing(client, commander):
    answer = client.post("/breaches", data={"csrf_token": commander, "title": "  "})
    assert answer.status_code == 422
    assert 'id="title-error"' in answer.text and "needs a title" in answer.text
    assert "No breach records" in client.get("/breaches").text


def test_a_viewer_reads_but_is_refused_on_every_form(client, commander, database, clock):
    page = open_alone(client, commander)
    incident = declare(client, commander)
    sign_in(client, database, clock, "viewer")
    answer = client.get("/breaches")
    assert answer.status_code == 403  # records hold personal data: breach:read
    assert client.get(page).status_code == 403
    token = csrf_of(client.get("/incidents").text)
    for path, data in [("/breaches", {"title": "x"}),
                       (page + "/transition", {"to": "closed"}),
                       (page + "/submissions", {"regime": "gdpr"}),
                       (incident + "/breaches", {})]:
        answer = client.post(path, data={"csrf_token": token, **data})
        assert answer.status_code == 403, (path, answer.text)
        assert "permission" in answer.text
    sign_in(client, database, clock, "commander")
    assert "BR-" in client.get("/breaches").text and client.get("/breaches").text.count(
        "/breaches/BR-") == 1
