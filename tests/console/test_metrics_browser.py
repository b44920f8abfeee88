"""The metrics dashboard in a real browser (SQLite): with known incidents, an
empty window and a bad query it passes an axe scan and is shot at desktop and
phone width; its form works with JavaScript off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.console.support import sign_in
from tests.console.test_browser import DESKTOP, PHONE, _context, _scan_and_shoot, browser, server
from tests.console.test_metrics_dashboard import known

__all__ = ["browser", "known", "server"]
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_the_metrics_dashboard_in_a_browser(browser, server, known, database, clock, backend):
    context = _context(browser, server, database, clock, "viewer")
    page = context.new_page()
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path, name in [("/metrics-dashboard?since=30d", "metrics"),
                           ("/metrics-dashboard?by=service&since=1y&drills=yes",
                            "metrics-by-service"),
                           ("/metrics-dashboard?since=custom&from=2999-01-01", "metrics-empty"),
                           ("/metrics-dashboard?since=abc", "metrics-bad-query")]:
            page.goto(path)
            _scan_and_shoot(page, name, backend)
    expect(page.locator("#since-error")).to_contain_text("neither a span")
    context.close()


def test_the_form_works_without_javascript(browser, server, known, database, clock):
    context = browser.new_context(viewport=DESKTOP, base_url=server, java_script_enabled=False)
    sign_in(context, database, clock, "viewer", url=server)
    page = context.new_page()
    page.goto("/metrics-dashboard")
    page.select_option("#by", "service")
    page.select_option("#since", "30d")
    page.check("#drills")
    page.click("button:text('Show')")
    assert "by=service" in page.url and "drills=yes" in page.url
    expect(page.locator("#table-time_to_acknowledge tr[data-group='chat']")).to_be_visible()
    expect(page.locator("#window")).to_contain_text("drills included")
    context.close()
