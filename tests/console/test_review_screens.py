"""The review tab and the action items page in-process (SQLite), driven by the
clock: an incident walked to lessons_learned, its review edited (sanitised),
submitted, approved or refused with the domain's sentence, waived; action
items made, finished with a note, found overdue; a viewer reads but is
refused on every form; bad input re-rendered with nothing saved."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.console.support import csrf_of, sign_in, walk_to_lessons_learned
from tests.console.test_screens import declare
from warroom.console import reviews as reviews_console
from warroom.incidents import service as incidents

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def commander(client, people, database, clock):
    sign_in(client, database, clock, "commander")
    return csrf_of(client.get("/incidents").text)


@pytest.fixture
def walk(work, clock):
    """``walk(page)``: acknowledge the incident, then move it to lessons_learned."""

    def run(page: str) -> str:
        walk_to_lessons_learned(work, clock, page.rsplit("/", 1)[-1])
        return page + "/review"

    return run


def command(work, page: str, username: str) -> None:
    """Make ``username`` the incident commander of the incident at ``page``."""
    with work() as uow:
        incident = incidents.get_for_update(uow, ref=page.split("/")[-1])
        incidents.assign_role(uow, incident=incident, role="incident_commander",
                              primary=username, backup=None)


def post(client, path: str, token: str, **data: str):
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def test_before_lessons_learned_the_tab_says_when_the_review_opens(client, commander):
    page = declare(client, commander)
    html = client.get(page + "/review").text
    assert 'aria-current="page">Review' in html
    assert "has no review yet" in html and "opens when the incident reaches lessons learned" in html
    assert "within 72 hours" in html and "Facts from the record" in html


def test_a_review_is_edited_sanitised_submitted_and_approved(client, commander, walk, database,
                                                            clock):
    tab = walk(declare(client, commander))
    html = client.get(tab).text
    assert ">draft<" in html and "Review due" in html and "left)" in html
    assert "Phase recovery -&gt; lessons_learned" in html  # the key timeline
    assert "Time to acknowledge (MTTA)</td><td>10m</td>" in html  # a figure and its milestones
    assert "<td>detected <small>" in html and "<td>acknowledged <small>" in html
    edited = post(client, tab + "/sections/overview", commander,
                  markdown="Chat was **down**.<script>alert(1)</script>")
    assert edited.status_code == 303, edited.text
    html = client.get(tab).text
    assert "<strong>down</strong>" in html and "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the Markdown in its textarea
    early = post(client, tab + "/submit", commander)
    assert early.status_code == 422 and "Root cause: primary cause" in early.text
    assert ">draft<" in client.get(tab).text
    assert post(client, tab + "/sections/root_cause_primary", commander,
                markdown="A bad deploy.").status_code == 303
    assert post(client, tab + "/submit", commander).status_code == 303
    assert ">in review<" in client.get(tab).text
    assert post(client, tab + "/signoff", commander, note="read it").status_code == 303
    assert 'commander ("read it")' in client.get(tab).text

    sign_in(client, database, clock, "responder")
    token = csrf_of(client.get(tab).text)
    refused = post(client, tab + "/approve", token)
    assert refused.status_code == 403
    assert "Only the incident commander of" in refused.text and 'id="decide-error"' in refused.text
    assert ">in review<" in client.get(tab).text

    sign_in(client, database, clock, "commander")
    token = csrf_of(client.get(tab).text)
    assert post(client, tab + "/approve", token).status_code == 303
    html = client.get(tab).text
    assert ">approved by commander" in html and "/sections/overview" not in html
    download = client.get(tab + "/export?format=markdown")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "Chat was **down**." in download.text
    page = client.get(tab + "/export?format=html")
    assert "<strong>down</strong>" in page.text and "<script>alert" not in page.text
    assert client.get(tab + "/export?format=exe").status_code == 422


def test_the_incident_commander_approves_as_a_responder_would_through_the_api(
        client, commander, walk, work, database, clock):
    page = declare(client, commander)
    command(work, page, "responder")
    tab = walk(page)
    for name, text in (("overview", "Down."), ("root_cause_primary", "Deploy.")):
        post(client, f"{tab}/sections/{name}", commander, markdown=text)
    post(client, tab + "/submit", commander)
    sign_in(client, database, clock, "responder")
    token = csrf_of(client.get(tab).text)
    assert post(client, tab + "/approve", token).status_code == 303
    assert ">approved by responder" in client.get(tab).text


def test_a_review_is_waived_with_a_reason_where_policy_allows(client, commander, walk):
    tab = walk(declare(client, commander, severity="sev3"))
    empty = post(client, tab + "/waive", commander, reason="  ")
    assert empty.status_code == 422 and 'id="waive-error"' in empty.text
    assert "Say why the review is waived" in empty.text
    assert post(client, tab + "/waive", commander, reason="Tiny blip").status_code == 303
    html = client.get(tab).text
    assert ">waived by commander" in html and "Tiny blip" in html
    if reviews_console.pdf_available():
        pdf = client.get(tab + "/export?format=pdf")
        assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
        assert pdf.headers["content-disposition"].endswith('-review.pdf"')
        assert "format=pdf" in html
    strict = walk(declare(client, commander, title="Payments down"))
    assert "/waive" not in client.get(strict).text  # sev2 cannot be waived
    refused = post(client, strict + "/waive", commander, reason="no")
    assert refused.status_code == 409 and "cannot be waived" in refused.text


def test_the_pdf_link_shows_only_where_weasyprint_imports(client, commander, walk,
                                                          monkeypatch):
    tab = walk(declare(client, commander))
    monkeypatch.setattr(reviews_console, "pdf_available", lambda: False)
    html = client.get(tab).text
    assert "format=markdown" in html and "format=html" in html
    assert "format=pdf" not in html and "PDF needs WeasyPrint" in html


def test_the_meeting_invites_role_holders_and_keeps_notes(client, commander, walk, work):
    page = declare(client, commander)
    command(work, page, "commander")
    tab = walk(page)
    assert "role holders (commander)" in client.get(tab).text
    bad = post(client, tab + "/meeting", commander, starts_at="next week", minutes="60")
    assert bad.status_code == 422 and "is not a date and time" in bad.text
    assert "Not scheduled." in bad.text
    moved = post(client, tab + "/meeting", commander, starts_at="2030-01-02T10:00",
                 minutes="45", location="Room 1", participants="responder")
    assert moved.status_code == 303, moved.text
    html = client.get(tab).text
    assert "2030-01-02 10:00:00 UTC, 45 minutes, Room 1; with commander, responder" in html
    assert post(client, tab + "/meeting/notes", commander,
                notes="We agreed on canaries.").status_code == 303
    assert "We agreed on canaries." in client.get(tab).text


def test_action_items_are_made_finished_with_a_note_and_found_overdue(client, commander, walk,
                                                                      database, clock):
    tab = walk(declare(client, commander))
    ref = tab.split("/")[2]
    tomorrow = (clock.now() + timedelta(days=1)).date().isoformat()
    made = post(client, tab + "/items", commander, title="Add a canary", owner="commander",
                priority="high", due=tomorrow, tracker_url="https://tracker.example.com/OPS-1",
                playbook="service_outage.yaml")
    assert made.status_code == 303, made.text
    html = client.get(tab).text
    assert "AI-1" in html and "Add a canary" in html
    assert '<a href="https://tracker.example.com/OPS-1"' in html
    made = post(client, "/actions", commander, incident=ref, title="Write a runbook")
    assert made.status_code == 303, made.text
    mine = client.get("/actions").text
    assert 'aria-current="page">Action items' in mine
    assert "Add a canary" in mine and "Write a runbook" not in mine  # nobody owns it
    assert "Write a runbook" in client.get("/actions?tab=open").text
    assert "service_outage.yaml" in mine and "review" in mine

    refused = post(client, "/actions/AI-1/status", commander, status="done", note=" ", tab="mine")
    assert refused.status_code == 422 and 'id="status-AI-1-error"' in refused.text
    assert "Say what was done" in refused.text
    wont = post(client, "/actions/AI-2/status", commander, status="wont_do", tab="open")
    assert wont.status_code == 422 and "Say why the action item will not be done" in wont.text
    assert "Add a canary" not in client.get("/actions?tab=overdue").text
    clock.advance(timedelta(days=3))
    sign_in(client, database, clock, "commander")  # the idle session has ended
    overdue = client.get("/actions?tab=overdue").text
    commander = csrf_of(overdue)
    assert "Add a canary" in overdue and "overdue by" in overdue
    done = post(client, "/actions/AI-1/status", commander, status="done",
                note="Canary added to the deploy", tab="overdue")
    assert done.status_code == 303 and done.headers["location"] == "/actions?tab=overdue"
    assert "Add a canary" not in client.get("/actions?tab=overdue").text
    assert "Canary added to the deploy" in client.get(tab).text


def test_my_teams_items_are_those_of_my_teams_and_their_members(client, commander, walk, work):
    from warroom.oncall.teams import service as teams
    with work() as uow:
        team = teams.create(uow, name="platform")
        teams.add_member(uow, team=team, username="commander")
        teams.add_member(uow, team=team, username="responder")
    tab = walk(declare(client, commander))
    post(client, tab + "/items", commander, title="Owned by a teammate", owner="responder")
    post(client, tab + "/items", commander, title="Owned by the team", team="platform")
    post(client, tab + "/items", commander, title="Owned by the viewer", owner="viewer")
    html = client.get("/actions?tab=team").text
    assert "Owned by a teammate" in html and "Owned by the team" in html
    assert "Owned by the viewer" not in html and "platform" in html


def test_bad_input_is_rerendered_and_nothing_saved(client, commander, walk):
    tab = walk(declare(client, commander))
    bad = post(client, tab + "/items", commander, title="Fix it", tracker_url="javascript:x()")
    assert bad.status_code == 422 and 'id="item-error"' in bad.text
    assert "is not an http(s) URL" in bad.text and 'value="Fix it"' in bad.text
    bad = post(client, tab + "/items", commander, title="Fix it", due="tomorrow")
    assert bad.status_code == 422 and "is not a date" in bad.text
    bad = post(client, "/actions", commander, incident="INC-999", title="x")
    assert bad.status_code == 404 and 'id="create-error"' in bad.text
    bad = post(client, "/actions", commander, incident="", title="x")
    assert bad.status_code == 422 and "Name the incident" in bad.text
    assert "No action items yet." in client.get(tab).text
    unknown = post(client, tab + "/sections/nonsense", commander, markdown="x")
    assert unknown.status_code == 422 and "section" in unknown.text
    assert post(client, "/actions/AI-77/status", commander, status="done",
                note="x").status_code == 404


def test_a_viewer_reads_but_sees_no_forms_and_is_refused_on_every_post(client, commander, walk,
                                                                       database, clock):
    tab = walk(declare(client, commander))
    post(client, tab + "/items", commander, title="Add a canary")
    sign_in(client, database, clock, "viewer")
    html = client.get(tab).text
    assert ">draft<" in html and "Add a canary" in html
    assert 'method="post" action="/incidents' not in html
    actions = client.get("/actions?tab=open").text
    assert "Add a canary" in actions and 'method="post" action="/actions' not in actions
    token = csrf_of(html)
    for path, data in [(tab + "/open", {}), (tab + "/sections/overview", {"markdown": "x"}),
                       (tab + "/submit", {}), (tab + "/signoff", {}), (tab + "/reopen", {}),
                       (tab + "/approve", {}), (tab + "/waive", {"reason": "x"}),
                       (tab + "/meeting", {"starts_at": "2030-01-01T10:00"}),
                       (tab + "/meeting/notes", {"notes": "x"}),
                       (tab + "/items", {"title": "x"}),
                       ("/actions", {"incident": tab.split("/")[2], "title": "x"}),
                       ("/actions/AI-1/status", {"status": "done", "note": "x"})]:
        answer = post(client, path, token, **data)
        assert answer.status_code == 403, (path, answer.text)
        assert "permission" in answer.text
    sign_in(client, database, clock, "commander")
    html = client.get(tab).text
    assert 'id="item-AI-1"' in html and 'id="item-AI-2"' not in html
    assert ">draft<" in html and "/meeting/notes" not in html
