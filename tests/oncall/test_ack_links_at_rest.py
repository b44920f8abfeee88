"""An acknowledge link is a bearer credential: the outbox keeps it sealed, so a
database dump cannot be used to acknowledge a page, yet the person paged
receives a link that works."""

from __future__ import annotations

from sqlalchemy import text

from warroom.oncall.escalation.acklinks import PATH


def outbox_text(org) -> str:
    """Every column of every outbox row, as a dump would show them."""
    with org.database.read() as session:
        rows = session.execute(text("SELECT * FROM outbox_messages")).all()
    return "\n".join(" ".join(str(value) for value in row) for row in rows)


def test_no_outbox_row_holds_the_link_yet_the_receiver_gets_one_that_works(org, client):
    org.staff_positions()
    ref = org.declare("sev1")
    stored = outbox_text(org)
    assert "page" in stored
    assert PATH not in stored
    assert org.paged() == ["oce"]
    link = org.ack_url("/oce")
    token = link.rsplit("/", 1)[1]
    assert token not in outbox_text(org)
    used = client.post(link)
    assert used.status_code == 200, used.text
    assert used.json()["incident"] == ref


def test_an_emailed_page_keeps_its_text_but_not_its_link(org, mailbox, worker):
    org.person("mailed", webhook=False, email="mailed@example.com")
    org.bind("on_call_engineer", "user:mailed")
    org.declare("sev1")
    stored = outbox_text(org)
    assert "INCIDENT SUMMARY" in stored
    assert "link sealed" in stored
    assert PATH not in stored
    worker.run_once()
    (mail,) = [m for m in mailbox.wait_for(1) if m["To"] == "mailed@example.com"]
    assert PATH in mail.get_content()
