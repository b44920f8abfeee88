"""``warroom oncall ...``: the same services as the API."""

from __future__ import annotations

import typer

from warroom.oncall.escalation.cli import escalation_app
from warroom.oncall.people.cli import person_app, team_app
from warroom.oncall.policies.cli import policy_app
from warroom.oncall.positions.cli import position_app
from warroom.oncall.schedules.cli import schedule_app, who

oncall_app = typer.Typer(help="On-call: schedules, people, positions, escalation policies.",
                         no_args_is_help=True)
oncall_app.command("who")(who)
oncall_app.add_typer(schedule_app, name="schedule")
oncall_app.add_typer(person_app, name="person")
oncall_app.add_typer(team_app, name="team")
oncall_app.add_typer(position_app, name="position")
oncall_app.add_typer(policy_app, name="policy")
oncall_app.add_typer(escalation_app, name="escalation")
COMMANDS = {"oncall": oncall_app}
