"""The command line: review export to PDF, action items, metrics."""

from __future__ import annotations

import json
import subprocess

from typer.testing import CliRunner

from warroom.cli import app as cli_app

TO_LESSONS = [("ack", 3), ("recovery", 20), ("lessons_learned", 30)]


def test_review_export_pdf_and_metrics_from_the_command_line(declare, walk, tmp_path, people):
    ref = declare(severity="sev3", services=["chat"])
    walk(ref, TO_LESSONS)
    runner = CliRunner()
    overview = tmp_path / "overview.md"
    overview.write_text("The chat pool ran dry.")
    edited = runner.invoke(cli_app, ["review", "edit", ref, "overview", "--file", str(overview)])
    assert edited.exit_code == 0, edited.stdout
    target = tmp_path / "review.pdf"
    exported = runner.invoke(cli_app, ["review", "export", ref, "--format", "pdf", "--output",
                                       str(target)])
    assert exported.exit_code == 0, exported.stdout
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "The chat pool ran dry." in text and ref in text
    added = runner.invoke(cli_app, ["action", "add", ref, "Add a pool alert", "--owner",
                                    "responder", "--priority", "high"])
    assert added.exit_code == 0 and "AI-1" in added.stdout
    refused = runner.invoke(cli_app, ["action", "done", "AI-1", "--note", " "])
    assert refused.exit_code != 0
    shown = runner.invoke(cli_app, ["metrics", "--by", "severity", "--since", "90d", "--json"])
    assert shown.exit_code == 0, shown.stdout
    groups = json.loads(shown.stdout)["groups"]
    assert [g["key"] for g in groups] == ["sev3"]
    assert groups[0]["metrics"]["time_to_acknowledge"]["n"] == 1
    assert json.loads(shown.stdout)["action_items"] == {"open": 1, "overdue": 0}
