"""The review screens in a real browser (SQLite): an incident's Review tab and
the action items page pass an axe scan and are shot at desktop and phone
width; a section is edited and an action item made with JavaScript's help
or without it (plain forms)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.console.support import walk_to_lessons_learned
from tests.console.test_browser import DESKTOP, PHONE, _context, _scan_and_shoot, browser, server
from warroom.incidents import service as incidents

__all__ = ["browser", "server"]
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_the_review_screens_in_a_browser(browser, server, people, database, clock, backend,
                                         work):
    with work() as uow:
        incident = incidents.declare(uow, declaration=incidents.Declaration(
            type="service_outage", severity="sev3", title="Checkout slow",
            services=["checkout"]))
        ref = incident.ref
    walk_to_lessons_learned(work, clock, ref)
    context = _context(browser, server, database, clock, "commander")
    page = context.new_page()
    page.goto(f"/incidents/{ref}/review")
    expect(page.locator("#review-state")).to_have_text("draft")
    page.click("text=Edit Overview")
    page.fill("#section-overview", "Checkout was **slow** for 20 minutes.")
    page.click("text=Save Overview")
    expect(page.locator("#s-overview strong")).to_have_text("slow")
    page.fill("#item-title", "Add a latency alert")
    page.fill("#item-owner", "commander")
    page.click("#item-create")
    expect(page.locator("#item-AI-1")).to_contain_text("Add a latency alert")
    page.click("#submit-button")
    expect(page.locator("#section-root_cause_primary-error")).to_have_count(0)
    expect(page.locator(".field-error")).to_contain_text("Root cause: primary cause")
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path, name in [(f"/incidents/{ref}/review", "incident-review"),
                           ("/actions", "actions")]:
            page.goto(path)
            _scan_and_shoot(page, name, backend)
    context.close()
