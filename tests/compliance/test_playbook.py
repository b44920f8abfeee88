"""Seed 000 §6.2's hand-typed `mail ... dpo@` and `update-breach-register.sh`
steps are done by the register: flagging the incident opens the record and
sends the DPO notice, and the DPO's acknowledgement passes the gate."""

from __future__ import annotations

import hashlib
import json

from typer.testing import CliRunner

from warroom.cli import app as cli_app
from warroom.compliance import notices, service
from warroom.incidents import service as incidents
from warroom.notify import service as outbox


def test_flagging_an_incident_notifies_the_dpo_and_the_ack_passes_the_gate(
        declare, work, database, configure, steps_of):
    configure(COMPLIANCE_DPO_EMAIL="dpo@example.com")
    ref = declare(type="compliance_violation", severity="critical")
    with database.read() as session:
        assert [m for m in outbox.get_all(session) if m.kind == "dpo_notice"] == []
    with work() as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        incidents.update(uow, incident=incident, changes={"personal_data_breach": True})
    steps = steps_of(ref)
    assert steps["compliance-violation:update-breach-register"].status == "succeeded"
    assert list(steps["compliance-violation:notify-dpo"].item_ticks) == ["1"]
    with database.read() as session:
        (message,) = [m for m in outbox.get_all(session) if m.kind == "dpo_notice"]
        body, _, _ = outbox.unsealed_content(message)
        assert len(service.get_all(session)) == 1
    assert message.subject.startswith("URGENT: Compliance Incident - BR-")
    assert "was flagged as a personal data breach" in body
    token = body.split(notices.PATH)[1].split()[0]
    with work() as uow:
        notices.acknowledge(uow, notices.read_link(uow.session, token, now=uow.now()))
    assert steps_of(ref)["compliance-violation:notify-dpo"].status == "succeeded"


def test_cli_register_prints_csv_for_a_year(work, clock, database):
    with work() as uow:
        ref = service.open_breach(uow, title="Misdirected email").ref
    result = CliRunner().invoke(cli_app, ["breach", "register", "--year",
                                          str(clock.now().year), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# warroom breach register")
    assert ref in result.output
    shown = CliRunner().invoke(cli_app, ["breach", "show", ref])
    assert shown.exit_code == 0 and "suspected" in shown.output


def test_cli_opens_assesses_submits_and_lists_clocks(clock, tmp_path, database):
    runner = CliRunner()
    opened = runner.invoke(cli_app, ["breach", "open", "--title", "Stolen backup",
                                     "--aware-at", clock.now().isoformat(), "--basis",
                                     "backup found online", "--regimes", "gdpr,nis2"])
    assert opened.exit_code == 0, opened.output
    ref = opened.output.split()[0]
    assessed = runner.invoke(cli_app, ["breach", "assess", ref, "--risk", "high",
                                       "--subjects", "1200-1500", "--set",
                                       "nature=confidentiality,availability"])
    assert assessed.exit_code == 0 and "[assessed]" in assessed.output
    listed = runner.invoke(cli_app, ["breach", "clock", "--json"])
    assert [c["obligation"] for c in json.loads(listed.output)][:1] == ["early_warning"]
    sent = tmp_path / "sent.txt"
    sent.write_bytes(b"what we sent")
    submitted = runner.invoke(cli_app, ["breach", "submit", ref, "--regime", "gdpr",
                                        "--obligation", "initial", "--to", "DPC", "--file",
                                        str(sent), "--reference", "DPC-9"])
    assert submitted.exit_code == 0, submitted.output
    assert hashlib.sha256(b"what we sent").hexdigest() in submitted.output
    draft = runner.invoke(cli_app, ["breach", "draft", ref, "--for", "sa"])
    assert "## 1. Type of notification" in draft.output and "[MISSING]" in draft.output
