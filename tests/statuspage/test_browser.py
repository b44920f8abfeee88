"""A real browser (Debian's headless Chromium, JavaScript off) reads the page
from a real server: components, the active incident, the subscribe form."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

import httpx
import pytest
import uvicorn

from tests.statuspage.support import SEED_STATUS
from tests.support.receivers import free_port
from warroom.app import served

if TYPE_CHECKING:
    from collections.abc import Iterator

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@contextmanager
def running(app) -> Iterator[str]:
    """uvicorn serving the app as ``warroom serve`` does, on a free loopback port."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(served(app), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:  # a real server starting, not a warroom timer
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.e2e
def test_a_browser_shows_the_components_and_the_active_incident(app, people, tmp_path):
    from playwright.sync_api import sync_playwright

    with running(app) as base:
        answer = httpx.post(f"{base}/api/v1/admin/status", json=SEED_STATUS,
                            headers=people.admin)
        assert answer.status_code == 200, answer.text
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(java_script_enabled=False,
                                              viewport={"width": 390, "height": 844})
                page = context.new_page()
                page.goto(f"{base}/status")
                assert page.get_by_role("heading", level=1).inner_text() == \
                    "Minor Service Outage"
                assert page.locator("li.component .name").all_inner_texts() == [
                    "chat", "media", "authentication"]
                media = page.locator("li.component", has_text="media")
                assert "Degraded performance" in media.inner_text()
                incident = page.get_by_role("link", name="Degraded performance of media")
                assert incident.is_visible()
                assert page.get_by_text(SEED_STATUS["message"]).is_visible()
                page.screenshot(path=str(tmp_path / "status.png"), full_page=True)
                assert (tmp_path / "status.png").stat().st_size > 10_000

                incident.click()
                page.wait_for_url("**/status/incidents/*")
                assert page.get_by_role("heading", level=1).inner_text() == \
                    "Degraded performance of media"

                page.goto(f"{base}/status")
                page.get_by_label("Email address").fill("reader@example.com")
                page.get_by_role("button", name="Subscribe").click()
                assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
            finally:
                browser.close()
