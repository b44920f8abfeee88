"""The playbook catalogue screen: every procedure with the open action items
that ask for a change to it (seed 002 "Procedure Updates"), and a page per
playbook with its phases and steps, read with playbook:read."""

from __future__ import annotations

from datetime import timedelta

from tests.console.support import sign_in
from warroom.incidents import service as incidents
from warroom.reviews import items


def add_item(work, **fields) -> str:
    with work() as uow:
        incident = incidents.declare(uow, declaration=incidents.Declaration(
            type="service_outage", severity="sev2", title="Chat down", services=["chat"]))
        return items.ref(items.create(uow, incident=incident, new=items.NewItem(**fields)))


def test_the_catalogue_lists_playbooks_with_their_open_items_first(client, work, clock,
                                                                  database, people):
    late = add_item(work, title="Add the failover step", owner="responder",
                    due_at=clock.now() + timedelta(hours=1), playbook="chat-server-failure.yaml")
    clock.advance(hours=2)
    sign_in(client, database, clock, "viewer")

    page = client.get("/playbooks")
    assert page.status_code == 200
    html = page.text
    assert 'href="/playbooks"' in html  # the menu names the screen
    first_row = html.index("<tbody>")
    assert html.index('href="/playbooks/chat-server-failure"', first_row) \
        < html.index('href="/playbooks/security-incident"', first_row)
    assert "1 open</a> <span class=\"tag\">1 overdue</span>" in html

    detail = client.get("/playbooks/chat-server-failure")
    assert detail.status_code == 200
    body = detail.text
    assert f"{late} Add the failover step" in body and "responder" in body
    assert "overdue" in body and 'href="/incidents/INC-1/review"' in body
    assert "<h2 id=\"phase-1-h\">" in body and "seed" in body  # phases with their sources


def test_a_playbook_with_no_items_says_so_and_an_unknown_name_is_a_404_sentence(
        client, database, clock, people):
    sign_in(client, database, clock, "viewer")
    quiet = client.get("/playbooks/security-incident")
    assert quiet.status_code == 200
    assert "No open action item asks for a change to this playbook." in quiet.text
    missing = client.get("/playbooks/no-such-playbook")
    assert missing.status_code == 404
    assert "no-such-playbook" in missing.text
