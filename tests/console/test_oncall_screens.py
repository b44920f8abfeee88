"""The on-call screens in-process (SQLite) on the test clock: who is on call
for each schedule and team and when it hands off, a person's coming shifts,
overrides added and removed from the form, the escalation matrix, bad input
named by the field, and a viewer who reads but is refused on every form."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.console.support import csrf_of, sign_in
from warroom.auth import service as users
from warroom.oncall.schedules import service as schedules
from warroom.oncall.teams import service as teams

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # the clock starts at 12:00 that day


@pytest.fixture
def rota(people, work):
    """Schedule ``primary`` (UTC): ana, then ben, then cai, a day each from
    09:00 on the clock's first day; team ``sre`` is ana and dee."""
    with work() as uow:
        for name in ("ana", "ben", "cai", "dee"):
            users.create(uow, username=name, role="responder")
        primary = schedules.create(uow, name="primary", time_zone="UTC")
        schedules.add_layer(uow, schedule=primary, spec=schedules.LayerSpec(
            name="days", rotation="daily", participants=["ana", "ben", "cai"],
            starts_at=START))
        sre = teams.create(uow, name="sre", description="Site reliability")
        for name in ("ana", "dee"):
            teams.add_member(uow, team=sre, username=name)


@pytest.fixture
def commander(client, rota, database, clock):
    sign_in(client, database, clock, "commander")
    return csrf_of(client.get("/on-call").text)


def cell(html: str, row_id: str) -> str:
    """The 'on call now' cell of a schedule's row."""
    row = html.split(f'id="{row_id}"', 1)[1].split("</tr>", 1)[0]
    return row.split('class="on-call-now">', 1)[1].split("</td>", 1)[0]


def move(client, database, clock, moment: datetime, username: str = "commander") -> None:
    """Move the clock; a day later the session has ended, so sign in again."""
    clock.set(moment)
    sign_in(client, database, clock, username)


def override(client, token: str, **fields: str):
    data = {"csrf_token": token, "schedule": "primary", "user": "dee",
            "starts_at": "2026-01-05T13:00", "ends_at": "2026-01-05T15:00",
            "reason": "ana at the dentist", **fields}
    return client.post("/on-call/overrides", data=data, follow_redirects=False)


def test_who_is_on_call_and_the_next_handoff_follow_the_clock(client, commander, database,
                                                              clock):
    html = client.get("/on-call").text
    assert ">ana<" in cell(html, "schedule-primary")
    assert "2026-01-06 09:00:00 UTC (in 21h 00m): ana → ben" in html
    assert "2026-01-07 09:00:00 UTC" in html  # the handoff after that, ben → cai
    team = html.split('id="teams"', 1)[1].split("</table>", 1)[0]
    assert "sre" in team and "(primary)" in team  # ana, on call now, is in sre
    move(client, database, clock, datetime(2026, 1, 6, 8, 59, tzinfo=UTC))
    assert ">ana<" in cell(client.get("/on-call").text, "schedule-primary")
    clock.advance(minutes=1)
    html = client.get("/on-call").text
    assert ">ben<" in cell(html, "schedule-primary") and ">ana<" not in cell(
        html, "schedule-primary")
    assert "(in 1d 0h): ben → cai" in html
    team = html.split('id="teams"', 1)[1].split("</table>", 1)[0]
    assert "(primary)" not in team  # nobody of sre is on call now


def test_a_persons_page_lists_their_coming_shifts(client, commander, clock):
    found = client.get("/on-call/people?username=Ben", follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"] == "/on-call/people/ben"
    html = client.get("/on-call/people/ben").text
    assert 'id="person-on-call">no<' in html
    shifts = html.split('id="shifts"', 1)[1].split("</table>", 1)[0]
    assert "2026-01-06 09:00:00 UTC <small>(in 21h 00m)" in shifts
    assert "2026-01-09 09:00:00 UTC" in shifts  # every third day, for the next two weeks
    assert shifts.count("<tr>") - 1 == len(re.findall(r"primary", shifts))
    assert "Teams</dt><dd>none" in html
    ana = client.get("/on-call/people/ana").text
    assert 'id="person-on-call">primary<' in ana and "sre" in ana
    assert client.get("/on-call/people/ghost").status_code == 404


def test_an_override_from_the_form_puts_someone_on_call_for_a_while(client, commander, database,
                                                                   clock):
    added = override(client, commander)
    assert added.status_code == 303 and added.headers["location"] == "/on-call#overrides"
    html = client.get("/on-call").text
    listed = html.split('id="overrides"', 1)[1].split("</table>", 1)[0]
    assert "dee" in listed and "whoever is on call" in listed and "ana at the dentist" in listed
    assert "2026-01-05 13:00:00 UTC" in listed and "(by commander)" in listed
    assert ">ana<" in cell(html, "schedule-primary")
    move(client, database, clock, datetime(2026, 1, 5, 13, 0, tzinfo=UTC))
    html = client.get("/on-call").text
    assert ">dee<" in cell(html, "schedule-primary")
    assert "ana → dee" not in html and "dee → ana" in html  # the override ends at 15:00
    team = html.split('id="teams"', 1)[1].split("</table>", 1)[0]
    assert "dee</a> <small>(primary)" in team
    assert 'id="person-on-call">primary<' in client.get("/on-call/people/dee").text
    move(client, database, clock, datetime(2026, 1, 5, 15, 0, tzinfo=UTC))
    assert ">ana<" in cell(client.get("/on-call").text, "schedule-primary")


def test_an_override_can_replace_one_person_and_be_removed(client, commander, clock):
    assert override(client, commander, replaces="ana").status_code == 303
    html = client.get("/on-call").text
    action = re.search(r'action="(/on-call/schedules/primary/overrides/\d+/remove)"', html)
    assert action and "<td data-label=\"Instead of\">ana</td>" in html
    removed = client.post(action.group(1), data={"csrf_token": commander},
                          follow_redirects=False)
    assert removed.status_code == 303
    assert "No current or coming overrides." in client.get("/on-call").text
    again = client.post(action.group(1), data={"csrf_token": commander})
    assert again.status_code == 404 and 'id="overrides-error"' in again.text


@pytest.mark.parametrize(("fields", "field", "sentence"), [
    ({"ends_at": "2026-01-05T12:30"}, "ends_at", "must end after it starts"),
    ({"user": "ghost"}, "user", "ghost"),
    ({"replaces": "nobody-here"}, "replaces", "nobody-here"),
    ({"schedule": "secondary"}, "schedule", "no schedule named &#39;secondary&#39;"),
    ({"starts_at": "next tuesday"}, "starts_at", "is not a date and time"),
    ({"starts_at": ""}, "starts_at", "Give the start time"),
    ({"user": ""}, "user", "Say who will be on call"),
])
def test_bad_override_input_is_named_by_its_field_and_saves_nothing(client, commander, fields,
                                                                    field, sentence):
    answer = override(client, commander, **fields)
    assert 400 <= answer.status_code < 500, answer.text
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', answer.text)
    assert error and sentence in error.group(1), answer.text
    assert 'aria-invalid="true"' in answer.text
    assert 'value="ana at the dentist"' in answer.text  # what was typed is kept
    assert "No current or coming overrides." in client.get("/on-call").text


def test_the_escalation_policies_are_shown_as_the_seeds_matrix(client, commander):
    html = client.get("/on-call").text
    matrix = html.split('id="matrix"', 1)[1].split("</table>", 1)[0]
    head = re.findall(r'<th scope="col">([^<]*)</th>', matrix)
    assert head == ["Policy", "Initial response", "15 min", "30 min", "1 hour", "2 hours",
                    "Repeats", "Notices"]
    rows = {re.search(r'<th scope="row">(\w+)', row).group(1): re.findall(
        r'<td data-label="[^"]*">(?:<strong>([^<]*)</strong>|-)', row)[:5]  # five columns
        for row in matrix.split("<tbody>", 1)[1].split("</tr>")[:-1]}
    assert rows["sev1"] == ["On-call Engineer", "Team Lead", "Engineering Manager",
                            "VP Engineering", "CTO"]
    assert rows["sev2"] == ["On-call Engineer", "Team Lead", "Engineering Manager", "",
                            "VP Engineering"]
    assert rows["sev3"] == ["On-call Engineer", "Team Lead", "", "Engineering Manager", ""]
    assert rows["sev4"] == ["On-call Engineer", "", "Team Lead", "", ""]
    assert "position: on call engineer; waits 15m" in matrix
    assert "position: vp engineering, position: cto at once" in matrix


def test_a_viewer_reads_but_sees_no_forms_and_is_refused_on_every_post(client, commander,
                                                                       database, clock):
    assert override(client, commander).status_code == 303
    action = re.search(r'action="(/on-call/schedules/primary/overrides/\d+/remove)"',
                       client.get("/on-call").text).group(1)
    sign_in(client, database, clock, "viewer")
    html = client.get("/on-call").text
    assert ">ana<" in cell(html, "schedule-primary") and "dee" in html
    assert 'method="post"' not in html.split("</header>", 1)[1]
    assert 'href="/on-call" aria-current="page">On call' in html
    token = csrf_of(html)
    for path in ("/on-call/overrides", action):
        answer = client.post(path, data={"csrf_token": token, "schedule": "primary",
                                         "user": "ben", "starts_at": "2026-01-05T13:00",
                                         "ends_at": "2026-01-05T14:00"})
        assert answer.status_code == 403, (path, answer.text)
        assert "permission" in answer.text
    with database.read() as session:
        primary = schedules.get_by_name_or_raise(session, name="primary")
        kept = schedules.overrides(session, schedule=primary, start=clock.now(),
                                   end=clock.now() + timedelta(days=1))
        assert [o.reason for o in kept] == ["ana at the dentist"]


def test_handoffs_include_the_gaps_when_nobody_is_on_call(client, commander, work):
    with work() as uow:
        daytime = schedules.create(uow, name="daytime", time_zone="UTC")
        schedules.add_layer(uow, schedule=daytime, spec=schedules.LayerSpec(
            name="office hours", rotation="daily", participants=["ben", "cai"],
            starts_at=START, active_from="09:00", active_until="17:00"))
    html = client.get("/on-call").text
    row = html.split('id="schedule-daytime"', 1)[1].split("</tr>", 1)[0]
    assert ">ben<" in cell(html, "schedule-daytime")
    assert re.findall(r"<li>([^<]*)</li>", row) == [
        "2026-01-05 17:00:00 UTC (in 5h 00m): ben → nobody",
        "2026-01-06 09:00:00 UTC (in 21h 00m): nobody → cai",
        "2026-01-06 17:00:00 UTC (in 1d 5h): cai → nobody"]
