"""The status page admin and admin screens in a real browser (SQLite): a
component moved and a notice opened from the status page screen, a user
added and a payload tried on the admin screens; every screen passes an axe
scan and is shot at desktop and phone width. The forms are plain posts, so
they work with JavaScript off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.console.test_browser import DESKTOP, PHONE, _context, _scan_and_shoot, browser, server

__all__ = ["browser", "server"]
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_the_status_page_screen_in_a_browser(browser, server, people, database, clock,
                                              backend):
    context = _context(browser, server, database, clock, "commander")
    page = context.new_page()
    page.goto("/status-admin")
    first = page.locator("tr[id^=component-]").first
    first.locator("select").select_option("major_outage")
    first.locator("button").click()
    expect(page.locator("#public-description")).to_have_text("Major System Outage")
    page.click("#open-notice")
    expect(page.locator("#notice-open-error")).to_contain_text("Name the public notice")
    page.fill("#notice-name", "Chat is down")
    page.fill("#notice-message", "We are on it.")
    page.click("#open-notice")
    expect(page.locator("[id^=notice-] h3").first).to_contain_text("Chat is down")
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto("/status-admin")
        _scan_and_shoot(page, "status-admin", backend)
    page.click("#public-link")
    expect(page).to_have_url(f"{server}/status")
    context.close()


def test_the_admin_screens_in_a_browser(browser, server, people, database, clock, backend):
    context = _context(browser, server, database, clock, "admin")
    page = context.new_page()
    page.goto("/settings")
    page.fill("#username", "dana")
    page.select_option("#role", "viewer")
    page.fill("#email", "dana@example.org")
    page.click("#create-user")
    expect(page.locator("#user-role")).to_have_text("viewer")
    page.goto("/settings/routing")
    page.click("#test-payload")
    expect(page.locator(".matched-rule")).to_have_text("websocket-service-down")
    page.goto("/settings/tokens")
    page.fill("#token-name", "ci")
    page.click("#issue-token")
    expect(page.locator("#issued-secret")).to_have_value(re.compile(r"^wr_"))
    _scan_and_shoot(page, "settings-token-issued", backend)
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path, name in [("/settings", "settings-users"), ("/settings/users/dana",
                                                               "settings-user"),
                           ("/settings/tokens", "settings-tokens"),
                           ("/settings/integrations", "settings-integrations"),
                           ("/settings/routing", "settings-routing")]:
            page.goto(path)
            _scan_and_shoot(page, name, backend)
    context.close()
