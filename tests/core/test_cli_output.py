"""Whatever the CLI prints of outside text is escaped: an alert sender must not
be able to clear a responder's screen, set their terminal's title or clipboard,
reverse a line or style it with rich markup."""

from __future__ import annotations

from typer.testing import CliRunner

from warroom.cli import app as cli_app
from warroom.cli_support import safe
from warroom.text import for_terminal

runner = CliRunner()
HOSTILE = "\x1b[2J\x1b]52;c;cHduZWQ=\x07 [red]paid[/red] \u202etxt.exe"


def run(*args: str):
    result = runner.invoke(cli_app, list(args))
    assert result.exit_code in (0, 1), result.output
    return result.output


def _clean(output: str) -> None:
    for char in ("\x1b", "\x07", "\u202e"):
        assert char not in output, repr(output)


def test_tables_panels_lines_and_errors_escape_outside_text(database):
    declared = run("incident", "declare", "--type", "service_outage", "--severity", "high",
                   "--title", HOSTILE, "--service", "api", "--label", f"team={HOSTILE}")
    run("incident", "note", "INC-1", f"see {HOSTILE}")
    listed, shown = run("incident", "list"), run("incident", "show", "INC-1")
    error = run("incident", "transition", "INC-1", HOSTILE)
    for output in (declared, listed, shown, error):
        _clean(output)
    assert "\\x1b[2J" in declared and "[red]paid[/red]" in declared
    assert "[red]paid[/red]" in shown and "\\u202etxt.exe" in shown
    assert "\\x1b" in error


def test_line_breaks_and_tabs_survive_and_markup_is_shown_as_written():
    assert for_terminal("a\nb\tc\r\nd") == "a\nb\tc\r\nd"
    assert for_terminal("over\rwrite\x00") == "over\\x0dwrite\\x00"
    assert safe("[bold]x[/bold]") == "\\[bold]x\\[/bold]"
