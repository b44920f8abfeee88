"""Components and subscribers through Statuspage's manage API, and who may
call what (warroom's permission table, a lower role gets Statuspage's 403)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.statuspage.manage.support import base, differences, fixture, oauth
from warroom.notify.models import OutboxMessage
from warroom.statuspage.manage import shapes
from warroom.statuspage.models import StatusChange, Subscriber

STATUSES = ["operational", "degraded_performance", "partial_outage", "major_outage",
            "under_maintenance"]


def media(client, people) -> dict:
    listed = client.get(base(client, people) + "/components", headers=oauth(people, "viewer"))
    assert listed.status_code == 200, listed.text
    return next(c for c in listed.json() if c["name"] == "media")


def test_list_and_get_components_in_statuspage_shapes(client, people):
    listed = client.get(base(client, people) + "/components", headers=oauth(people, "viewer"))
    assert listed.status_code == 200
    for component in listed.json():
        assert differences(component, fixture("component")) == [], component["name"]
    one = client.get(f"{base(client, people)}/components/{media(client, people)['id']}",
                     headers=oauth(people, "viewer"))
    assert one.status_code == 200 and one.json()["name"] == "media"


def test_groups_are_listed_as_components_with_group_true(client, people):
    media_id = media(client, people)["id"]
    assert client.patch("/api/v1/statuspage/components/media", headers=people.admin,
                        json={"group": "Backend"}).status_code == 200
    listed = client.get(base(client, people) + "/components", headers=oauth(people)).json()
    (group,) = [c for c in listed if c["group"]]
    assert group["name"] == "Backend"
    assert group["components"] == [media_id]


@pytest.mark.parametrize("status", STATUSES)
def test_component_status_by_form_and_json(public, people, database, status):
    path = f"{base(public, people)}/components/{media(public, people)['id']}"
    by_form = public.patch(path, headers=oauth(people), data={"component[status]": status})
    assert by_form.status_code == 200, by_form.text
    assert differences(by_form.json(), fixture("component")) == []
    assert by_form.json()["status"] == status
    shown = {c["name"]: c["status"] for c in public.get("/api/v2/components.json").json()[
        "components"]}
    assert shown["media"] == status
    by_json = public.put(path, headers=oauth(people), json={"component": {
        "status": "operational", "description": "Uploads"}})
    assert by_json.status_code == 200, by_json.text
    assert (by_json.json()["status"], by_json.json()["description"]) == ("operational",
                                                                         "Uploads")
    with database.read() as session:
        recorded = list(session.scalars(select(StatusChange.new_status)
                                        .order_by(StatusChange.id)))
    if status != "operational":
        assert recorded[-2:] == [status, "operational"]


@pytest.mark.parametrize(("fields", "words"), [
    ({"component[status]": "on_fire"}, "major_outage"),
    ({}, "component[status]"),
    ({"component[name]": ""}, "name"),
])
def test_bad_component_updates_are_422(client, people, fields, words):
    path = f"{base(client, people)}/components/{media(client, people)['id']}"
    answer = client.patch(path, headers=oauth(people), data=fields)
    assert answer.status_code == 422, answer.text
    assert words in answer.json()["error"]


def test_unknown_component_is_404(client, people):
    answer = client.get(base(client, people) + "/components/nope", headers=oauth(people))
    assert answer.status_code == 404 and "nope" in answer.json()["error"]


def test_an_email_subscriber_is_sent_a_confirmation_first(client, people, database):
    root = base(client, people)
    answer = client.post(root + "/subscribers", headers=oauth(people),
                         data={"subscriber[email]": "Reader@Example.com"})
    assert answer.status_code == 201, answer.text
    assert differences(answer.json(), fixture("subscriber")) == []
    assert answer.json()["email"] == "reader@example.com"
    with database.read() as session:
        kinds = list(session.scalars(select(OutboxMessage.kind)))
    assert kinds == ["statuspage.confirm"]
    assert client.get(root + "/subscribers", headers=oauth(people)).json() == []
    pending = client.get(root + "/subscribers?state=unconfirmed", headers=oauth(people)).json()
    assert [s["email"] for s in pending] == ["reader@example.com"]
    for shape in pending:
        assert differences(shape, fixture("subscriber")) == []


@pytest.mark.parametrize(("fields", "words"), [
    ({"subscriber[email]": "not-an-address"}, "email address"),
    ({"subscriber[endpoint]": "https://example.com/hook"}, "webhook"),
    ({"subscriber[phone_number]": "5555555"}, "email"),
    ({}, "subscriber[email]"),
])
def test_bad_subscribers_are_422(client, people, fields, words):
    answer = client.post(base(client, people) + "/subscribers", headers=oauth(people),
                         data=fields)
    assert answer.status_code == 422, answer.text
    assert words in answer.json()["error"]


ROUTES = [
    ("GET", "/incidents", "viewer"), ("GET", "/incidents/unresolved", "viewer"),
    ("GET", "/components", "viewer"), ("POST", "/incidents", "commander"),
    ("PATCH", "/components/media", "commander"), ("GET", "/subscribers", "commander"),
    ("POST", "/subscribers", "commander"),
]


@pytest.mark.parametrize(("method", "path", "lowest"), ROUTES)
def test_lower_roles_get_statuspage_403(client, people, method, path, lowest):
    order = ["viewer", "responder", "commander", "admin"]
    url = base(client, people) + path
    for role in order:
        answer = client.request(method, url, headers=oauth(people, role))
        if order.index(role) < order.index(lowest):
            assert answer.status_code == 403, (role, answer.text)
            assert "statuspage:" in answer.json()["error"]
        else:
            assert answer.status_code not in (401, 403), (role, answer.text)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "OAuth wr_wrong"},
                                     {"Authorization": "Token token=x"}])
def test_no_or_bad_token_is_401(client, people, headers):
    answer = client.get(base(client, people) + "/incidents", headers=headers)
    assert answer.status_code == 401
    assert answer.json()["error"]


def test_the_api_key_query_parameter_authenticates(client, people):
    url = f"{base(client, people)}/components?api_key={people.tokens['viewer']}"
    assert client.get(url).status_code == 200
    refused = client.patch(url.replace("/components", "/components/media"),
                           data={"component[status]": "major_outage"})
    assert refused.status_code == 403


def test_viewers_see_no_subscriber_addresses(client, people):
    """Subscribers need statuspage:write, held by commanders and admins, who
    may see contacts; the shape hides addresses from anyone else."""
    row = Subscriber(code="abc", kind="email", destination="a@example.com", status="active",
                     created_at=client.app.state.clock.now())
    assert shapes.subscriber(row, sees_contacts=False)["email"] is None
    assert shapes.subscriber(row, sees_contacts=True)["email"] == "a@example.com"
