"""Seed the demo's on-call set-up in one process (``make demo`` runs it once):
carol facilitates drills, alice is on call, bob is the team lead, and an
Alertmanager integration whose receiver URL is printed for Alertmanager.

    python demo/setup.py   # prints the Alertmanager webhook URL
"""

from __future__ import annotations

from warroom import registry
from warroom.auth import service as users
from warroom.config import get_settings
from warroom.db import Actor, Database
from warroom.intake import integrations
from warroom.oncall.positions import service as positions
from warroom.oncall.targets import parse

SETUP = Actor(name="demo-setup", kind="system")
PEOPLE = {"carol": None, "alice": "on_call_engineer", "bob": "team_lead"}


def main() -> None:
    registry.connect_all()
    database = Database(get_settings().database_url)
    with database.unit_of_work(SETUP) as uow:
        for name, position in PEOPLE.items():
            if users.get_by_username(uow.session, username=name) is None:
                users.create(uow, username=name, role="commander", email=f"{name}@example.com")
            if position:
                positions.bind(uow, position=position, targets=[parse(f"user:{name}")],
                               service="")
        issued = integrations.create(uow, name="demo-alertmanager", kind="alertmanager")
        url = integrations.url(issued.integration, issued.key)
    database.dispose()
    print(url)


if __name__ == "__main__":
    main()
