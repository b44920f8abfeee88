"""The alerts screen in-process (SQLite) on the test clock: alerts with the
incident each opened, groups, held alerts, silences added and ended from the
form, the monitoring switch, bad input named by the field, and the same
permissions as the API (a viewer reads and is refused on every form)."""

from __future__ import annotations

import re

import pytest

from tests.console.support import csrf_of, sign_in
from tests.intake.conftest import Sender, am_alert

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def send(client, people) -> Sender:
    return Sender(client, people)


@pytest.fixture
def commander(client, people, database, clock):
    sign_in(client, database, clock, "commander")
    return csrf_of(client.get("/alerts").text)


def part(html: str, element_id: str) -> str:
    return html.split(f'id="{element_id}"', 1)[1].split("</table>", 1)[0]


def silence(client, token: str, **fields: str):
    data = {"csrf_token": token, "matchers": "alertname=DiskFull\ninstance=~db-[0-9]+",
            "duration_minutes": "90", "comment": "disk swap tonight", **fields}
    return client.post("/alerts/silences", data=data, follow_redirects=False)


def test_alerts_show_with_their_incident_and_group(client, commander, send):
    answer = send.alertmanager(am_alert("DiskFull", instance="db-1", service="billing"),
                               am_alert("DiskFull", "resolved", instance="db-2"))
    assert answer["incidents_opened"] == ["INC-1"]
    html = client.get("/alerts").text
    alerts = part(html, "alerts")
    assert "2 alerts" in alerts and alerts.count("<strong>DiskFull</strong>") == 2
    assert ">billing<" in alerts and ">websocket-service<" in alerts  # service, else job
    assert 'href="/incidents/INC-1">INC-1' in alerts and ">firing" in alerts
    assert ">resolved" in alerts and "2026-01-05 11:58:00 UTC" in alerts
    assert answer["alerts"][0]["dedup_key"][:20] in alerts  # the fingerprint
    assert 'class="sev sev-sev4"' in alerts
    groups = part(html, "groups")
    assert "fallback" in groups and 'href="/incidents/INC-1"' in groups
    firing = part(client.get("/alerts?status=firing").text, "alerts")
    assert "1 alert<" in firing and ">resolved" not in firing
    bad = client.get("/alerts?status=sleeping")
    assert bad.status_code == 422 and 'id="filters-error"' in bad.text
    assert "2 alerts" in bad.text  # the unfiltered list still shows


def test_a_silence_from_the_form_holds_alerts_until_it_is_ended(client, commander, send,
                                                                database, clock):
    made = silence(client, commander)
    assert made.status_code == 303 and made.headers["location"] == "/alerts#silences"
    html = client.get("/alerts").text
    quiet = part(html, "silence-table")
    assert "<code>alertname=DiskFull</code> <code>instance=~db-[0-9]+</code>" in quiet
    assert ">active<" in quiet and "(in 1h 30m)" in quiet and "(by commander)" in quiet
    answer = send.alertmanager(am_alert("DiskFull", instance="db-7"),
                               am_alert("DiskFull", instance="web-1"))
    assert answer["held"] == 1 and answer["incidents_opened"] == ["INC-1"]
    held = part(client.get("/alerts").text, "held")
    assert "silenced by" in held and held.count("<tr>") == 2  # the header and db-7
    action = re.search(r'action="(/alerts/silences/(\d+)/end)"', html)
    assert action
    ended = client.post(action.group(1), data={"csrf_token": commander},
                        follow_redirects=False)
    assert ended.status_code == 303
    html = client.get("/alerts").text
    assert "No alert is on hold." in html
    assert part(html, "alerts").count('href="/incidents/INC-1"') == 2  # placed in its group
    assert "(ended early)" in part(html, "silence-table") and action.group(1) not in html
    again = client.post(action.group(1), data={"csrf_token": commander})
    assert again.status_code == 409 and 'id="silences-error"' in again.text
    assert "already ended" in again.text
    missing = client.post("/alerts/silences/999999/end", data={"csrf_token": commander})
    assert missing.status_code == 404 and "no silence 999999" in missing.text


@pytest.mark.parametrize(("fields", "field", "sentence"), [
    ({"matchers": "  "}, "matchers", "Give at least one matcher"),
    ({"matchers": "alertname DiskFull"}, "matchers", "is not a matcher"),
    ({"matchers": "instance=~db-[0-9"}, "matchers", "not a valid regular expression"),
    ({"comment": " "}, "comment", "Say why alerts are being silenced"),
    ({"duration_minutes": "soon"}, "duration_minutes", "how many minutes"),
    ({"duration_minutes": "0"}, "duration_minutes", "more than 0"),
    ({"matchers": "alertname=~.*"}, "matchers", "would match every alert"),
])
def test_bad_silence_input_is_named_by_its_field_and_saves_nothing(client, people, database,
                                                                   clock, fields, field,
                                                                   sentence):
    sign_in(client, database, clock, "responder")  # a responder: the reach rules apply
    token = csrf_of(client.get("/alerts").text)
    answer = silence(client, token, **fields)
    assert 400 <= answer.status_code < 500, answer.text
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', answer.text)
    assert error and sentence in error.group(1), answer.text
    assert 'aria-invalid="true"' in answer.text
    if field != "comment":
        assert 'value="disk swap tonight"' in answer.text  # what was typed is kept
    assert "No silences." in client.get("/alerts").text


def test_a_responder_may_not_add_a_silence_longer_than_the_limit(client, people, database,
                                                                 clock):
    sign_in(client, database, clock, "responder")
    token = csrf_of(client.get("/alerts").text)
    answer = silence(client, token, duration_minutes=str(60 * 24 * 30))
    assert answer.status_code == 403 and "Only a commander may add this silence" in answer.text
    sign_in(client, database, clock, "commander")
    token = csrf_of(client.get("/alerts").text)
    assert silence(client, token, duration_minutes=str(60 * 24 * 30)).status_code == 303


def test_pausing_monitoring_holds_alerts_and_resuming_places_them(client, people, database,
                                                                  clock, send):
    sign_in(client, database, clock, "admin")
    html = client.get("/alerts").text
    assert "<strong>On</strong>" in html and "Pause monitoring" in html
    token = csrf_of(html)
    refused = client.post("/alerts/monitoring", data={"csrf_token": token, "enabled": "false"})
    assert refused.status_code == 400 and 'id="reason-error"' in refused.text
    assert "<strong>On</strong>" in client.get("/alerts").text
    paused = client.post("/alerts/monitoring", follow_redirects=False, data={
        "csrf_token": token, "enabled": "false", "reason": "datacenter move"})
    assert paused.status_code == 303 and paused.headers["location"] == "/alerts#monitoring"
    html = client.get("/alerts").text
    assert "Paused</strong>" in html and "by admin" in html and "Resume monitoring" in html
    assert send.alertmanager(am_alert("DiskFull", instance="db-1"))["incidents_opened"] == []
    held = part(client.get("/alerts").text, "held")
    assert "monitoring paused" in held
    nonsense = client.post("/alerts/monitoring", data={"csrf_token": token, "enabled": "maybe"})
    assert nonsense.status_code == 400 and 'id="monitoring-error"' in nonsense.text
    resumed = client.post("/alerts/monitoring", follow_redirects=False,
                          data={"csrf_token": token, "enabled": "true"})
    assert resumed.status_code == 303
    html = client.get("/alerts").text
    assert "<strong>On</strong>" in html and "No alert is on hold." in html
    assert 'href="/incidents/INC-1"' in part(html, "alerts")


def test_a_viewer_reads_but_sees_no_forms_and_is_refused_on_every_post(client, commander,
                                                                       send, database,
                                                                       clock):
    assert silence(client, commander).status_code == 303
    send.alertmanager(am_alert("DiskFull", instance="db-1"))
    end = re.search(r'action="(/alerts/silences/\d+/end)"', client.get("/alerts").text)
    assert end
    sign_in(client, database, clock, "viewer")
    html = client.get("/alerts").text
    assert "<strong>DiskFull</strong>" in html and "alertname=DiskFull" in html
    assert 'method="post"' not in html.split("</header>", 1)[1]
    assert 'href="/alerts" aria-current="page">Alerts' in html
    token = csrf_of(html)
    for path, data in [("/alerts/silences", {"matchers": "alertname=X", "comment": "x",
                                             "duration_minutes": "5"}),
                       (end.group(1), {}),
                       ("/alerts/monitoring", {"enabled": "false", "reason": "x"})]:
        answer = client.post(path, data={"csrf_token": token, **data})
        assert answer.status_code == 403, (path, answer.text)
        assert "permission" in answer.text
    sign_in(client, database, clock, "responder")  # silences yes, the switch no
    html = client.get("/alerts").text
    assert 'id="silence-form"' in html and 'id="monitoring-form"' not in html
    answer = client.post("/alerts/monitoring", data={"csrf_token": csrf_of(html),
                                                     "enabled": "false", "reason": "x"})
    assert answer.status_code == 403 and "monitoring:admin" in answer.text
    html = client.get("/alerts").text
    assert "<strong>On</strong>" in html and ">active<" in part(html, "silence-table")
