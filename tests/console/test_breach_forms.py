"""The assess form of a breach record in-process (SQLite): pre-filled from the
record, each fact saved on its own without a move, bad input re-rendered with
the error beside its field and the typed text kept, nothing saved on refusal,
and a viewer refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.console.support import csrf_of, sign_in
from tests.console.test_breach_screens import open_alone
from tests.console.test_screens import declare
from warroom.audit import service as audit
from warroom.compliance import service
from warroom.drills import service as drills
from warroom.incidents import service as incidents
from warroom.statuspage.models import PublicIncident

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def commander(client, people, database, clock):
    sign_in(client, database, clock, "commander")
    return csrf_of(client.get("/breaches").text)


def record(database, page: str):
    with database.read() as session:
        breach = service.get_by_ref_or_raise(session, ref=page.rsplit("/", 1)[-1])
        session.expunge(breach)
        return breach


def form_of(html: str) -> dict[str, object]:
    """The assess form's fields as the browser would post them unchanged."""
    section = html[html.index('id="assess-h"'):]
    section = section[:section.index("</form>")]
    fields: dict[str, object] = {"nature": []}
    for name, value in re.findall(r'<input id="fact-\w+" name="(\w+)" value="([^"]*)"', section):
        fields[name] = value
    for name, value in re.findall(r'<textarea id="fact-\w+" name="(\w+)"[^>]*>([^<]*)</textarea>',
                                  section):
        fields[name] = value
    for name, body in re.findall(r'<select id="fact-\w+" name="(\w+)"[^>]*>(.*?)</select>',
                                 section, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        fields[name] = chosen.group(1) if chosen else ""
    for name, value in re.findall(r'name="(nature|cross_border)" value="(\w+)" checked', section):
        if name == "nature":
            fields["nature"].append(value)  # type: ignore[union-attr]
        else:
            fields[name] = value
    return fields


def test_the_form_is_prefilled_and_saves_every_fact_without_a_move(client, commander,
                                                                  database, clock):
    page = open_alone(client, commander)
    html = client.get(page).text
    assert 'id="assess-h"' in html and '<option value="controller" selected>' in html
    told = (clock.now() - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    answer = client.post(page + "/assess", follow_redirects=False, data={
        "csrf_token": commander, "role": "processor", "other_party": "Acme Ltd (controller)",
        "other_party_notified_at": told, "nature": ["confidentiality", "availability"],
        "subject_categories": "customers\nemployees", "subjects_min": "100",
        "subjects_max": "250", "data_categories": "email addresses",
        "special_categories": "health data", "records_min": "300", "records_max": "900",
        "likely_consequences": "phishing", "measures_taken": "passwords reset",
        "measures_proposed": "encrypt laptops", "risk": "unlikely",
        "risk_rationale": "the disk was encrypted", "lead_authority": "DPC",
        "competent_authority": "CNIL", "cross_border": "yes", "art34_exception": "a",
        "art34_rationale": "encrypted", "reasons_for_delay": "found late"})
    assert answer.status_code == 303, answer.text
    breach = record(database, page)
    assert breach.state == "suspected"  # facts alone never move the record
    assert breach.role == "processor" and breach.other_party == "Acme Ltd (controller)"
    assert breach.other_party_notified_at.replace(tzinfo=UTC) == \
        datetime.strptime(told, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    assert breach.nature == ["availability", "confidentiality"]
    assert breach.subject_categories == ["customers", "employees"]
    assert (breach.subjects_min, breach.subjects_max) == (100, 250)
    assert (breach.records_min, breach.records_max) == (300, 900)
    assert breach.special_categories == ["health data"]
    assert breach.data_categories == ["email addresses"]
    assert breach.risk == "unlikely" and breach.risk_rationale == "the disk was encrypted"
    assert breach.cross_border is True and breach.art34_exception == "a"
    assert breach.reasons_for_delay == "found late" and breach.lead_authority == "DPC"
    shown = client.get(page).text
    assert '<option value="processor" selected>' in shown
    assert 'name="nature" value="availability" checked' in shown
    assert "customers\nemployees</textarea>" in shown


def test_an_unchanged_post_changes_nothing_and_a_confirmed_record_is_assessed(
        client, commander, database):
    page = open_alone(client, commander)
    client.post(page + "/transition", data={"csrf_token": commander, "to": "confirmed",
                                            "awareness_basis": "logs show export"})
    aware = record(database, page).aware_at
    fields = form_of(client.get(page).text)
    assert fields["aware_at"] and fields["awareness_basis"] == "logs show export"
    same = client.post(page + "/assess", data={"csrf_token": commander, **fields},
                       follow_redirects=False)
    assert same.status_code == 303
    with database.read() as session:
        assert not audit.get_all(session, target=f"breach:{page.rsplit('/', 1)[-1]}",
                                 action="breach.updated")
    assert record(database, page).aware_at == aware  # shown to the second, not moved
    fields["risk"] = "high"
    client.post(page + "/assess", data={"csrf_token": commander, **fields})
    breach = record(database, page)
    assert breach.risk == "high" and breach.state == "assessed"


@pytest.mark.parametrize(("field", "typed", "said"), [
    ("subjects_min", "lots", "whole number"),
    ("aware_at", "yesterday", "YYYY-MM-DD HH:MM"),
    ("aware_at", "2026-02-30 10:00", "does not exist"),
    ("other_party", "two\u202elines", "bidirectional"),
])
def test_bad_input_is_shown_by_its_field_keeps_the_typing_and_saves_nothing(
        client, commander, database, field, typed, said):
    page = open_alone(client, commander)
    answer = client.post(page + "/assess", data={
        "csrf_token": commander, "role": "processor", "measures_taken": "reset passwords",
        field: typed})
    assert answer.status_code == 422, answer.text
    error = re.search(rf'<p class="field-error" id="fact-{field}-error">([^<]*)</p>',
                      answer.text)
    assert error and said in error.group(1), answer.text[:3000]
    assert re.search(rf'aria-describedby="[^"]*fact-{field}-error"', answer.text)
    assert 'aria-invalid="true"' in answer.text
    assert ">reset passwords</textarea>" in answer.text  # the other typing is kept
    assert '<option value="processor" selected>' in answer.text
    breach = record(database, page)
    assert breach.role == "controller" and breach.measures_taken is None


def test_the_registers_refusals_are_placed_by_their_field(client, commander, database, clock):
    page = open_alone(client, commander)
    reversed_range = client.post(page + "/assess", data={
        "csrf_token": commander, "subjects_min": "500", "subjects_max": "10",
        "likely_consequences": "spam"})
    assert reversed_range.status_code == 422
    assert 'id="fact-subjects_min-error"' in reversed_range.text
    assert "lower bound first" in reversed_range.text and 'value="500"' in reversed_range.text
    future = (clock.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    ahead = client.post(page + "/assess", data={"csrf_token": commander, "aware_at": future})
    assert ahead.status_code == 422 and 'id="fact-aware_at-error"' in ahead.text
    assert "in the future" in ahead.text
    breach = record(database, page)
    assert breach.subjects_min is None and breach.likely_consequences is None
    assert breach.aware_at is None


def test_not_notifying_without_a_rationale_is_refused_beside_the_rationale(client, commander):
    page = open_alone(client, commander)
    html = client.get(page).text
    assert "needs the rationale for the risk assessment" in html  # said before anyone tries
    client.post(page + "/transition", data={"csrf_token": commander, "to": "confirmed",
                                            "awareness_basis": "b"})
    client.post(page + "/assess", data={"csrf_token": commander, **form_of(
        client.get(page).text), "risk": "unlikely"})
    refused = client.post(page + "/transition", data={"csrf_token": commander,
                                                      "to": "not_notifiable"})
    assert refused.status_code == 422
    assert re.search(r'id="risk_rationale-error">Not notifying BR-\d+-\d+ needs the rationale',
                     refused.text)
    assert 'aria-describedby="risk_rationale-error"' in refused.text
    assert ">assessed<" in client.get(page).text


def test_a_viewer_is_refused_the_assess_form(client, commander, database, clock):
    page = open_alone(client, commander)
    sign_in(client, database, clock, "viewer")
    token = csrf_of(client.get("/incidents").text)
    answer = client.post(page + "/assess", data={"csrf_token": token, "role": "processor"})
    assert answer.status_code == 403 and "permission" in answer.text
    assert record(database, page).role == "controller"


def test_a_closed_record_shows_no_form(client, commander):
    page = open_alone(client, commander)
    client.post(page + "/transition", data={"csrf_token": commander, "to": "closed"})
    assert 'id="assess-h"' not in client.get(page).text
    refused = client.post(page + "/assess", data={"csrf_token": commander,
                                                  "role": "processor"})
    assert refused.status_code == 409 and "is closed" in refused.text


# ---- posting the public communication -----------------------------------------


def public_notices(database) -> list[str]:
    with database.read() as session:
        return [row.code for row in session.scalars(select(PublicIncident))]


def test_the_public_draft_is_posted_to_the_status_page_and_the_notice_shown(
        client, commander, database):
    page = open_alone(client, commander)
    html = client.get(page).text
    assert 'id="public-post"' in html and "Post to the status page" in html
    unconfirmed = client.post(page + "/public-communication", data={"csrf_token": commander})
    assert unconfirmed.status_code == 422 and "confirmation" in unconfirmed.text
    assert 'id="public-error"' in unconfirmed.text
    draft = re.search(r'name="text" rows="8"[^>]*>([^<]*)</textarea>', html).group(1)
    incomplete = client.post(page + "/public-communication", data={
        "csrf_token": commander, "confirm": "yes", "text": draft})  # posted unchanged
    assert incomplete.status_code == 422 and "still lacks" in incomplete.text
    assert public_notices(database) == []  # the draft with [MISSING] never goes out
    client.post(page + "/assess", data={
        "csrf_token": commander, "nature": ["confidentiality"],
        "likely_consequences": "phishing emails", "measures_taken": "passwords reset"})
    posted = client.post(page + "/public-communication", follow_redirects=False, data={
        "csrf_token": commander, "confirm": "yes"})
    assert posted.status_code == 303, posted.text
    (code,) = public_notices(database)
    shown = client.get(page).text
    assert f'href="/status/incidents/{code}"' in shown and 'id="public-posted"' in shown
    edited = client.post(page + "/public-communication", follow_redirects=False, data={
        "csrf_token": commander, "confirm": "yes", "text": "We lost a laptop; call us."})
    assert edited.status_code == 303
    assert client.get(page).text.count("Posted to the status page: notice") == 2


def test_a_drill_breach_goes_to_the_drills_sandbox_page_never_the_public_one(
        client, commander, database, clock, work):
    with work() as uow:
        drill = drills.start(uow, scenario_id="compliance-violation", facilitator="commander",
                             participants=["responder"], time_scale=10.0)
        drill_ref, incident_id = drill.ref, drill.incident_id
    assert incident_id is not None
    with work() as uow:
        incident = incidents.get_for_update(uow, ref=f"INC-{incident_id}")
        existing = service.for_incident(uow.session, incident_id=incident_id)
        breach = existing[0] if existing else service.open_breach(uow, incident=incident)
        assert breach.is_drill
        ref = breach.ref
    page = f"/breaches/{ref}"
    assert "to the drill's sandbox status page" in client.get(page).text
    posted = client.post(page + "/public-communication", follow_redirects=False, data={
        "csrf_token": commander, "confirm": "yes", "text": "Drill: customer emails exposed."})
    assert posted.status_code == 303, posted.text
    assert public_notices(database) == []
    with database.read() as session:
        sandbox = drills.get_by_ref_or_raise(session, ref=drill_ref).sandbox
    assert len(sandbox) == 1 and "Drill: customer emails exposed." in sandbox[0]["message"]
    assert f"sandbox status page of drill {drill_ref}" in client.get(page).text


def test_a_drill_breach_without_a_running_drill_is_refused(client, commander):
    incident = declare(client, commander, drill="yes")
    opened = client.post(incident + "/breaches", data={"csrf_token": commander},
                         follow_redirects=False)
    page = opened.headers["location"]
    refused = client.post(page + "/public-communication", data={
        "csrf_token": commander, "confirm": "yes", "text": "hello"})
    assert refused.status_code == 409 and "no running drill" in refused.text


def test_posting_needs_breach_submit(client, commander, database, clock):
    page = open_alone(client, commander)
    sign_in(client, database, clock, "viewer")
    token = csrf_of(client.get("/incidents").text)
    answer = client.post(page + "/public-communication", data={
        "csrf_token": token, "confirm": "yes", "text": "hello"})
    assert answer.status_code == 403 and "permission" in answer.text
    assert public_notices(database) == []


# ---- drafts as PDF -------------------------------------------------------------


def pango_missing() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return True
    return False


@pytest.mark.skipif(pango_missing(), reason="WeasyPrint or the Pango libraries are missing")
@pytest.mark.parametrize("kind", ["sa", "subjects", "public"])
def test_each_draft_downloads_as_a_pdf(client, commander, kind):
    page = open_alone(client, commander)
    assert f'href="{page}/draft.pdf?kind={kind}"' in client.get(page).text
    answer = client.get(f"{page}/draft.pdf?kind={kind}")
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert f'{page.rsplit("/", 1)[-1]}-{kind}.pdf' in answer.headers["content-disposition"]


def test_without_pango_the_pdf_answer_says_what_to_install(client, commander, monkeypatch):
    from warroom.errors import Unavailable
    from warroom.reviews import export

    def missing(page: str) -> bytes:
        raise Unavailable("PDF export needs the Pango libraries (Debian: libpango-1.0-0).")

    monkeypatch.setattr(export, "pdf", missing)
    page = open_alone(client, commander)
    answer = client.get(f"{page}/draft.pdf?kind=sa")
    assert answer.status_code == 503 and 'id="pdf-error"' in answer.text
    assert "Pango" in answer.text


def test_a_viewer_gets_no_pdf(client, commander, database, clock):
    page = open_alone(client, commander)
    sign_in(client, database, clock, "viewer")
    assert client.get(f"{page}/draft.pdf?kind=sa").status_code == 403
