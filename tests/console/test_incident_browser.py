"""The incident page's own buttons in a real browser (SQLite): attach a
playbook, approve and run a destructive step, preview and send a template,
open, update and resolve the public notice, then move the incident on; the
page passes an axe scan with those forms open."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.console.test_browser import DESKTOP, PHONE, _context, _scan_and_shoot, browser, server
from warroom import config
from warroom.comms import templates
from warroom.incidents import service as incidents
from warroom.playbooks import service as playbooks

__all__ = ["browser", "server"]
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_the_incident_page_buttons_in_a_browser(browser, server, people, database, clock,
                                                backend, work, monkeypatch):
    monkeypatch.setenv("WARROOM_PLAYBOOK_COMMAND_ALLOWLIST", "kubectl *")
    config.reset()
    with work() as uow:
        ref = incidents.declare(uow, declaration=incidents.Declaration(
            type="service_outage", severity="sev2", title="Chat down",
            services=["websocket"])).ref
    context = _context(browser, server, database, clock, "commander")
    page = context.new_page()
    page.goto(f"/incidents/{ref}")
    page.select_option("#attach-playbook", "websocket-service-outage")
    page.click("#attach-form button")
    row = page.locator("[id='step-websocket-service-outage:enable-http-fallback']")
    expect(row).to_contain_text("Enable HTTP polling fallback")
    row.get_by_role("button", name="Approve Enable HTTP polling fallback").click()
    expect(row).to_contain_text("approved by commander")
    with page.expect_navigation():
        row.get_by_role("button", name="Run Enable HTTP polling fallback now").click()
    expect(page.locator(".field-error")).to_have_text([])
    with database.read() as session:
        step = next(s for s in playbooks.get_steps(session, incident_id=1)
                    if s.step_id == "enable-http-fallback")
        assert (step.approved_by, step.requested_by) == ("commander", "commander")

    template = templates.manifest().templates[0]
    page.select_option("#comms-template", template.id)
    page.click("#incident-comms form[method=get] button")
    expect(page.locator(".preview")).to_be_visible()
    page.fill("#comms-to", "email:exec@example.com")
    page.click("#incident-comms form[method=post] button")
    expect(page.locator("#timeline")).to_contain_text(template.id)

    page.fill("#notice-name", "Chat is unavailable")
    page.fill("#notice-first", "We are looking into it.")
    page.click("text=Open a public notice")
    expect(page.locator("#incident-notice")).to_contain_text("investigating")
    page.select_option("#notice-status", "identified")
    page.fill("#notice-message", "A bad deploy; rolling back.")
    page.click("#incident-notice button[type=submit]:not([value])")
    expect(page.locator("#incident-notice")).to_contain_text("identified")
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(f"/incidents/{ref}?template={template.id}")
        _scan_and_shoot(page, "incident-working", backend)
    page.click("text=Resolve notice")
    expect(page.locator("#incident-notice")).to_contain_text("resolved")
    page.click("button[name=phase][value=triage]")
    expect(page.locator("#phase")).to_contain_text("triage")
    page.click("button[name=phase][value=containment]")
    expect(page.locator("#phase")).to_contain_text("containment")
    context.close()
    config.reset()
