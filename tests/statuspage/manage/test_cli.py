"""``warroom statuspage show`` prints what a Statuspage script needs: the
page id the manage API answers to, its base URL and the component ids."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.statuspage.manage.support import oauth
from warroom.cli import app as cli_app

runner = CliRunner()


def test_show_prints_the_page_id_the_api_answers_to(database, clock, client, people):
    done = runner.invoke(cli_app, ["statuspage", "show", "--json"])
    assert done.exit_code == 0, done.output
    shown = json.loads(done.stdout)
    assert shown["api"].endswith(f"/v1/pages/{shown['page_id']}")
    media = next(c["id"] for c in shown["components"] if c["name"] == "media")
    answer = client.get(f"/v1/pages/{shown['page_id']}/components/{media}",
                        headers=oauth(people, "viewer"))
    assert answer.status_code == 200 and answer.json()["name"] == "media"
    table = runner.invoke(cli_app, ["statuspage", "show"])
    assert f"page id: {shown['page_id']}" in table.stdout and media in table.stdout
