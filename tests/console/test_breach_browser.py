"""The breach screens in a real browser (SQLite): the register, a record and
the incident's Breaches tab pass an axe scan and are shot at desktop and
phone width, as does a record whose assess form shows a refusal; the forms
work with JavaScript off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.console.test_browser import DESKTOP, PHONE, _context, _scan_and_shoot, browser, server
from warroom.incidents import service as incidents

__all__ = ["browser", "server"]
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_the_breach_screens_in_a_browser(browser, server, people, database, clock, backend,
                                         work):
    with work() as uow:
        incident = incidents.declare(uow, declaration=incidents.Declaration(
            type="security_breach", severity="sev2", title="Customer export leaked"))
        ref = incident.ref
    context = _context(browser, server, database, clock, "commander")
    page = context.new_page()
    page.goto(f"/incidents/{ref}/breaches")
    page.click("text=Open a breach record >> nth=-1")
    expect(page.locator("#state")).to_have_text("suspected")
    page.select_option("#to", "confirmed")
    page.click("#move-button")
    expect(page.locator(".field-error")).to_contain_text("basis of awareness")
    page.fill("#awareness_basis", "logs show the export")
    page.select_option("#to", "confirmed")
    page.click("#move-button")
    expect(page.locator("#state")).to_have_text("confirmed")
    record = page.url.split(server)[1]
    # the assess form: a refusal beside its field, the typing kept, then saved
    page.fill("#fact-subjects_min", "lots")
    page.fill("#fact-likely_consequences", "phishing of customers")
    page.check("#fact-nature-confidentiality")
    page.click("#assess-button")
    expect(page.locator("#fact-subjects_min-error")).to_contain_text("whole number")
    expect(page.locator("#fact-likely_consequences")).to_have_value("phishing of customers")
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        _scan_and_shoot(page, "breach-assess-error", backend)
    page.fill("#fact-subjects_min", "120")
    page.click("#assess-button")
    expect(page.locator("#fact-subjects_min")).to_have_value("120")
    expect(page.locator("#fact-nature-confidentiality")).to_be_checked()
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path, name in [("/breaches", "breaches"), (record, "breach"),
                           (f"/incidents/{ref}/breaches", "incident-breaches")]:
            page.goto(path)
            _scan_and_shoot(page, name, backend)
    context.close()
