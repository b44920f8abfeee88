"""The reads other domains use instead of the users table."""

from __future__ import annotations

from warroom.auth import service as users


def test_only_active_admins_with_an_email_hear_of_failures(work, people):
    with work() as uow:
        users.create(uow, username="no-mail", role="admin")
        gone = users.create(uow, username="gone", role="admin", email="gone@example.com")
        users.update(uow, user=gone, is_active=False)
    with work() as uow:
        told = [u.username for u in users.active_admins_with_email(uow.session)]
    assert told == ["admin"]


def test_users_by_id_and_by_name(work, people):
    with work() as uow:
        zed = users.create(uow, username="zed", role="responder", display_name="Zed Z")
        amy = users.create(uow, username="amy", role="responder")
        idle = users.create(uow, username="idle", role="viewer")
        users.update(uow, user=idle, is_active=False)
        ids = {"zed": zed.id, "amy": amy.id, "idle": idle.id}
    with work() as uow:
        many = users.get_many(uow.session, ids=[ids["zed"], ids["amy"], 999_999])
        names = users.usernames(uow.session, ids=[ids["zed"]])
        shown = users.display_names(uow.session)
        active = users.active_ids(uow.session, usernames=["zed", "idle", "nobody"])
    assert [u.username for u in many.values()] == ["amy", "zed"]
    assert names == {ids["zed"]: "zed"}
    assert (shown[ids["zed"]], shown[ids["amy"]]) == ("Zed Z", "amy")
    assert active == {"zed": ids["zed"]}
