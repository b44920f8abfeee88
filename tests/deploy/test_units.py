"""The shipped systemd units start commands the CLI really has."""

import configparser
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from warroom.cli import app

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"


@pytest.mark.parametrize("unit", ["warroom-serve.service", "warroom-worker.service"])
def test_unit_execstart_is_a_real_command(unit: str) -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(UNITS / unit)
    service = parser["Service"]
    assert service["NoNewPrivileges"] == "true" and service["ProtectSystem"] == "strict"
    argv = shlex.split(service["ExecStart"])
    assert Path(argv[0]).name == "warroom"
    result = CliRunner().invoke(app, [*argv[1:], "--help"])
    assert result.exit_code == 0, result.output
