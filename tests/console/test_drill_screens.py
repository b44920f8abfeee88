"""The drill screens in-process (SQLite), on the test clock: a tabletop drill
started from the form, an inject sent and shown, the drill ended and its
scorecard shown; a viewer reads but sees no form and is refused on each; bad
input re-rendered beside its field with nothing saved."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.console.support import csrf_of, sign_in
from warroom.drills import service

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

START = {"scenario": "database-breach", "facilitator": "commander",
         "participants": "responder, viewer", "time_scale": "10", "mode": "tabletop"}


@pytest.fixture
def commander(client, people, database, clock):
    sign_in(client, database, clock, "commander")
    return csrf_of(client.get("/drills").text)


def start(client, token: str, **changes: str):
    return client.post("/drills", data={"csrf_token": token, **START, **changes},
                       follow_redirects=False)


def drill_count(database) -> int:
    with database.read() as session:
        return len(service.get_all(session))


def test_the_list_shows_the_library_the_start_form_and_the_schedule(client, commander):
    html = client.get("/drills").text
    assert "Scenario library" in html and "database-breach" in html and "sev" in html
    assert 'action="/drills"' in html and 'name="participants"' in html
    assert "Simulation exercises" in html or "Preparedness" in html
    assert "No drill has been run yet." in html and "No drill finished" in html
    assert '<a href="/drills" aria-current="page">Drills</a>' in html
    feed = client.get("/drills/calendar.ics")
    assert feed.status_code == 200 and feed.text.startswith("BEGIN:VCALENDAR")


def test_a_tabletop_drill_from_start_to_scorecard(client, commander, database, clock):
    answer = start(client, commander)
    assert answer.status_code == 303, answer.text
    page = answer.headers["location"]
    assert page == "/drills/DR-1"
    html = client.get(page).text
    assert "Live scorecard" in html and 'id="inject-alert"' in html
    assert 'href="/incidents/INC-1"' in html and 'data-stream="/incidents/INC-1/events' in html
    assert 'id="next-inject"' in html and "Send the next inject: dba" in html
    assert "pending" in html.split('id="inject-dba"')[1].split("</li>")[0]

    clock.advance(timedelta(minutes=1))  # scenario minute 10 at a time scale of 10
    sent = client.post(page + "/injects", data={"csrf_token": commander, "inject": "journalist"},
                       follow_redirects=False)
    assert sent.status_code == 303, sent.text
    row = client.get(page).text.split('id="inject-journalist"')[1].split("</li>")[0]
    assert "sent" in row and "by commander" in row and "pending" not in row
    again = client.post(page + "/injects", data={"csrf_token": commander,
                                                 "inject": "journalist"})
    assert again.status_code == 409 and "already fired" in again.text
    assert 'id="inject-error"' in again.text

    listing = client.get("/drills").text
    assert "DR-1" in listing and "running" in listing and "responder, viewer" in listing

    clock.advance(timedelta(minutes=20))  # scenario minute 210: every target passed
    ended = client.post(page + "/end", data={"csrf_token": commander},
                        follow_redirects=False)
    assert ended.status_code == 303, ended.text
    html = client.get(page).text
    assert "Final scorecard" in html and "missed" in html and "within 10 min" in html
    assert 'id="end-drill"' not in html and 'id="next-inject"' not in html
    assert "To improve" in html
    assert "pending" not in html.split('id="inject-audit-log"')[1].split("</li>")[0]
    assert "review of INC-1" in html
    with database.read() as session:
        drill = service.get_by_ref_or_raise(session, ref="DR-1")
        assert drill.status == "ended" and drill.score is not None
        score = drill.score
    assert f'id="drill-score">{score}%' in html
    history = client.get("/drills").text
    assert "first run" in history and f"{score}%" in history


def test_a_met_objective_shows_when_it_was_met(client, commander, clock):
    page = start(client, commander).headers["location"]
    clock.advance(timedelta(seconds=30))  # scenario minute 5
    client.post(page + "/status", data={"csrf_token": commander, "status": "investigating",
                                        "message": "We are looking into reports."})
    html = client.get(page).text
    row = html.split('id="objective-first-update"')[1].split("</tr>")[0]
    assert "met at 5 min" in row
    assert "We are looking into reports." in html
    empty = client.post(page + "/status", data={"csrf_token": commander, "message": " "})
    assert empty.status_code == 422 and 'id="message-error"' in empty.text


def test_a_viewer_reads_but_has_no_form_and_is_refused(client, commander, people, database,
                                                       clock):
    page = start(client, commander).headers["location"]
    client.cookies.clear()
    sign_in(client, database, clock, "viewer")
    listing = client.get("/drills").text
    assert "DR-1" in listing and 'id="start-button"' not in listing
    html = client.get(page).text
    assert "Live scorecard" in html
    assert 'id="next-inject"' not in html and 'id="end-drill"' not in html
    token = csrf_of(html)
    for path, data in [("/drills", START), (page + "/injects", {"inject": "dba"}),
                       (page + "/status", {"message": "x"}), (page + "/end", {})]:
        refused = client.post(path, data={"csrf_token": token, **data},
                              follow_redirects=False)
        assert refused.status_code == 403, path
    with database.read() as session:
        drill = service.get_by_ref_or_raise(session, ref="DR-1")
        assert drill.status == "running" and len(service.get_all(session)) == 1


def test_bad_input_is_shown_beside_its_field_and_nothing_is_saved(client, commander,
                                                                  database):
    unknown = start(client, commander, scenario="moon-landing")
    assert unknown.status_code == 404
    assert 'id="scenario-error"' in unknown.text and "moon-landing" in unknown.text
    assert 'value="responder, viewer"' in unknown.text  # what was typed is kept
    nobody = start(client, commander, participants="responder, mallory")
    assert nobody.status_code == 422
    error = nobody.text.split('id="participants-error"')[1].split("</p>")[0]
    assert "mallory" in error
    no_facilitator = start(client, commander, facilitator="ghost")
    assert 'id="facilitator-error"' in no_facilitator.text
    scale = start(client, commander, time_scale="fast")
    assert scale.status_code == 400 and 'id="time_scale-error"' in scale.text
    missing = start(client, commander, scenario="", participants="")
    assert 'id="scenario-error"' in missing.text and 'id="participants-error"' in missing.text
    assert drill_count(database) == 0
    assert client.get("/drills/DR-99").status_code == 404
