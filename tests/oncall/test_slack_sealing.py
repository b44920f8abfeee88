"""A Slack incoming-webhook URL is a credential: sealed at rest in contact
methods and in the outbox, shown and audited only as a label, and rows saved
in clear before sealing are sealed by the migration."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select, text

from tests.oncall.test_channels import contact
from warroom import sealing
from warroom.audit.models import AuditEntry
from warroom.db import Database, alembic_config
from warroom.notify.models import OutboxMessage
from warroom.oncall.people.models import ContactMethod

TOKEN = "T0000SECRET/B0000SECRET/XXXXslacktokenXXXX"


def test_a_slack_url_is_sealed_everywhere_it_is_kept(org, client, people):
    url = f"{org.receiver.url}/services/{TOKEN}"
    org.person("oce", webhook=False)
    contact(org, "oce", "slack", url)
    org.bind("on_call_engineer", "user:oce")
    org.declare("sev2")
    (post,) = org.tick()
    assert post.path == f"/services/{TOKEN}"  # delivered to the real URL
    with org.database.read() as session:
        method = session.scalar(select(ContactMethod))
        (message,) = session.scalars(select(OutboxMessage)
                                     .where(OutboxMessage.channel == "slack"))
        audit = [str(e.after) for e in session.scalars(select(AuditEntry))]
    assert sealing.unseal(method.address_sealed) == url
    assert sealing.unseal(message.destination_sealed) == url
    assert TOKEN not in method.address and TOKEN not in message.destination
    assert method.address.startswith(org.receiver.url + "/…")
    assert not any("XXXXslacktokenXXXX" in entry for entry in audit)
    for role in ("viewer", "admin"):
        shown = client.get("/api/v1/outbox", headers=people.headers(role)).content
        person = client.get("/api/v1/oncall/people/oce", headers=people.headers(role))
        assert b"XXXXslacktokenXXXX" not in shown + person.content
    assert person.json()["contact_methods"][0]["signed"] is False


def test_the_same_slack_url_twice_is_a_conflict_and_another_is_not(org):
    import pytest

    from warroom.errors import Conflict

    org.person("oce", webhook=False)
    contact(org, "oce", "slack", f"{org.receiver.url}/services/{TOKEN}")
    with pytest.raises(Conflict):
        contact(org, "oce", "slack", f"{org.receiver.url}/services/{TOKEN}")
    contact(org, "oce", "slack", f"{org.receiver.url}/services/OTHER/ONE/here")


def test_the_migration_seals_slack_urls_stored_in_clear(tmp_path, monkeypatch):
    from warroom import config as settings_module

    monkeypatch.setenv("WARROOM_SECRET_KEY", "migration-test-secret-key")
    settings_module.reset()
    database = Database(f"sqlite:///{tmp_path}/old.db")
    config = alembic_config(database)
    command.upgrade(config, "core_0002")
    command.upgrade(config, "oncall_0001")
    url = f"https://hooks.slack.com/services/{TOKEN}"
    with database.engine.begin() as conn:
        conn.execute(text("INSERT INTO users (id, username, display_name, role, is_active, "
                          "is_service_account, created_at) VALUES (1, 'oce', '', 'responder', "
                          "1, 0, '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO oncall_contact_methods (user_id, kind, label, "
                          "address, created_at) VALUES (1, 'slack', '', :url, "
                          "'2026-01-01 00:00:00'), (1, 'webhook', '', "
                          "'https://hooks.example.com/w', '2026-01-01 00:00:00')"),
                     {"url": url})
        conn.execute(text("INSERT INTO outbox_messages (key, kind, channel, destination, "
                          "body, status, attempts, max_attempts, next_attempt_at, "
                          "created_at) VALUES ('k1', 'page', 'slack', :url, '', 'pending', "
                          "0, 8, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"),
                     {"url": url})
    command.upgrade(config, "heads")
    with database.engine.connect() as conn:
        methods = conn.execute(text("SELECT kind, address, address_sealed FROM "
                                    "oncall_contact_methods ORDER BY id")).all()
        message = conn.execute(text("SELECT destination, destination_sealed FROM "
                                    "outbox_messages")).one()
    database.dispose()
    (slack, webhook) = methods
    assert TOKEN not in slack.address and sealing.unseal(slack.address_sealed) == url
    assert (webhook.address, webhook.address_sealed) == ("https://hooks.example.com/w", None)
    assert TOKEN not in message.destination
    assert sealing.unseal(message.destination_sealed) == url
