"""The on-call and alerts screens in a real browser (SQLite): an override and a
silence added through the forms with JavaScript off, then both screens (and
a person's page) and the playbook catalogue and one playbook pass an axe scan
and are shot at desktop and phone width without sideways scrolling."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.console.support import sign_in
from tests.console.test_browser import DESKTOP, PHONE, _scan_and_shoot, browser, server
from warroom.auth import service as users
from warroom.intake import service as intake
from warroom.intake.sources.alert import IncomingAlert, fingerprint
from warroom.oncall.schedules import service as schedules
from warroom.oncall.teams import service as teams

__all__ = ["browser", "server"]
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _setup(work) -> None:
    with work() as uow:
        for name in ("ana", "ben", "cai"):
            users.create(uow, username=name, role="responder")
        primary = schedules.create(uow, name="primary", time_zone="Europe/Berlin",
                                   description="Chat and API")
        schedules.add_layer(uow, schedule=primary, spec=schedules.LayerSpec(
            name="weeks", rotation="weekly", participants=["ana", "ben", "cai"],
            starts_at=datetime(2026, 1, 5, 9, 0)))
        sre = teams.create(uow, name="sre", description="Site reliability")
        for name in ("ana", "ben"):
            teams.add_member(uow, team=sre, username=name)
        for name, instance, severity in (("DiskFull", "db-1", "sev3"),
                                         ("HighLatency", "api-2", "sev2")):
            labels = {"alertname": name, "instance": instance, "service": "chat"}
            intake.receive(uow, alerts=[IncomingAlert(
                dedup_key=fingerprint(labels), name=name, status="firing", labels=labels,
                severity=severity, summary=f"{name} on {instance}",
                starts_at=datetime(2026, 1, 5, 11, 50, tzinfo=UTC))], source="generic")


def test_the_on_call_and_alert_screens_in_a_browser(browser, server, people, database, clock,
                                                    backend, work):
    _setup(work)
    context = browser.new_context(viewport=DESKTOP, base_url=server, java_script_enabled=False)
    sign_in(context, database, clock, "commander", url=server)
    page = context.new_page()
    page.goto("/on-call")
    expect(page.locator("#schedule-primary .on-call-now")).to_have_text("ana")
    page.select_option("#o-schedule", "primary")
    page.fill("#o-user", "cai")
    page.fill("#o-starts", "2026-01-05T13:00")
    page.fill("#o-ends", "2026-01-05T12:00")
    page.click("#override-button")
    expect(page.locator("#ends_at-error")).to_contain_text("must end after it starts")
    page.fill("#o-ends", "2026-01-05T18:00")
    page.fill("#o-reason", "ana travels")
    page.click("#override-button")
    expect(page.locator("#overrides")).to_contain_text("ana travels")
    page.goto("/alerts")
    page.fill("#s-matchers", "alertname=DiskFull")
    page.fill("#s-comment", "disk swap tonight")
    page.click("#silence-button")
    expect(page.locator("#silence-table")).to_contain_text("alertname=DiskFull")
    context.close()
    context = browser.new_context(viewport=DESKTOP, base_url=server)
    sign_in(context, database, clock, "admin", url=server)
    page = context.new_page()
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path, name in [("/on-call", "on-call"), ("/on-call/people/ana", "on-call-person"),
                           ("/alerts", "alerts"), ("/playbooks", "playbooks"),
                           ("/playbooks/chat-server-failure", "playbook")]:
            page.goto(path)
            _scan_and_shoot(page, name, backend)
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], \
                (path, viewport)
    context.close()
