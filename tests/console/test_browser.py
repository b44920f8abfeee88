"""The console in a real browser against a real server (uvicorn over loopback,
SQLite and PostgreSQL): one journey through the main actions, two browsers
watching each other's changes arrive live, an axe scan and screenshots of
every screen at desktop and phone width.

Screenshots go to ``var/screenshots/console`` (git-ignored test artifacts);
with ``WARROOM_DOCS_SCREENSHOTS=1`` also to ``docs/images/console`` for the
walk-through in docs/console.md."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import httpx
import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from tests.console.conftest import PASSWORD
from tests.console.support import sign_in
from warroom.app import served

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "screenshots" / "console"
DOCS_IMAGES = ROOT / "docs" / "images" / "console"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
LIVE_MS = 1000


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def server(app):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(served(app), host="127.0.0.1", port=port, log_level="warning",
                            lifespan="on")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if running.started:
            break
        threading.Event().wait(0.05)
    assert running.started, "uvicorn did not start"
    yield url
    running.should_exit = True
    thread.join(timeout=10)


def _context(browser, url, database, clock, username, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, base_url=url)
    sign_in(context, database, clock, username, url=url)
    return context


def _scan_and_shoot(page, name: str, backend: str) -> None:
    violations = [v for v in Axe().run(page).response["violations"]
                  if v["impact"] in ("serious", "critical")]
    assert not violations, (name, [(v["id"], v["nodes"][0]["html"]) for v in violations])
    if backend != "sqlite":
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    kind = "phone" if width < 600 else "desktop"
    page.screenshot(path=ARTIFACTS / f"{name}-{kind}.png", full_page=True)
    if os.environ.get("WARROOM_DOCS_SCREENSHOTS") == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=DOCS_IMAGES / f"{name}-{kind}.png", full_page=kind == "phone")


def test_working_an_incident_in_two_browsers(browser, server, people, database, clock,
                                             backend):
    commander = _context(browser, server, database, clock, "commander")
    responder = _context(browser, server, database, clock, "responder")
    first, second = commander.new_page(), responder.new_page()

    first.goto("/incidents")
    _scan_and_shoot(first, "incidents-empty", backend)
    first.select_option("#d-type", "service_outage")
    first.select_option("#d-severity", "sev1")
    first.fill("#d-title", "Chat messages not delivered")
    first.fill("#d-services", "chat, push")
    first.click("text=Declare incident")
    expect(first).to_have_url(f"{server}/incidents/INC-1")
    expect(first.locator("#phase")).to_have_text("detection")

    # the responder's list learns of nothing new yet; open the page from the phone link
    second.goto("/incidents/INC-1/ack")
    _scan_and_shoot(second, "acknowledge", backend)
    second.click("#ack-button")
    expect(second).to_have_url(f"{server}/incidents/INC-1")
    # the commander's page, left open, sees the ack and the new phase without reload
    expect(first.locator("#phase")).to_have_text("triage", timeout=LIVE_MS)
    expect(first.locator("#incident-header")).to_contain_text("acknowledged by responder",
                                                               timeout=LIVE_MS)

    first.select_option("#r-role", "incident_commander")
    first.select_option("#r-primary", "commander")
    first.click("form[aria-label='Assign a role'] button")
    expect(second.locator("#incident-roles")).to_contain_text("commander", timeout=LIVE_MS)

    second.fill("#note-text", "Push gateway returns 503 since 02:58.")
    second.click("#note-form button")
    expect(first.locator("#timeline")).to_contain_text("Push gateway returns 503",
                                                       timeout=LIVE_MS)
    _scan_and_shoot(first, "incident", backend)

    tick = first.locator("#incident-steps form button").first
    step_row = tick.locator("xpath=ancestor::tr").get_attribute("id")
    tick.click()
    expect(second.locator(f"[id=\"{step_row}\"]")).to_contain_text("commander", timeout=LIVE_MS)

    first.click("button[name=phase][value=containment]")
    expect(second.locator("#phase")).to_have_text("containment", timeout=LIVE_MS)

    # bad input comes back beside its field, keyboard and all
    first.goto("/incidents")
    first.fill("#d-title", "No type chosen")
    first.evaluate("document.getElementById('declare-form').noValidate = true")
    first.click("text=Declare incident")
    expect(first.locator("#type-error")).to_be_visible()
    expect(first.locator("#d-title")).to_have_value("No type chosen")
    _scan_and_shoot(first, "incidents", backend)

    # the stream itself: no proxy buffering, and a resume skips what was seen
    cookie = {c["name"]: c["value"] for c in commander.cookies()}
    with httpx.Client(base_url=server, cookies=cookie, timeout=10) as plain, \
            plain.stream("GET", "/incidents/INC-1/events",
                         headers={"Last-Event-ID": "1"}) as stream:
        assert stream.headers["x-accel-buffering"] == "no"
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith("id:"):
                assert int(line[3:]) > 1
                break

    for viewport_name, viewport in (("phone", PHONE),):
        phone = _context(browser, server, database, clock, "viewer", viewport=viewport)
        page = phone.new_page()
        page.goto("/incidents")
        _scan_and_shoot(page, "incidents", backend)
        page.goto("/incidents/INC-1")
        assert page.locator("#ack-button, #note-form, #declare-form").count() == 0
        _scan_and_shoot(page, "incident", backend)
        page.goto("/incidents/INC-1/ack")
        _scan_and_shoot(page, "acknowledge", backend)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], \
            viewport_name
        phone.close()
    commander.close()
    responder.close()


def test_sign_in_lands_where_the_link_pointed_and_works_without_javascript(
        browser, server, people, accounts, database, clock, backend):
    for viewport in (DESKTOP, PHONE):
        scanned = browser.new_context(viewport=viewport, base_url=server)
        form = scanned.new_page()
        form.goto("/sign-in")
        _scan_and_shoot(form, "sign-in", backend)
        scanned.close()
    context = browser.new_context(viewport=DESKTOP, base_url=server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/incidents?status=open")
    expect(page).to_have_url(f"{server}/sign-in?next=%2Fincidents%3Fstatus%3Dopen")
    page.fill("#username", "responder")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    expect(page).to_have_url(f"{server}/incidents?status=open")
    page.select_option("#d-type", "security_breach")
    page.select_option("#d-severity", "sev2")
    page.fill("#d-title", "Suspicious admin logins")
    page.click("text=Declare incident")
    expect(page).to_have_url(f"{server}/incidents/INC-1")
    page.click("#ack-button")
    expect(page.locator("#phase")).to_have_text("triage")
    context.close()
    docs = browser.new_context(viewport=DESKTOP, base_url=server)
    page = docs.new_page()
    outside: list[str] = []
    # what the browser really fetched (a CSP-blocked request never finishes)
    page.on("requestfinished", lambda asked: outside.append(asked.url)
            if not asked.url.startswith((server, "blob:", "data:")) else None)
    for path in ("/docs", "/redoc"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    expect(page.locator("body")).to_contain_text("warroom")
    assert not outside, outside
    docs.close()
