"""``warroom chatops ...``."""

from __future__ import annotations

import threading

import typer

from warroom import clock
from warroom.chatops import settings, socket
from warroom.cli_support import echo
from warroom.db import get_database

chatops_app = typer.Typer(help="Slack ChatOps.", no_args_is_help=True)
COMMANDS = {"chatops": chatops_app}


@chatops_app.command("socket")
def socket_mode() -> None:
    """Hold Slack's Socket Mode connection while this node has the lease; run
    it on as many nodes as you like, one connects at a time."""
    if settings.get().slack_app_token is None:
        echo("Socket Mode needs WARROOM_SLACK_APP_TOKEN (an xapp- app-level token).")
        raise typer.Exit(2)
    runner = socket.SocketRunner(get_database(), clock.current())
    stop = threading.Event()
    try:
        while not stop.is_set():
            runner.cycle()
            stop.wait(runner.lease_seconds / 3)
    except KeyboardInterrupt:
        pass
    finally:
        runner.stop()
