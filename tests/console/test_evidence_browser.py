"""The evidence tab in a real browser (SQLite): a file uploaded through the
form, verified, then the tab and the item pass an axe scan and are shot at
desktop and phone width."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import expect

from tests.console.test_browser import DESKTOP, PHONE, _context, _scan_and_shoot, browser, server
from warroom.incidents import service as incidents

__all__ = ["browser", "server"]
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_the_evidence_tab_in_a_browser(browser, server, people, database, clock, backend,
                                       work, tmp_path):
    with work() as uow:
        ref = incidents.declare(uow, declaration=incidents.Declaration(
            type="security_breach", severity="sev2", title="Admin panel scraped")).ref
    log = tmp_path / "access.log"
    log.write_bytes(b"10.0.0.7 GET /admin 200\n")
    context = _context(browser, server, database, clock, "commander")
    page = context.new_page()
    page.goto(f"/incidents/{ref}/evidence")
    upload = page.locator("form[action$='/upload']")
    upload.locator("input[name=title]").fill("Web access log")
    upload.locator("input[name=source_host]").fill("web-01")
    upload.locator("input[name=file]").set_input_files(str(log))
    upload.get_by_role("button", name="Upload").click()
    expect(page.locator("dd", has_text=hashlib.sha256(log.read_bytes()).hexdigest())
           ).to_be_visible()
    page.click("#verify-button")
    expect(page.locator("#last-check")).to_contain_text("it matches")
    item = page.url.split(server)[1]
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path, name in [(f"/incidents/{ref}/evidence", "evidence"),
                           (item, "evidence-item")]:
            page.goto(path)
            _scan_and_shoot(page, name, backend)
    context.close()
