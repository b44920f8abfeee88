"""Nothing internal reaches a public surface: secrets written into every
internal field of a linked incident appear in no public response and in no
message to subscribers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.statuspage.support import post
from warroom.auth import service as users
from warroom.notify.models import OutboxMessage
from warroom.statuspage.subscribers import service as subscribers

SECRETS = {
    "title": "SECRET-TITLE-3e1f", "description": "SECRET-DESCRIPTION-9a7c",
    "label": "SECRET-LABEL-55d0", "label_key": "secretkey4b2e", "service": "SECRET-SERVICE-c81a",
    "note": "SECRET-NOTE-0d9b", "person": "secret-person-77aa", "reason": "SECRET-REASON-e4f1",
}


def internal_incident_full_of_secrets(client, people, work) -> str:
    with work() as uow:
        users.create(uow, username=SECRETS["person"], role="responder",
                     email=f"{SECRETS['person']}@example.com")
    ref = post(client, people, "/api/v1/incidents", {
        "type": "security_breach", "severity": "critical", "title": SECRETS["title"],
        "description": SECRETS["description"], "services": [SECRETS["service"]],
        "labels": {SECRETS["label_key"]: SECRETS["label"]}, "personal_data_breach": True},
        expect=201)["id"]
    post(client, people, f"/api/v1/incidents/{ref}/notes", {"text": SECRETS["note"]})
    post(client, people, f"/api/v1/incidents/{ref}/roles", {
        "role": "incident_commander", "primary": SECRETS["person"]})
    post(client, people, f"/api/v1/incidents/{ref}/transition",
         {"phase": "triage", "note": SECRETS["reason"]})
    return ref


def test_no_internal_detail_reaches_any_public_surface(public, people, work, clock, database,
                                                       receiver):
    ref = internal_incident_full_of_secrets(public, people, work)
    with work() as uow:
        subscribers.add_webhook(uow, url=receiver.url)
        email = subscribers.subscribe_email(uow, email="reader@example.com")
        email.status = subscribers.ACTIVE
    opened = post(public, people, "/api/v1/statuspage/incidents", {
        "name": "Sign-in problems", "body": "Some people cannot sign in.",
        "components": {"authentication": "partial"}, "internal_incident": ref}, expect=201)
    post(public, people, f"/api/v1/statuspage/incidents/{opened['id']}/updates",
         {"status": "identified", "body": "We found the cause."}, expect=201)
    post(public, people, "/api/v1/admin/status", {"status": "degraded",
                                                  "message": "Uploads are slow.",
                                                  "components": {"media": "degraded"}})
    post(public, people, "/api/v1/admin/maintenance", {"enabled": True, "message": "Back soon"})
    post(public, people, "/api/v1/statuspage/maintenances", {
        "name": "Key rotation", "components": ["authentication"],
        "scheduled_for": (clock.now() + timedelta(hours=1)).isoformat(),
        "scheduled_until": (clock.now() + timedelta(hours=2)).isoformat()}, expect=201)

    paths = sorted(public.app.snapshots.current().documents)
    assert any(p.startswith("/status/incidents/") for p in paths)
    texts = {path: public.get(path).text for path in paths}
    texts["subscribe"] = public.post("/status/subscribe", data={"email": "x@example.com"}).text
    with database.read() as session:
        for message in session.scalars(select(OutboxMessage).where(
                OutboxMessage.kind.like("statuspage.%"))):
            texts[f"outbox {message.key}"] = f"{message.subject} {message.body} {message.payload}"
    assert any(key.startswith("outbox statuspage.update") for key in texts)
    for where, text in texts.items():
        for field, secret in SECRETS.items():
            assert secret.lower() not in text.lower(), f"{field} leaked into {where}"
        assert ref not in text, f"the internal incident id leaked into {where}"
    assert "Some people cannot sign in." in texts["/api/v2/incidents.json"]
