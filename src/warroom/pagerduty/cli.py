"""``warroom pagerduty ids``: the PagerDuty-style ids this API gives warroom's
objects, to put into scripts (or to map old ids with
``WARROOM_PAGERDUTY_SERVICE_IDS``)."""

from __future__ import annotations

import typer

from warroom.auth import service as users
from warroom.cli_support import JSON_OUT, emit_json, emit_table, handles_problems, reading
from warroom.oncall.schedules import service as schedules
from warroom.pagerduty import catalogue, ids
from warroom.pagerduty import settings as pd_settings

pagerduty_app = typer.Typer(help="The PagerDuty REST API drop-in under /pagerduty.",
                            no_args_is_help=True)
COMMANDS = {"pagerduty": pagerduty_app}


@pagerduty_app.command("ids")
@handles_problems
def list_ids(json_out: bool = JSON_OUT) -> None:
    """Services, escalation policies, schedules and users with their PagerDuty ids."""
    with reading() as session:
        aliases = pd_settings.get().pagerduty_service_ids
        rows = [("service", name, ids.named(ids.SERVICE, name),
                 ", ".join(sorted(k for k, v in aliases.items() if v == name)))
                for name in catalogue.services(session)]
        rows += [("escalation_policy", name, ids.named(ids.POLICY, name), "")
                 for name in catalogue.policy_names(session)]
        rows += [("schedule", s.name, ids.numbered(ids.SCHEDULE, s.id), "")
                 for s in schedules.get_all(session)]
        rows += [("user", u.username, ids.numbered(ids.USER, u.id), "")
                 for u in users.get_all(session)]
    if json_out:
        emit_json([{"type": t, "name": n, "id": i, "also": a} for t, n, i, a in rows])
        return
    emit_table("PagerDuty ids (incidents: INC-n is PI + n in base 36, e.g. INC-42 = "
               f"{ids.numbered(ids.INCIDENT, 42)})", ["type", "name", "id", "mapped ids"], rows)
