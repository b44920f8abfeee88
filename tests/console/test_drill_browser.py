"""The drill screens in a real browser (SQLite): a drill started from the
form, an inject sent, the scorecard of a page left open updating without a
reload when another browser posts to the sandbox status page; /drills and
/drills/DR-n pass an axe scan and are shot at desktop and phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.console.test_browser import (
    DESKTOP,
    LIVE_MS,
    PHONE,
    _context,
    _scan_and_shoot,
    browser,
    server,
)

__all__ = ["browser", "server"]
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_the_drill_screens_in_a_browser(browser, server, people, database, clock, backend):
    facilitator = _context(browser, server, database, clock, "commander")
    page = facilitator.new_page()
    page.goto("/drills")
    page.select_option("#scenario", "database-breach")
    page.fill("#participants", "responder, nobody-here")
    page.click("#start-button")
    expect(page.locator("#participants-error")).to_contain_text("nobody-here")
    page.fill("#participants", "responder, viewer")
    page.fill("#time_scale", "10")
    page.click("#start-button")
    expect(page).to_have_url(f"{server}/drills/DR-1")
    expect(page.locator("#inject-alert")).to_contain_text("sent")
    page.click("#next-inject")
    expect(page.locator("#inject-dba")).to_contain_text("sent")
    expect(page.locator("#objective-first-update")).to_contain_text("pending")

    # a second browser posts to the sandbox page; the first sees the objective met live
    other = _context(browser, server, database, clock, "admin")
    second = other.new_page()
    second.goto("/drills/DR-1")
    second.fill("#sandbox-message", "We are investigating reports of exposed data.")
    second.click("text=Post to the sandbox page")
    expect(page.locator("#objective-first-update")).to_contain_text("met at 0 min",
                                                                     timeout=LIVE_MS * 5)
    other.close()

    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path, name in [("/drills", "drills"), ("/drills/DR-1", "drill")]:
            page.goto(path)
            _scan_and_shoot(page, name, backend)
    page.click("#end-drill")
    expect(page.locator("#scorecard-h")).to_have_text("Final scorecard")
    _scan_and_shoot(page, "drill-ended", backend)
    facilitator.close()
